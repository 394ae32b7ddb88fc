// The compiled CLI: `npm run build` (which `npm ci` runs) compiles dist/ with tsc and bundles it into
// dist/cli/main.bundle.js and its chunks, and bin/lode.js, the installed entry point, runs the bundle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ROOT, explain, lode, spawnLode, suiteDir } from './cli.ts';

const BIN = join(ROOT, 'bin', 'lode.js');

describe('the compiled CLI', () => {
  const work = suiteDir('build');
  before(() => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  }, { timeout: 180_000 });

  test('the bundle loads no lode module beside it, only its own chunks, and leaves libp2p to the daemon\'s chunk', () => {
    const dist = join(ROOT, 'dist');
    const bundle = readFileSync(join(dist, 'cli', 'main.bundle.js'), 'utf8');
    const chunks = readdirSync(join(dist, 'chunks')).map((f) => readFileSync(join(dist, 'chunks', f), 'utf8'));
    // The entry imports chunks only (../chunks/), and chunks import one another only (./name.js).
    const relative = (text: string): string[] => [...text.matchAll(/(?:from |import\()["'](\.\.?\/[^"']*)["']/g)].map((m) => m[1]!);
    for (const spec of relative(bundle)) assert.match(spec, /^\.\.\/chunks\/[\w.-]+\.js$/, 'the entry imports a lode module');
    for (const text of chunks) for (const spec of relative(text)) assert.match(spec, /^\.\/[\w.-]+\.js$/, 'a chunk imports a lode module');
    assert.ok(relative(bundle).length > 0, 'the entry does load chunks');
    // Every command starts without the libp2p stack: it is bundled into one chunk (esbuild names each
    // module it took in), which only the daemon's entry loads; nothing imports it from node_modules.
    const bundled = /^\/\/ node_modules\/(libp2p|@libp2p\/|@chainsafe\/)/m;
    const imported = /^import\b[^;]*?from ["'](libp2p|@libp2p\/|@chainsafe\/)/m;
    assert.doesNotMatch(bundle, bundled, 'the entry holds libp2p');
    assert.equal(chunks.filter((c) => bundled.test(c)).length, 1, 'one chunk holds the libp2p stack');
    for (const text of [bundle, ...chunks]) assert.doesNotMatch(text, imported, 'libp2p imported from node_modules');
  });

  test('bin/lode.js --version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const run = await lode(['--version'], { entry: BIN });
    assert.equal(run.code, 0, explain(run));
    assert.equal(run.stdout.trim(), version);
  });

  test('bin/lode.js snapshots and lists with a fresh store', async () => {
    const store = join(work, 'store');
    const snap = await lode(['snapshot', join(ROOT, 'src', 'cli'), '--arena', 'cli'], { entry: BIN, store });
    assert.equal(snap.code, 0, explain(snap));
    const ls = await lode(['ls', 'cli'], { entry: BIN, store });
    assert.equal(ls.code, 0, explain(ls));
    assert.match(ls.stdout, /  main\.ts$/m);
  });

  test('bin/lode.js daemon runs node again with the daemon\'s heap setting, keeping its pid', async () => {
    const dir = join(work, 'daemon');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'lode.toml');
    writeFileSync(config, '[store]\npath = "./store"\n\n[network]\nlisten = ["/ip4/127.0.0.1/tcp/0"]\n');
    const child = spawnLode(['--config', config, 'daemon'], { entry: BIN, cwd: dir });
    try {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
      const started = Date.now();
      while (!/^listening /m.test(out)) {
        assert.ok(child.exitCode === null && Date.now() - started < 30_000, `the daemon did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const args = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(args.includes('--initial-old-space-size=256'), args.join(' '));
      assert.equal(args.filter((a) => a === '--initial-old-space-size=256').length, 1, 'once, not again and again');
      assert.ok(args.includes('daemon'), args.join(' '));
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
    // Another command keeps V8's default.
    const run = await lode(['--version'], { entry: BIN });
    assert.equal(run.code, 0, explain(run));
  });

  test('bin/lode.js --help documents the exit statuses', async () => {
    const run = await lode(['--help'], { entry: BIN });
    assert.equal(run.code, 0, explain(run));
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7]) assert.match(run.stdout, new RegExp(`^\\s+${n}\\s+\\S`, 'm'));
  });
});
