// Tests merge plans (up to date, fast-forward, three-way, unrelated, criss-cross), merge commits on a
// branch, and reverts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId, FileEntry, TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { createCommit } from './commits.ts';
import { listConflicts } from './conflicts.ts';
import { mergeBases } from './merge-base.ts';
import { mergeCommit, planMerge, revertCommit } from './merge-commits.ts';
import { walkTree } from './paths.ts';
import { getBranch, moveBranch } from './refs.ts';
import { readReflog } from './reflog.ts';
import { editTree } from './tree-edit.ts';
import { mergeTrees } from './tree-merge.ts';
import { file } from './testing/fixtures.ts';

type Files = Record<string, string>;

async function treeOf(store: Store, files: Files): Promise<TreeId> {
  const edits = new Map<string, TreeEntry | null>();
  for (const [path, text] of Object.entries(files)) edits.set(path, await file(store, 'x', text));
  return editTree(store, undefined, edits);
}

let clock = 1_000;
async function commitFiles(store: Store, files: Files, parents: CommitId[] = [], message = 'change'): Promise<CommitId> {
  return createCommit(store, { tree: await treeOf(store, files), parents, message, time: (clock += 1_000) });
}

async function filesOf(store: Store, tree: TreeId): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const { path, entry } of walkTree(store, tree)) {
    if (entry.kind === 'file') {
      const parts: Uint8Array[] = [];
      for await (const p of store.blobs.read((entry as FileEntry).blob)) parts.push(p);
      out[path] = Buffer.concat(parts).toString();
    } else if (entry.kind === 'conflict') {
      out[path] = '<conflict>';
    }
  }
  return out;
}

async function filesAt(store: Store, commit: CommitId): Promise<Record<string, string>> {
  return filesOf(store, (await store.typed.getCommit(commit)).tree);
}

/** root -> ours and root -> theirs, each changing its own file. */
async function forked(store: Store) {
  const root = await commitFiles(store, { f: 'r\n', g: 'r\n' });
  const ours = await commitFiles(store, { f: 'ours\n', g: 'r\n' }, [root]);
  const theirs = await commitFiles(store, { f: 'r\n', g: 'theirs\n' }, [root]);
  return { root, ours, theirs };
}

test('planMerge: up to date when theirs is an ancestor of ours or the same commit', async () => {
  const store = memoryStore();
  const { root, ours } = await forked(store);
  assert.deepEqual(await planMerge(store, ours, root), { kind: 'up-to-date' });
  assert.deepEqual(await planMerge(store, ours, ours), { kind: 'up-to-date' });
});

test('planMerge: fast-forward when ours is an ancestor of theirs, or unborn', async () => {
  const store = memoryStore();
  const { root, theirs } = await forked(store);
  assert.deepEqual(await planMerge(store, root, theirs), { kind: 'fast-forward', to: theirs });
  assert.deepEqual(await planMerge(store, undefined, theirs), { kind: 'fast-forward', to: theirs });
});

test('planMerge: diverged heads merge three-way from their merge base', async () => {
  const store = memoryStore();
  const { root, ours, theirs } = await forked(store);
  const plan = await planMerge(store, ours, theirs);
  assert.equal(plan.kind, 'merge');
  if (plan.kind !== 'merge') return;
  assert.deepEqual(plan.base, [root]);
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(await filesOf(store, plan.tree), { f: 'ours\n', g: 'theirs\n' });
});

test('planMerge refuses unrelated histories unless allowed, then merges from an empty base', async () => {
  const store = memoryStore();
  const a = await commitFiles(store, { shared: 'a\n', onlyA: 'a\n' });
  const b = await commitFiles(store, { shared: 'b\n', onlyB: 'b\n' });
  await assert.rejects(planMerge(store, a, b), { code: 'UNRELATED_HISTORIES' });
  const plan = await planMerge(store, a, b, { allowUnrelated: true });
  assert.equal(plan.kind, 'merge');
  if (plan.kind !== 'merge') return;
  assert.deepEqual(plan.base, []);
  assert.deepEqual(plan.conflicts, ['shared']);
  assert.deepEqual(await filesOf(store, plan.tree), { onlyA: 'a\n', onlyB: 'b\n', shared: '<conflict>' });
});

test('criss-cross: several merge bases are merged into a virtual base first', async () => {
  const store = memoryStore();
  const root = await commitFiles(store, { f1: 'r\n', f2: 'r\n' });
  const a = await commitFiles(store, { f1: 'a\n', f2: 'r\n' }, [root]);
  const b = await commitFiles(store, { f1: 'r\n', f2: 'b\n' }, [root]);
  const x = await commitFiles(store, { f1: 'a\n', f2: 'b\n' }, [a, b]);
  const y = await commitFiles(store, { f1: 'a\n', f2: 'b\n' }, [b, a]);
  const ours = await commitFiles(store, { f1: 'ours\n', f2: 'b\n' }, [x]);
  const theirs = await commitFiles(store, { f1: 'a\n', f2: 'theirs\n' }, [y]);
  assert.deepEqual(await mergeBases(store, ours, theirs), [a, b].sort());
  // Either base alone would conflict: from a, f2 changed on both sides; from b, f1 did.
  for (const single of [a, b]) {
    const baseTree = (await store.typed.getCommit(single)).tree;
    const oursTree = (await store.typed.getCommit(ours)).tree;
    const theirsTree = (await store.typed.getCommit(theirs)).tree;
    assert.equal((await mergeTrees(store, baseTree, oursTree, theirsTree)).conflicts.length, 1);
  }
  const plan = await planMerge(store, ours, theirs);
  assert.equal(plan.kind, 'merge');
  if (plan.kind !== 'merge') return;
  assert.deepEqual(plan.base, [a, b].sort());
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(await filesOf(store, plan.tree), { f1: 'ours\n', f2: 'theirs\n' });
});

test('criss-cross whose bases conflict: sides that settled it the same way merge cleanly', async () => {
  const store = memoryStore();
  const root = await commitFiles(store, { f: 'r\n' });
  const a = await commitFiles(store, { f: 'a\n' }, [root]);
  const b = await commitFiles(store, { f: 'b\n' }, [root]);
  const x = await commitFiles(store, { f: 'settled\n' }, [a, b]);
  const y = await commitFiles(store, { f: 'settled\n' }, [b, a]);
  const ours = await commitFiles(store, { f: 'settled\n', o: 'o\n' }, [x]);
  const theirs = await commitFiles(store, { f: 'settled\n', t: 't\n' }, [y]);
  const plan = await planMerge(store, ours, theirs);
  assert.equal(plan.kind, 'merge');
  if (plan.kind !== 'merge') return;
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(await filesOf(store, plan.tree), { f: 'settled\n', o: 'o\n', t: 't\n' });
});

test('criss-cross with three merge bases', async () => {
  const store = memoryStore();
  const root = await commitFiles(store, { f1: 'r\n', f2: 'r\n', f3: 'r\n' });
  const a = await commitFiles(store, { f1: 'a\n', f2: 'r\n', f3: 'r\n' }, [root]);
  const b = await commitFiles(store, { f1: 'r\n', f2: 'b\n', f3: 'r\n' }, [root]);
  const c = await commitFiles(store, { f1: 'r\n', f2: 'r\n', f3: 'c\n' }, [root]);
  const all = { f1: 'a\n', f2: 'b\n', f3: 'c\n' };
  const x = await commitFiles(store, all, [a, b, c]);
  const y = await commitFiles(store, all, [c, b, a]);
  const ours = await commitFiles(store, { ...all, f1: 'ours\n' }, [x]);
  const theirs = await commitFiles(store, { ...all, f3: 'theirs\n' }, [y]);
  const plan = await planMerge(store, ours, theirs);
  assert.equal(plan.kind, 'merge');
  if (plan.kind !== 'merge') return;
  assert.equal(plan.base.length, 3);
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(await filesOf(store, plan.tree), { f1: 'ours\n', f2: 'b\n', f3: 'theirs\n' });
});

test('mergeCommit fast-forwards, does nothing when up to date, and makes merge commits', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const { root, ours, theirs } = await forked(store);
  await moveBranch(store, arena.id, 'main', root, { command: 'test', reason: 'start' });
  const ff = await mergeCommit(store, arena.id, 'main', ours, { command: 'lode merge' });
  assert.deepEqual(ff, { plan: { kind: 'fast-forward', to: ours }, commit: ours });
  assert.equal(getBranch(store, arena.id, 'main'), ours);
  assert.deepEqual(await mergeCommit(store, arena.id, 'main', root, { command: 'lode merge' }), { plan: { kind: 'up-to-date' } });

  const merged = await mergeCommit(store, arena.id, 'main', theirs, { command: 'lode merge' });
  assert.equal(merged.plan.kind, 'merge');
  assert.ok(merged.commit !== undefined);
  assert.equal(getBranch(store, arena.id, 'main'), merged.commit);
  const c = await store.typed.getCommit(merged.commit);
  assert.deepEqual(c.parents, [ours, theirs]);
  assert.equal(c.message, `merge ${theirs.slice(0, 12)}`);
  assert.deepEqual(await filesAt(store, merged.commit), { f: 'ours\n', g: 'theirs\n' });
  const log = readReflog(store, arena.id, 'main');
  assert.equal(log[0]?.command, 'lode merge');
  assert.equal(log[0]?.new, merged.commit);
});

test('mergeCommit onto an unborn branch fast-forwards; with fastForward false it still makes a merge commit', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const { root, ours } = await forked(store);
  assert.equal((await mergeCommit(store, arena.id, 'new', root, { command: 'lode merge', fastForward: false })).commit, root);
  const noFf = await mergeCommit(store, arena.id, 'new', ours, { command: 'lode merge', fastForward: false, message: 'bring in ours' });
  assert.ok(noFf.commit !== undefined && noFf.commit !== ours);
  const c = await store.typed.getCommit(noFf.commit);
  assert.deepEqual([c.parents, c.message, c.tree], [[root, ours], 'bring in ours', (await store.typed.getCommit(ours)).tree]);
});

test('mergeCommit records conflicts in the merge commit itself', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const root = await commitFiles(store, { f: 'r\n' });
  const ours = await commitFiles(store, { f: 'ours\n' }, [root]);
  const theirs = await commitFiles(store, { f: 'theirs\n' }, [root]);
  await moveBranch(store, arena.id, 'main', ours, { command: 'test', reason: 'start' });
  const { plan, commit } = await mergeCommit(store, arena.id, 'main', theirs, { command: 'lode merge' });
  assert.equal(plan.kind === 'merge' && plan.conflicts.join(), 'f');
  const listed = await listConflicts(store, (await store.typed.getCommit(commit!)).tree);
  assert.deepEqual(listed.map((c) => c.path), ['f']);
});

test('mergeCommit refuses unrelated histories unless allowed', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const a = await commitFiles(store, { a: 'a\n' });
  const b = await commitFiles(store, { b: 'b\n' });
  await moveBranch(store, arena.id, 'main', a, { command: 'test', reason: 'start' });
  await assert.rejects(mergeCommit(store, arena.id, 'main', b, { command: 'lode merge' }), { code: 'UNRELATED_HISTORIES' });
  assert.equal(getBranch(store, arena.id, 'main'), a);
  const { commit } = await mergeCommit(store, arena.id, 'main', b, { command: 'lode merge', allowUnrelated: true });
  assert.deepEqual(await filesAt(store, commit!), { a: 'a\n', b: 'b\n' });
});

test('revertCommit undoes a change and keeps later ones', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const c1 = await commitFiles(store, { f: lines(1, 2, 3, 4, 5) }, [], 'first');
  const c2 = await commitFiles(store, { f: lines(1, 'two', 3, 4, 5), added: 'x\n' }, [c1], 'second\n\nwith a body');
  const c3 = await commitFiles(store, { f: lines(1, 'two', 3, 4, 'five'), added: 'x\n', later: 'l\n' }, [c2], 'third');
  await moveBranch(store, arena.id, 'main', c3, { command: 'test', reason: 'start' });
  const { commit, conflicts } = await revertCommit(store, arena.id, 'main', c2, { command: 'lode revert' });
  assert.deepEqual(conflicts, []);
  assert.equal(getBranch(store, arena.id, 'main'), commit);
  const c = await store.typed.getCommit(commit);
  assert.deepEqual(c.parents, [c3]);
  assert.equal(c.message, `revert ${c2.slice(0, 12)}: second`);
  assert.deepEqual(await filesAt(store, commit), { f: lines(1, 2, 3, 4, 'five'), later: 'l\n' });
});

test('reverting a change that was overwritten since conflicts, and the conflict is committed', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const c1 = await commitFiles(store, { f: 'one\n' });
  const c2 = await commitFiles(store, { f: 'two\n' }, [c1]);
  const c3 = await commitFiles(store, { f: 'three\n' }, [c2]);
  await moveBranch(store, arena.id, 'main', c3, { command: 'test', reason: 'start' });
  const { commit, conflicts } = await revertCommit(store, arena.id, 'main', c2, { command: 'lode revert' });
  assert.deepEqual(conflicts, ['f']);
  const [listed] = await listConflicts(store, (await store.typed.getCommit(commit)).tree);
  assert.equal(listed?.path, 'f');
  assert.equal(getBranch(store, arena.id, 'main'), commit);
});

test('revertCommit of a root commit removes what it added; a merge commit needs a mainline', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'docs');
  const { ours, theirs } = await forked(store);
  await moveBranch(store, arena.id, 'main', ours, { command: 'test', reason: 'start' });
  const merged = await mergeCommit(store, arena.id, 'main', theirs, { command: 'lode merge' });
  await assert.rejects(revertCommit(store, arena.id, 'main', merged.commit!, { command: 'lode revert' }), { code: 'REVERT_MERGE' });
  await assert.rejects(revertCommit(store, arena.id, 'main', merged.commit!, { command: 'lode revert', mainline: 3 }), { code: 'BAD_MAINLINE' });
  const undone = await revertCommit(store, arena.id, 'main', merged.commit!, { command: 'lode revert', mainline: 1 });
  assert.deepEqual(await filesAt(store, undone.commit), { f: 'ours\n', g: 'r\n' }, 'back to the first parent\'s side');

  const other = await createArena(store, 'other');
  const only = await commitFiles(store, { a: 'a\n' });
  const next = await commitFiles(store, { a: 'a\n', b: 'b\n' }, [only]);
  await moveBranch(store, other.id, 'main', next, { command: 'test', reason: 'start' });
  const { commit } = await revertCommit(store, other.id, 'main', only, { command: 'lode revert' });
  assert.deepEqual(await filesAt(store, commit), { b: 'b\n' });
  await assert.rejects(revertCommit(store, other.id, 'nope', only, { command: 'lode revert' }), { code: 'NO_SUCH_BRANCH' });
});

function lines(...items: (string | number)[]): string {
  return items.map((s) => `${s}\n`).join('');
}
