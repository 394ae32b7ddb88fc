// The line-level history commands end to end: `lode diff` with unified line diffs, `lode log --graph`
// and `lode blame`, run as child processes against a temporary store.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { CommitId } from '../src/core/index.ts';
import { createCommit, moveBranch, requireArena } from '../src/history/index.ts';
import { openStore } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';

interface LogDoc { commits: { id: string; parents: string[]; message: string }[] }

describe('lode diff with line diffs', () => {
  const dir = suiteDir('history-text-diff');
  const store = join(dir, 'store');
  const src = join(dir, 'src');

  before(async () => {
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'poem.txt'), 'one\ntwo\nthree\n');
    await writeFile(join(src, 'gone.txt'), 'bye\n');
    await writeFile(join(src, 'data.bin'), Buffer.from([1, 0, 2, 3]));
    let r = await lode(['snapshot', src, '--arena', 'd', '-m', 'first'], { store });
    assert.equal(r.code, 0, explain(r));
    await writeFile(join(src, 'poem.txt'), 'one\n2\nthree\n');
    await rm(join(src, 'gone.txt'));
    await writeFile(join(src, 'new.txt'), 'hello\n');
    await writeFile(join(src, 'data.bin'), Buffer.from([1, 0, 2, 4]));
    await writeFile(join(src, 'big.txt'), Buffer.alloc(9 * 1024 * 1024, 0x61));
    r = await lode(['snapshot', src, '--arena', 'd', '-m', 'second'], { store });
    assert.equal(r.code, 0, explain(r));
  });

  test('prints the path summary, then unified diffs for text, a note for binary and big files', async () => {
    const r = await lode(['diff', 'd', 'main~1', 'main'], { store });
    assert.equal(r.code, 0, explain(r));
    const expected = [
      '+ big.txt', 'M data.bin', '- gone.txt', '+ new.txt', 'M poem.txt', '',
      'diff --lode a/big.txt b/big.txt',
      'Large files /dev/null and b/big.txt differ (over 8 MiB; no line diff)',
      'diff --lode a/data.bin b/data.bin',
      'Binary files a/data.bin and b/data.bin differ',
      'diff --lode a/gone.txt b/gone.txt', '--- a/gone.txt', '+++ /dev/null', '@@ -1 +0,0 @@', '-bye',
      'diff --lode a/new.txt b/new.txt', '--- /dev/null', '+++ b/new.txt', '@@ -0,0 +1 @@', '+hello',
      'diff --lode a/poem.txt b/poem.txt', '--- a/poem.txt', '+++ b/poem.txt', '@@ -1,3 +1,3 @@', ' one', '-two', '+2', ' three',
    ];
    assert.deepEqual(r.stdout.split('\n').slice(0, -1), expected);
  });

  test('--name-status prints only the paths; --json keeps the path-level document', async () => {
    const r = await lode(['diff', 'd', 'main~1', 'main', '--name-status'], { store });
    assert.equal(r.code, 0, explain(r));
    assert.deepEqual(r.stdout.trim().split('\n'), ['+ big.txt', 'M data.bin', '- gone.txt', '+ new.txt', 'M poem.txt']);
    const j = await lodeJson<{ changes: { change: string; path: string }[] }>(['diff', 'd', 'main~1', 'main'], { store });
    assert.equal(j.run.code, 0, explain(j.run));
    assert.deepEqual(Object.keys(j.doc).sort(), ['arena', 'changes', 'from', 'to']);
    assert.deepEqual(j.doc.changes.map((c) => [c.change, c.path]), [['added', 'big.txt'], ['modified', 'data.bin'], ['removed', 'gone.txt'], ['added', 'new.txt'], ['modified', 'poem.txt']]);
  });

  test('no changes print nothing', async () => {
    const r = await lode(['diff', 'd', 'main', 'main'], { store });
    assert.equal(r.code, 0, explain(r));
    assert.equal(r.stdout, '');
  });
});

describe('lode log --graph and lode blame', () => {
  const dir = suiteDir('history-text-graph');
  const store = join(dir, 'store');
  const src = join(dir, 'src');
  const ids: string[] = [];
  let side = '';
  let merge = '';

  before(async () => {
    await mkdir(src, { recursive: true });
    for (const [content, message] of [['a\nb\n', 'one'], ['a\nB\n', 'two'], ['a\nB\nc\n', 'three']] as const) {
      await writeFile(join(src, 'poem.txt'), content);
      const r = await lode(['snapshot', src, '--arena', 'g', '-m', message], { store });
      assert.equal(r.code, 0, explain(r));
    }
    const { doc } = await lodeJson<LogDoc & { commits: { time: string }[] }>(['log', 'g'], { store });
    ids.push(...doc.commits.map((c) => c.id).reverse());
    const newest = Date.parse(doc.commits[0]!.time);
    // A side branch off the first commit, merged into main: the CLI makes no merges, so build it here.
    const s = await openStore(store);
    try {
      const first = await s.typed.getCommit(ids[0] as CommitId);
      side = await createCommit(s, { tree: first.tree, parents: [ids[0] as CommitId], message: 'side', time: newest + 1000 });
      const head = await s.typed.getCommit(ids[2] as CommitId);
      merge = await createCommit(s, { tree: head.tree, parents: [ids[2] as CommitId, side as CommitId], message: 'merge', time: newest + 2000 });
      await moveBranch(s, requireArena(s, 'g').id, 'main', merge as CommitId, { command: 'test', reason: 'plant a merge' });
    } finally {
      await s.close();
    }
  });

  test('log --graph draws the merge beside the commits; plain log is unchanged', async () => {
    const r = await lode(['log', 'g', '--graph'], { store });
    assert.equal(r.code, 0, explain(r));
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/ [0-9a-f]{12} .*$/, '')), ['*', '|\\', '| *', '* |', '* |', '|/', '*']);
    const named = lines.filter((l) => / [0-9a-f]{12} /.test(l)).map((l) => / ([0-9a-f]{12}) /.exec(l)![1]);
    assert.deepEqual(named, [merge, side, ids[2], ids[1], ids[0]].map((id) => id!.slice(0, 12)));
    assert.ok(lines[2]!.endsWith('side'), r.stdout);
    const plain = await lode(['log', 'g'], { store });
    assert.equal(plain.stdout.trimEnd().split('\n').length, 5);
    assert.ok(plain.stdout.startsWith(merge.slice(0, 12)), plain.stdout);
  });

  test('blame names the commit that last changed each line, along first parents', async () => {
    const r = await lode(['blame', 'g', 'poem.txt'], { store });
    assert.equal(r.code, 0, explain(r));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    for (const [i, [id, text]] of ([[ids[0], 'a'], [ids[1], 'B'], [ids[2], 'c']] as const).entries()) {
      assert.ok(lines[i]!.startsWith(`${id!.slice(0, 12)} `), r.stdout);
      assert.ok(lines[i]!.endsWith(` ${i + 1}) ${text}`), r.stdout);
    }
    const j = await lodeJson<{ line: number; commit: string; text: string }[]>(['blame', 'g@main~2', 'poem.txt'], { store });
    assert.equal(j.run.code, 0, explain(j.run));
    assert.deepEqual(j.doc, [{ line: 1, commit: ids[0], text: 'a\n' }, { line: 2, commit: ids[1], text: 'B\n' }]);
    const missing = await lode(['blame', 'g', 'nope.txt'], { store });
    assert.equal(errorCodeOf(missing), 'NO_SUCH_PATH', explain(missing));
  });
});
