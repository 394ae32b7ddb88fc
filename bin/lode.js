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
// The daemon's old generation starts at 256 MB instead of growing from a few: a transfer moves its data in
// Buffers, which count against a global limit sized from the JavaScript heap (src/cli/gc-tuning.ts), and
// from V8's small start the receiver of a 46,000-file transfer ran a full mark of its heap every ~100 MB
// of Buffers. 256 MB: ~15 % less CPU on both sides, the same peak RSS (docs/benchmarks.md). V8 reads it
// only at start-up, so `lode daemon` runs node again with it, here, before loading anything:
// process.execve keeps the pid, the open files and the environment (Unix, Node 22.15+; elsewhere the
// daemon runs with V8's default). Not for other commands: a snapshot's memory goal is 150 MB.
const DAEMON_HEAP_FLAG = '--initial-old-space-size=256';
if (typeof process.execve === 'function' && !process.execArgv.includes(DAEMON_HEAP_FLAG) && command(process.argv.slice(2)) === 'daemon') {
  try {
    process.execve(process.execPath, [process.execPath, DAEMON_HEAP_FLAG, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    // node could not be run again (its binary moved, a seccomp policy): the daemon runs with V8's default.
  }
}

/** The command word: the first argument that is not a global option or its value (--store DIR, --config FILE). */
function command(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--store' || a === '--config') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

// V8's code cache on disk (NODE_COMPILE_CACHE, else the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns
// it off): later starts skip compiling lode's modules and its dependencies, about 20 ms of every command.
// (A default import: a named one would fail to link on the old Node the check above must reach.)
nodeModule.enableCompileCache?.();
await import(compiled.href);
