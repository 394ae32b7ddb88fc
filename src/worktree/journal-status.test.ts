// Status with a change journal: the walk mark, no walk when nothing changed, a walk of only the named
// directories (the rest kept from the last tree), and the same tree as a walk of everything.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ArenaId, TreeId } from '../core/index.ts';
import { createArena } from '../history/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { snapshotTree } from './snapshot.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';
import { decodeWalkMark, encodeWalkMark, readWalkMark, type ChangeSource } from './walk-mark.ts';
import { worktreeStatus } from './worktree-status.ts';

interface Setup { store: Store; root: string; arena: ArenaId; head: TreeId }

async function setup(): Promise<Setup> {
  const store = memoryStore();
  const arena = (await createArena(store, 'a')).id;
  const root = tempDir('journal-status');
  for (const d of ['one/deep', 'two/deep', 'three']) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const f of ['top.txt', 'one/a.txt', 'one/deep/b.txt', 'two/c.txt', 'two/deep/d.txt', 'three/e.txt']) fs.writeFileSync(path.join(root, f), `${f}\n`);
  fs.mkdirSync(path.join(root, '.lode'));
  const head = (await snapshotTree(store, { source: root, arena, skipAtRoot: ['.lode'], racyWindowMs: 0 })).tree;
  return { store, root, arena, head };
}

/** A journal that answers from a script, and records the tokens it was asked about. */
function scripted(answers: ({ token: string; dirs: string[] | null } | undefined)[]): { source: ChangeSource; asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  return { asked, source: async (since) => { asked.push(since); return answers.shift(); } };
}

/** The tree a walk of everything finds, with its own empty cache (another store sharing the objects is not needed: same content, same id). */
async function fullTree(root: string, arena: ArenaId): Promise<TreeId> {
  return (await snapshotTree(memoryStore(), { source: root, arena, skipAtRoot: ['.lode'], racyWindowMs: 0 })).tree;
}

test('walk mark: round-trips, and a damaged or foreign row is no mark', () => {
  const mark = { token: 'abc:12', tree: 'ab'.repeat(32) as TreeId };
  const raw = encodeWalkMark(mark);
  assert.deepEqual(decodeWalkMark(raw), mark);
  for (let i = 0; i < raw.length; i++) {
    const bad = Uint8Array.from(raw);
    bad[i]! ^= 1;
    assert.equal(decodeWalkMark(bad), undefined, `byte ${i} flipped`);
  }
  assert.equal(decodeWalkMark(raw.subarray(0, raw.length - 1)), undefined);
});

test('journal status: unknown → full walk and a mark; nothing changed → no walk; named dirs → only they are walked', async () => {
  const { store, root, arena, head } = await setup();
  try {
    const j = scripted([
      { token: 'j:1', dirs: null },
      { token: 'j:2', dirs: [] },
      { token: 'j:3', dirs: ['two/deep'] },
      { token: 'j:4', dirs: ['one', 'new', 'new/inner'] },
    ]);
    const opts = { racyWindowMs: 0, changes: j.source };
    const s1 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.deepEqual([s1.walk, s1.changes, s1.tree], ['full', [], head]);
    assert.deepEqual(readWalkMark(store, arena, root), { token: 'j:1', tree: head });

    // The journal is the authority: a change it does not name is not looked for.
    fs.writeFileSync(path.join(root, 'two', 'deep', 'd.txt'), 'changed\n');
    const s2 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.deepEqual([s2.walk, s2.changes, s2.stats.dirs], ['none', [], 0]);

    const s3 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.equal(s3.walk, 'partial');
    assert.deepEqual(s3.changes.map((c) => [c.change, c.path]), [['modified', 'two/deep/d.txt']]);
    assert.equal(s3.tree, await fullTree(root, arena));
    assert.ok(s3.stats.dirs < 5, `only the changed dir and its ancestors are listed (${s3.stats.dirs} dirs)`);
    assert.deepEqual(readWalkMark(store, arena, root), { token: 'j:3', tree: s3.tree });

    fs.rmSync(path.join(root, 'one', 'a.txt'));
    fs.mkdirSync(path.join(root, 'new', 'inner'), { recursive: true });
    fs.writeFileSync(path.join(root, 'new', 'inner', 'f.txt'), 'f\n');
    const s4 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.equal(s4.walk, 'partial');
    assert.deepEqual(s4.changes.map((c) => [c.change, c.path]), [['added', 'new/inner/f.txt'], ['deleted', 'one/a.txt'], ['modified', 'two/deep/d.txt']]);
    assert.equal(s4.tree, await fullTree(root, arena));
    assert.deepEqual(j.asked, [undefined, 'j:1', 'j:1', 'j:3'], 'each question names the token of the last walk');
  } finally {
    removeDir(root);
  }
});

test('journal status: a kept directory whose mtime moved is listed anyway, and a walk with problems drops the mark', async () => {
  const { store, root, arena, head } = await setup();
  try {
    const j = scripted([{ token: 'j:1', dirs: null }, { token: 'j:2', dirs: ['one'] }, { token: 'j:3', dirs: ['three'] }]);
    const opts = { racyWindowMs: 0, changes: j.source };
    await worktreeStatus(store, { root, arena }, head, opts);
    // A journal that missed this (it cannot, but the walk does not rely on it): 'two' gained a name, so its mtime moved.
    fs.writeFileSync(path.join(root, 'two', 'missed.txt'), 'missed\n');
    // The kernel's coarse clock may not have ticked since 'two' was made: set its mtime apart, as time would.
    fs.utimesSync(path.join(root, 'two'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const s2 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.deepEqual(s2.changes.map((c) => [c.change, c.path]), [['added', 'two/missed.txt']]);
    assert.equal(s2.tree, await fullTree(root, arena));

    assert.deepEqual(readWalkMark(store, arena, root), { token: 'j:2', tree: s2.tree });
    // A name that is not UTF-8 is a problem (skipped): the next walk must look at it again, so no mark.
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'three', 'bad-')), Buffer.from([0xff])]), 'x');
    const s3 = await worktreeStatus(store, { root, arena }, head, opts);
    assert.equal(s3.walk, 'partial');
    assert.deepEqual(s3.problems.map((p) => p.code), ['BAD_NAME']);
    assert.equal(readWalkMark(store, arena, root), undefined, 'a walk with problems leaves no mark');
  } finally {
    removeDir(root);
  }
});
