// Bundles the compiled CLI (dist/cli/main.js, from tsc) into one file, dist/cli/main.bundle.js, which
// bin/lode.js runs: one module to load instead of about two hundred, some 30 ms off every command's start.
// Native packages stay outside (they load their binaries themselves); the codec worker stays a separate
// file under dist/store/, which codec-pool.ts names from the store folder.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks per command (program.ts imports each command's module when it runs): a command loads only what it
// uses, and above all only the daemon's commands load the libp2p stack. The stack is bundled too: loaded
// from its ~600 files it took ~200 ms of every daemon's start, bundled ~40 ms.
// The chunks sit in dist/chunks, one level below dist like the entry, so a module that names a sibling
// folder from its own URL (the store's codec worker: ../store/codec-worker.js) finds it from either.
rmSync('dist/chunks', { recursive: true, force: true });
await build({
  entryPoints: { 'cli/main.bundle': 'dist/cli/main.js' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['lmdb', '@napi-rs/blake-hash'],
  // Bundled CommonJS dependencies call require(); ESM output has none of its own.
  banner: { js: "import { createRequire as lodeCreateRequire } from 'node:module'; const require = lodeCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
