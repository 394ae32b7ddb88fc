// Bad input: missing arenas, bad revisions and paths, unreadable sources, hostile paths, malformed config,
// a full disk and a locked store. Each gets one clear `lode: … (CODE)` line and its documented exit status,
// and the store stays consistent.
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { errorCodeOf, explain, lode, lodeJson, suiteDir, unprivilegedUser } from './cli.ts';
import { buildTree, compareTrees, seededBytes } from './tree.ts';

describe('bad input', () => {
  const work = suiteDir('bad');
  let store: string;
  let src: string;

  before(async () => {
    store = join(work, 'store');
    src = join(work, 'src');
    await buildTree(src, [{ path: 'a.txt', kind: 'file', content: 'a' }, { path: 'd/b.txt', kind: 'file', content: 'b' }]);
    const run = await lode(['snapshot', src, '--arena', 'good'], { store });
    assert.equal(run.code, 0, explain(run));
    const empty = await lode(['arena', 'create', 'empty'], { store });
    assert.equal(empty.code, 0, explain(empty));
  });

  // [what, args, exit status, code]
  const cases: [string, string[], number, string][] = [
    ['log of a missing arena', ['log', 'nope'], 4, 'NO_SUCH_ARENA'],
    ['ls of a missing arena', ['ls', 'nope'], 4, 'NO_SUCH_ARENA'],
    ['cat from a missing arena', ['cat', 'nope:a.txt'], 4, 'NO_SUCH_ARENA'],
    ['restore of a missing arena', ['restore', 'nope', 'OUT'], 4, 'NO_SUCH_ARENA'],
    ['diff in a missing arena', ['diff', 'nope', 'main', 'main'], 4, 'NO_SUCH_ARENA'],
    ['log of an arena with no commits', ['log', 'empty'], 4, 'EMPTY_ARENA'],
    ['an unknown branch', ['log', 'good@nobranch'], 4, 'UNKNOWN_REVISION'],
    ['an unknown commit id prefix', ['ls', 'good@deadbeef'], 4, 'UNKNOWN_REVISION'],
    ['going back past the root commit', ['log', 'good@main~5'], 4, 'NO_PARENT'],
    ['an empty revision', ['log', 'good@'], 2, 'BAD_REVISION'],
    ['a revision with spaces', ['log', 'good@ma in'], 2, 'BAD_REVISION'],
    ['a malformed ~N suffix', ['diff', 'good', 'main~x', 'main'], 2, 'BAD_REVISION'],
    ['a missing path', ['cat', 'good:no/such/file'], 4, 'NO_SUCH_PATH'],
    ['cat of a directory', ['cat', 'good:d'], 2, 'NOT_A_FILE'],
    ['cat with no path', ['cat', 'good@main'], 2, 'BAD_ARGUMENT'],
    ['a hostile .. path in cat', ['cat', 'good@main:../x'], 2, 'HOSTILE_PATH'],
    ['a hostile absolute .. path in cat', ['cat', 'good:/d/../../etc/passwd'], 2, 'HOSTILE_PATH'],
    ['a hostile restore --path', ['restore', 'good', 'OUT', '--path', '../../etc'], 2, 'HOSTILE_PATH'],
    ['a bad arena name', ['arena', 'create', 'no/slash'], 2, 'BAD_ARENA_NAME'],
    ['snapshot of a missing directory', ['snapshot', '/nonexistent/lode-source', '--arena', 'good'], 4, 'SOURCE_NOT_FOUND'],
    ['snapshot of a file', ['snapshot', 'SRC/a.txt', '--arena', 'good'], 2, 'NOT_A_DIRECTORY'],
    ['snapshot without --arena', ['snapshot', 'SRC'], 2, 'USAGE'],
    ['an unknown option', ['log', 'good', '--frobnicate'], 2, 'USAGE'],
    ['an unknown command', ['frobnicate'], 2, 'USAGE'],
    ['a bad --limit', ['log', 'good', '--limit', 'many'], 2, 'BAD_ARGUMENT'],
  ];
  // The cases only read the store, so they run side by side.
  describe('each gets one error line and its exit status', { concurrency: 4 }, () => {
    for (const [what, args, status, code] of cases) {
      test(`${what}: exit ${status}, ${code}`, async () => {
        const run = await lode(args.map((a) => a.replace('OUT', join(work, 'out')).replace('SRC', src)), { store });
        assert.equal(run.code, status, explain(run));
        assert.equal(errorCodeOf(run), code, explain(run));
        assert.equal(run.stderr.trim().split('\n').filter((l) => l.startsWith('lode: ')).length, 1, 'one error line');
        assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack without --debug');
      });
    }
  });

  test('--debug adds the stack; --json adds an error document on stdout', async () => {
    const debug = await lode(['log', 'nope', '--debug'], { store });
    assert.equal(debug.code, 4);
    assert.match(debug.stderr, /^\s+at /m);
    const { run, doc } = await lodeJson<{ error: { code: string; exit: number } }>(['log', 'nope'], { store });
    assert.equal(run.code, 4);
    assert.deepEqual(doc.error && { code: doc.error.code, exit: doc.error.exit }, { code: 'NO_SUCH_ARENA', exit: 4 });
  });

  test('the store is still clean after all those errors', async () => {
    const fsck = await lode(['fsck'], { store });
    assert.equal(fsck.code, 0, explain(fsck));
  });

  test('a store locked by gc (a live exclusive lock) is refused with exit 6', async () => {
    const locked = join(work, 'locked-store');
    assert.equal((await lode(['id'], { store: locked })).code, 0);
    // The test runner is a live process: its pid makes the lock current, as a running gc would.
    await writeFile(join(locked, 'locks', 'exclusive.lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), boot: '', kind: 'exclusive', since: Date.now() }));
    const run = await lode(['log', 'good'], { store: locked });
    assert.equal(run.code, 6, explain(run));
    assert.equal(errorCodeOf(run), 'LOCKED');
  });

  test('a full disk during a snapshot exits 7; fsck is clean and the next snapshot succeeds', async () => {
    const full = join(work, 'full-store');
    const data = join(work, 'full-src');
    await buildTree(data, [
      { path: 'big.bin', kind: 'file', content: seededBytes(3 * 1024 * 1024, 1) },
      ...Array.from({ length: 20 }, (_, i) => ({ path: `small/${i}.txt`, kind: 'file' as const, content: `file ${i}\n`.repeat(100) })),
    ]);
    const run = await lode(['snapshot', data, '--arena', 'full'], { store: full, env: { LODE_TEST_ENOSPC_AFTER: String(512 * 1024) } });
    assert.equal(run.code, 7, explain(run));
    assert.equal(errorCodeOf(run), 'DISK_FULL');
    const fsck = await lode(['fsck', '--read-data'], { store: full });
    assert.equal(fsck.code, 0, explain(fsck));
    const missing = await lode(['log', 'full'], { store: full });
    assert.equal(missing.code, 4, `no commit was made: ${explain(missing)}`);
    const again = await lode(['snapshot', data, '--arena', 'full'], { store: full });
    assert.equal(again.code, 0, explain(again));
    const out = join(work, 'full-out');
    assert.equal((await lode(['restore', 'full', out], { store: full })).code, 0);
    assert.deepEqual(await compareTrees(data, out), []);
  });
});

describe('unreadable sources', () => {
  const work = suiteDir('unreadable');
  const user = unprivilegedUser();
  const skip = typeof user === 'string' ? user : false;
  const as = typeof user === 'string' ? {} : user;
  let store: string;

  before(async () => {
    if (skip) return;
    store = join(work, 'store');
    await mkdir(store);
    await buildTree(join(work, 'src'), [
      { path: 'ok.txt', kind: 'file', content: 'fine' },
      { path: 'secret.txt', kind: 'file', content: 'hidden', mode: 0o000 },
      { path: 'locked/inner.txt', kind: 'file', content: 'inner' },
      { path: 'locked', kind: 'dir', mode: 0o000 },
    ]);
    await buildTree(join(work, 'closed'), [{ path: 'x', kind: 'file', content: 'x' }, { path: '', kind: 'dir', mode: 0o000 }]);
    if (as.asUser !== undefined) await chown(store, as.asUser, as.asUser);
    await chmod(work, 0o755);
  });

  test('unreadable files and directories are listed, the rest is committed, and the exit status is 3', { skip }, async () => {
    const { run, doc } = await lodeJson<{ complete: boolean; commit: string; problems: { path: string; code: string }[] }>(['snapshot', join(work, 'src'), '--arena', 'u'], { store, ...as });
    assert.equal(run.code, 3, explain(run));
    assert.equal(doc.complete, false);
    assert.deepEqual(doc.problems.map((p) => p.path).sort(), ['locked', 'secret.txt']);
    assert.match(run.stderr, /^lode: secret\.txt: .*\(UNREADABLE\)$/m);
    assert.match(run.stderr, /\(INCOMPLETE\)$/m);
    const cat = await lode(['cat', `u@${doc.commit}:ok.txt`], { store, ...as });
    assert.equal(cat.stdout, 'fine');
  });

  test('a source directory that cannot be read at all is refused with exit 1', { skip }, async () => {
    const run = await lode(['snapshot', join(work, 'closed'), '--arena', 'u'], { store, ...as });
    assert.equal(run.code, 1, explain(run));
    assert.equal(errorCodeOf(run), 'SOURCE_UNREADABLE');
  });
});

describe('configuration', () => {
  const work = suiteDir('config');

  const malformed: [string, string, string][] = [
    ['TOML syntax', 'store = [unclosed\n', 'line 1'],
    ['an unknown top-level key', '[stor]\npath = "x"\n', 'stor'],
    ['store.path not a string', '[store]\npath = 42\n', 'store.path'],
    ['an unknown key in [store]', '[store]\npath = "x"\nsize = 1\n', 'store.size'],
    ['a peer node_id that is not hex', '[[peers]]\nnode_id = "laptop"\n', 'peers[0].node_id'],
    ['an arena without a name', '[[arenas]]\npath = "~/x"\n', 'arenas[0].name'],
    ['a bad sync threshold', '[sync]\nenumerate_threshold = 0\n', 'sync.enumerate_threshold'],
  ];
  for (const [what, text, field] of malformed) {
    test(`a malformed lode.toml (${what}) is refused with exit 2, naming the file and ${field}`, async () => {
      const file = join(work, `${what.replace(/\W+/g, '-')}.toml`);
      await writeFile(file, text);
      for (const how of ['flag', 'env'] as const) {
        const run = how === 'flag'
          ? await lode(['--config', file, 'id'], { store: join(work, 'store') })
          : await lode(['id'], { store: join(work, 'store'), env: { LODE_CONFIG: file } });
        assert.equal(run.code, 2, explain(run));
        assert.equal(errorCodeOf(run), 'BAD_CONFIG');
        assert.ok(run.stderr.includes(file), run.stderr);
        assert.ok(run.stderr.includes(field), run.stderr);
      }
    });
  }

  test('a missing --config file is refused with exit 2', async () => {
    const run = await lode(['--config', join(work, 'absent.toml'), 'id']);
    assert.equal(run.code, 2, explain(run));
    assert.equal(errorCodeOf(run), 'BAD_CONFIG');
  });

  test('the store is found by --store, then LODE_STORE, then store.path (relative to the config), then XDG_DATA_HOME', async () => {
    const cfgDir = join(work, 'cfg');
    await mkdir(cfgDir, { recursive: true });
    const cfg = join(cfgDir, 'lode.toml');
    await writeFile(cfg, '[store]\npath = "./data"\n');
    const xdg = join(work, 'xdg');
    const storeOf = async (args: string[], env: Record<string, string>): Promise<string> => {
      const { run, doc } = await lodeJson<{ store: string }>([...args, 'id'], { env: { XDG_DATA_HOME: xdg, ...env } });
      assert.equal(run.code, 0, explain(run));
      return doc.store;
    };
    assert.equal(await storeOf(['--store', join(work, 'flag'), '--config', cfg], { LODE_STORE: join(work, 'env') }), join(work, 'flag'));
    assert.equal(await storeOf(['--config', cfg], { LODE_STORE: join(work, 'env') }), join(work, 'env'));
    assert.equal(await storeOf(['--config', cfg], {}), join(cfgDir, 'data'));
    assert.equal(await storeOf([], {}), join(xdg, 'lode'));
    // First use made the node key, private to its owner.
    const { statSync } = await import('node:fs');
    assert.equal(statSync(join(xdg, 'lode', 'node.key')).mode & 0o777, 0o600);
  });
});
