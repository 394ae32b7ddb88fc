import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { moveBranch } from './refs.ts';
import { resolveRevision } from './revisions.ts';
import { commit, tree } from './testing/fixtures.ts';

const how = { command: 'lode test', reason: 'test' };

/** c0 <- c1 <- c2 <- m (main), and s0 <- s1 (side) merged by m as its second parent. */
async function setup() {
  const store = memoryStore();
  const arena = await createArena(store, 'photos');
  const c0 = await commit(store, 'c0');
  const c1 = await commit(store, 'c1', [c0]);
  const c2 = await commit(store, 'c2', [c1]);
  const s0 = await commit(store, 's0');
  const s1 = await commit(store, 's1', [s0]);
  const m = await commit(store, 'm', [c2, s1]);
  await moveBranch(store, arena.id, 'main', m, how);
  await moveBranch(store, arena.id, 'side', s1, how);
  return { store, arena, c0, c1, c2, s0, s1, m };
}

test('branch names, full ids and suffixes resolve', async () => {
  const { store, arena, c0, c1, c2, s0, s1, m } = await setup();
  const cases: [string | undefined, CommitId][] = [
    [undefined, m], ['main', m], ['side', s1], [m, m], [c1, c1],
    ['main~', c2], ['main~1', c2], ['main^', c2], ['main^1', c2], ['main~0', m], ['main^0', m],
    ['main^2', s1], ['main^2~1', s0], ['main^2^', s0], ['main~3', c0], ['main~2^', c0], ['main~~~', c0],
    [`${m}~2`, c1], [`${c2.slice(0, 12)}~1`, c1],
  ];
  for (const [rev, want] of cases) assert.equal(await resolveRevision(store, arena, rev), want, String(rev));
});

test('a unique hex prefix of 4 or more digits resolves to its commit', async () => {
  const { store, arena, c1 } = await setup();
  for (const n of [63, 20, 8]) assert.equal(await resolveRevision(store, arena, c1.slice(0, n)), c1);
});

test('a branch name wins over an id prefix that spells the same', async () => {
  const { store, arena, c0, c1 } = await setup();
  const prefix = c1.slice(0, 8);
  await moveBranch(store, arena.id, prefix, c0, how);
  assert.equal(await resolveRevision(store, arena, prefix), c0);
});

test('an ambiguous prefix is an error that lists the candidates', async () => {
  const { store, arena } = await setup();
  // Make commits until two share their first four hex digits (about 300 are needed on average).
  const byPrefix = new Map<string, CommitId>();
  let pair: [CommitId, CommitId] | undefined;
  for (let i = 0; pair === undefined; i++) {
    const id = await commit(store, `filler ${i}`);
    const seen = byPrefix.get(id.slice(0, 4));
    if (seen !== undefined && seen !== id) pair = [seen, id];
    byPrefix.set(id.slice(0, 4), id);
  }
  const err = await resolveRevision(store, arena, pair[0].slice(0, 4)).catch((e: unknown) => e);
  assert.equal((err as { code: string }).code, 'AMBIGUOUS_REVISION');
  for (const id of pair) assert.ok((err as Error).message.includes(id), 'the message names each candidate');
  // A longer prefix separates them, unless they share it too.
  let n = 5;
  while (pair[0].slice(0, n) === pair[1].slice(0, n)) n++;
  assert.equal(await resolveRevision(store, arena, pair[1].slice(0, n)), pair[1]);
});

test('unknown revisions', async () => {
  const { store, arena } = await setup();
  const root = await tree(store, []);
  for (const rev of ['nope', 'feature/x', 'ffff', 'abc', 'ee'.repeat(32), root, root.slice(0, 10), 'nope~1']) {
    await assert.rejects(resolveRevision(store, arena, rev), { code: 'UNKNOWN_REVISION' }, rev);
  }
});

test('walking past the root is NO_PARENT', async () => {
  const { store, arena } = await setup();
  for (const rev of ['main~4', 'main~999', 'main^3', 'main~1^2', 'side~2']) {
    await assert.rejects(resolveRevision(store, arena, rev), { code: 'NO_PARENT' }, rev);
  }
});

test('bad revision syntax', async () => {
  const { store, arena } = await setup();
  for (const rev of ['', '~1', '^', 'main~x', 'main~1a', 'main~-1', 'main^^x', 'a..b', 'a b', 'main@{1}', 'main:path', 'main~1234567890', '.hidden']) {
    await assert.rejects(resolveRevision(store, arena, rev), { code: 'BAD_REVISION' }, JSON.stringify(rev));
  }
});

test('an arena with no branches is EMPTY_ARENA for branch names', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'empty');
  for (const rev of [undefined, 'main', 'main~1', 'other']) {
    await assert.rejects(resolveRevision(store, arena, rev), { code: 'EMPTY_ARENA' }, String(rev));
  }
});
