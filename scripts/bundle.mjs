// Bundles the compiled CLI (dist/cli/main.js, from tsc) into one file, dist/cli/main.bundle.js, which
// bin/lode.js runs: one module to load instead of about two hundred, some 30 ms off every command's start.
// Native packages stay outside (they load their binaries themselves), and so does the libp2p stack, which
// only the daemon loads; the codec worker stays a separate file under dist/store/, which codec-pool.ts
// names from the store folder.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli/main.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['lmdb', '@napi-rs/blake-hash', 'libp2p', 'libp2p/*', '@libp2p/*', '@chainsafe/*', '@multiformats/*'],
  // Bundled CommonJS dependencies call require(); ESM output has none of its own.
  banner: { js: "import { createRequire as lodeCreateRequire } from 'node:module'; const require = lodeCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
