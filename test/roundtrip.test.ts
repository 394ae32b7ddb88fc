// CLI round trips: snapshot a tree with symlinks, modes, empty dirs and files, unicode names and a
// multi-chunk file; restore it byte-identical; cat, ls, log and diff agree with what was snapshotted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { readFile, rename, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';
import { buildTree, compareTrees, randomContent, type FixtureEntry } from './tree.ts';

const T0 = 1_600_000_000.123456;
const BIG = 10 * 1024 * 1024 + 12345;

function b3sum(file: string): string | undefined {
  try {
    return execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
const HAVE_B3SUM = b3sum('/dev/null') !== undefined;

interface SnapshotDoc { commit: string; parent: string | null; arena_created: boolean; complete: boolean; files: { new: number; changed: number; unmodified: number }; stats: { files: number; dirs: number; symlinks: number; bytes: number; newBytes: number } }
interface LsDoc { entries: { path: string; kind: string; mode: string; size?: number; blob?: string; target?: string }[] }
interface LogDoc { commits: { id: string; parents: string[]; message: string }[] }
interface DiffDoc { changes: { change: string; path: string; from?: string }[] }

describe('round trip through the CLI', () => {
  const work = suiteDir('roundtrip');
  let store: string;
  let src: string;
  let big: Buffer;
  const commits: string[] = [];

  before(async () => {
    store = join(work, 'store');
    src = join(work, 'src');
    big = randomContent(BIG);
    const entries: FixtureEntry[] = [
      { path: 'hello.txt', kind: 'file', content: 'hello\n', mode: 0o644, mtime: T0 },
      { path: 'script.sh', kind: 'file', content: '#!/bin/sh\necho hi\n', mode: 0o755, mtime: T0 + 1 },
      { path: 'secret', kind: 'file', content: 'only me', mode: 0o600, mtime: T0 + 2 },
      { path: 'readonly.txt', kind: 'file', content: 'look, do not touch', mode: 0o444, mtime: T0 + 3 },
      { path: 'empty', kind: 'file', content: '', mode: 0o640, mtime: T0 + 4 },
      { path: 'empty-dir', kind: 'dir', mode: 0o700, mtime: T0 + 5 },
      { path: 'nested/empty/deeper', kind: 'dir', mtime: T0 + 6 },
      { path: 'nested/up', kind: 'symlink', target: '../hello.txt' },
      { path: 'nested', kind: 'dir', mode: 0o750, mtime: T0 + 7 },
      { path: 'ünïcødé/日本語.txt', kind: 'file', content: 'こんにちは\n', mtime: T0 + 8 },
      { path: 'ünïcødé/😀 smile', kind: 'file', content: 'emoji', mtime: T0 + 9 },
      { path: 'caf\u00e9', kind: 'file', content: 'NFC', mtime: T0 + 10 },
      { path: 'cafe\u0301', kind: 'file', content: 'NFD', mtime: T0 + 11 },
      { path: 'line\nbreak and spaces', kind: 'file', content: 'odd name', mtime: T0 + 12 },
      { path: 'link-to-hello', kind: 'symlink', target: 'hello.txt' },
      { path: 'dangling', kind: 'symlink', target: 'does-not-exist' },
      { path: 'link-dir', kind: 'symlink', target: 'nested' },
      { path: 'big/random.bin', kind: 'file', content: big, mode: 0o644, mtime: T0 + 13 },
      { path: 'big/random-copy.bin', kind: 'file', content: big, mode: 0o600, mtime: T0 + 14 },
      { path: 'big', kind: 'dir', mtime: T0 + 15 },
    ];
    await buildTree(src, entries);
  });

  test('the first snapshot creates the arena, says so, and stores every entry', async () => {
    const { run, doc } = await lodeJson<SnapshotDoc>(['snapshot', src, '--arena', 'rt', '-m', 'first'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.match(run.stderr, /created arena rt/);
    assert.match(doc.commit, /^[0-9a-f]{64}$/);
    assert.equal(doc.parent, null);
    assert.equal(doc.arena_created, true);
    assert.equal(doc.complete, true);
    assert.equal(doc.stats.files, 12);
    assert.equal(doc.stats.symlinks, 4);
    assert.equal(doc.files.new, 12);
    // The copy deduplicates: less than both big files' bytes are added.
    assert.ok(doc.stats.newBytes < 2 * BIG, `newBytes ${doc.stats.newBytes}`);
    commits.push(doc.commit);
  });

  test('restore gives a byte-identical tree with modes, mtimes and symlink targets', async () => {
    const out = join(work, 'restored');
    const run = await lode(['restore', 'rt', out], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual(await compareTrees(src, out), []);
  });

  test('restore --path restores one subtree, and ARENA@REV:PATH does the same', async () => {
    const cases = [
      { args: ['--path', 'ünïcødé'], spec: 'rt', target: join(work, 'part-flag') },
      { args: [], spec: `rt@${commits[0]!.slice(0, 10)}:ünïcødé`, target: join(work, 'part-spec') },
    ];
    for (const c of cases) {
      const run = await lode(['restore', c.spec, c.target, ...c.args], { store });
      assert.equal(run.code, 0, explain(run));
      // A directory's contents go into the target, as `cp -r DIR/. TARGET` would put them.
      assert.deepEqual(await compareTrees(join(src, 'ünïcødé'), c.target), []);
      assert.ok(!existsSync(join(c.target, 'hello.txt')));
    }
  });

  for (const unsafe of [false, true]) {
    test(`a symlink escaping the target is ${unsafe ? 'restored with --unsafe-symlinks' : 'refused by default (exit 3)'}`, async () => {
      const esc = join(work, `escape-src-${unsafe}`);
      await buildTree(esc, [{ path: 'ok.txt', kind: 'file', content: 'fine' }, { path: 'escape', kind: 'symlink', target: '/etc/passwd' }]);
      const arena = `esc-${unsafe}`;
      const snap = await lode(['snapshot', esc, '--arena', arena], { store });
      assert.equal(snap.code, 0, explain(snap));
      const out = join(work, `escape-out-${unsafe}`);
      const run = await lode(['restore', arena, out, ...(unsafe ? ['--unsafe-symlinks'] : [])], { store });
      assert.equal(run.code, unsafe ? 0 : 3, explain(run));
      assert.equal(await readFile(join(out, 'ok.txt'), 'utf8'), 'fine');
      assert.equal(lstatSync(join(out, 'escape'), { throwIfNoEntry: false })?.isSymbolicLink() === true, unsafe);
    });
  }

  const catCases: [string, string, () => Buffer][] = [
    ['the multi-chunk file at the head of main', 'rt:big/random.bin', () => big],
    ['a unicode path at a commit prefix', 'PREFIX:ünïcødé/日本語.txt', () => Buffer.from('こんにちは\n')],
    ['an empty file', 'rt@main:empty', () => Buffer.alloc(0)],
    ['a symlink (its target)', 'rt:link-to-hello', () => Buffer.from('hello.txt')],
  ];
  for (const [what, spec, expected] of catCases) {
    test(`cat streams ${what}`, async () => {
      const run = await lode(['cat', spec.replace('PREFIX', `rt@${commits[0]!.slice(0, 12)}`)], { store });
      assert.equal(run.code, 0, explain(run));
      assert.ok(run.stdoutBytes.equals(expected()), `cat ${spec}: ${run.stdoutBytes.length} bytes`);
    });
  }

  test('cat --json gives one document with the content in base64', async () => {
    const { run, doc } = await lodeJson<{ path: string; size: number; encoding: string; content: string }>(['cat', 'rt:big/random.bin'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual([doc.path, doc.size, doc.encoding], ['big/random.bin', BIG, 'base64']);
    assert.ok(Buffer.from(doc.content, 'base64').equals(big));
  });

  test('ls --json gives blob ids equal to b3sum, and ls prints a long listing', { skip: HAVE_B3SUM ? false : 'SKIPPED LOUDLY: b3sum is not installed (apt-get install b3sum)' }, async () => {
    const { run, doc } = await lodeJson<LsDoc>(['ls', 'rt', 'big'], { store });
    assert.equal(run.code, 0, explain(run));
    const entry = doc.entries.find((e) => e.path === 'random.bin');
    assert.ok(entry, JSON.stringify(doc));
    assert.equal(entry.blob, b3sum(join(src, 'big/random.bin')));
    assert.equal(entry.size, BIG);
    const human = await lode(['ls', 'rt'], { store });
    assert.equal(human.code, 0, explain(human));
    assert.match(human.stdout, /^-rwxr-xr-x\s+\d+\s+.*script\.sh$/m);
    assert.match(human.stdout, /^drwx------\s+-\s+.*empty-dir\/$/m);
    assert.match(human.stdout, /^l.*link-to-hello -> hello\.txt$/m);
    const recursive = await lodeJson<LsDoc>(['ls', '-r', 'rt@main:nested'], { store });
    assert.deepEqual(recursive.doc.entries.map((e) => e.path), ['empty', 'empty/deeper', 'up']);
  });

  test('an unchanged second snapshot adds 0 bytes and has the first as parent', async () => {
    const { run, doc } = await lodeJson<SnapshotDoc>(['snapshot', src, '--arena', 'rt', '-m', 'second'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.doesNotMatch(run.stderr, /created arena/);
    assert.equal(doc.stats.newBytes, 0);
    assert.equal(doc.parent, commits[0]);
    assert.deepEqual(doc.files, { new: 0, changed: 0, unmodified: 12 });
    commits.push(doc.commit);
  });

  test('diff after edits, a rename, a removal and an addition shows the right lines', async () => {
    await writeFile(join(src, 'hello.txt'), 'hello, world\n');
    await mkdir(join(src, 'bin'));
    await rename(join(src, 'script.sh'), join(src, 'bin/run.sh'));
    await rm(join(src, 'secret'));
    await writeFile(join(src, 'added.txt'), 'new here');
    await utimes(join(src, 'added.txt'), T0, T0);
    const { run, doc } = await lodeJson<SnapshotDoc>(['snapshot', src, '--arena', 'rt', '-m', 'third'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.equal(doc.parent, commits[1]);
    commits.push(doc.commit);

    const human = await lode(['diff', 'rt', 'main~1', 'main'], { store });
    assert.equal(human.code, 0, explain(human));
    const lines = human.stdout.trim().split('\n');
    for (const expected of ['+ added.txt', 'M hello.txt', '- secret', 'R script.sh -> bin/run.sh']) assert.ok(lines.includes(expected), `${expected} in:\n${human.stdout}`);
    assert.ok(!lines.some((l) => /big|nested|ünïcødé/.test(l)), human.stdout);

    const json = await lodeJson<DiffDoc>(['diff', 'rt', commits[0]!.slice(0, 8), commits[2]!], { store });
    assert.equal(json.run.code, 0, explain(json.run));
    const renamed = json.doc.changes.find((c) => c.change === 'renamed');
    assert.deepEqual(renamed && { from: renamed.from, path: renamed.path }, { from: 'script.sh', path: 'bin/run.sh' });
  });

  test('log lists the commits newest first, each with its parent', async () => {
    const { run, doc } = await lodeJson<LogDoc>(['log', 'rt'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual(doc.commits.map((c) => c.id), [...commits].reverse());
    assert.deepEqual(doc.commits.map((c) => c.message), ['third', 'second', 'first']);
    assert.deepEqual(doc.commits[0]!.parents, [commits[1]]);
    const human = await lode(['log', 'rt@main~1'], { store });
    assert.equal(human.code, 0, explain(human));
    const lines = human.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(lines[0]!.startsWith(commits[1]!.slice(0, 12)) && lines[0]!.endsWith('second'), human.stdout);
  });

  test('arena list and id report what exists', async () => {
    const { run, doc } = await lodeJson<{ arenas: { name: string; head: string | null }[] }>(['arena', 'list'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.equal(doc.arenas.find((a) => a.name === 'rt')?.head, commits[2]);
    const created = await lode(['arena', 'create', 'fresh'], { store });
    assert.equal(created.code, 0, explain(created));
    const again = await lode(['arena', 'create', 'fresh'], { store });
    assert.equal(again.code, 2, explain(again));
    assert.equal(errorCodeOf(again), 'ARENA_EXISTS');
    const id = await lode(['id'], { store });
    assert.match(id.stdout, /^[0-9a-f]{64}\n$/);
  });

  test('two concurrent snapshots of one arena both land, one on top of the other', async () => {
    const runs = await Promise.all([1, 2].map((n) => lodeJson<SnapshotDoc>(['snapshot', src, '--arena', 'conc', '-m', `run ${n}`], { store })));
    for (const { run } of runs) assert.equal(run.code, 0, explain(run));
    const { doc } = await lodeJson<LogDoc>(['log', 'conc'], { store });
    assert.equal(doc.commits.length, 2);
    assert.deepEqual(doc.commits[0]!.parents, [doc.commits[1]!.id]);
  });

  test('fsck --read-data is clean after all that', async () => {
    const run = await lode(['fsck', '--read-data'], { store });
    assert.equal(run.code, 0, explain(run));
  });
});
