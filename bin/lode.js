#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`lode: needs Node.js 22 or newer, this is ${process.version}. Source scripts/node24.sh to get Node 24.\n`);
  process.exit(2);
}
// The bundle when there is one (npm run build makes it), else the modules tsc wrote.
const bundled = new URL('../dist/cli/main.bundle.js', import.meta.url);
const compiled = existsSync(bundled) ? bundled : new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('lode: not built yet; run `npm run build` (npm ci does it).\n');
  process.exit(2);
}
// V8's code cache on disk (NODE_COMPILE_CACHE, else the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns
// it off): later starts skip compiling lode's modules and its dependencies, about 20 ms of every command.
// (A default import: a named one would fail to link on the old Node the check above must reach.)
nodeModule.enableCompileCache?.();
await import(compiled.href);
