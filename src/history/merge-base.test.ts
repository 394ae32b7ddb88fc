import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CommitId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { isAncestor, mergeBases } from './merge-base.ts';
import { commit } from './testing/fixtures.ts';

/** Brute force from the definition: common ancestors minus those that are a proper ancestor of another. */
function bruteForceBases(parents: number[][], a: number, b: number): number[] {
  const ancestors = (x: number): Set<number> => {
    const seen = new Set<number>([x]);
    const stack = [x];
    while (stack.length > 0) for (const p of parents[stack.pop()!]!) if (!seen.has(p)) { seen.add(p); stack.push(p); }
    return seen;
  };
  const ofB = ancestors(b);
  const common = [...ancestors(a)].filter((x) => ofB.has(x));
  return common.filter((c) => !common.some((d) => d !== c && ancestors(d).has(c)));
}

const sorted = (ids: CommitId[]): CommitId[] => [...ids].sort();

// A DAG as, for each commit i, its parents among commits 0..i-1, plus each commit's time.
const dagArb = fc.integer({ min: 1, max: 40 }).chain((n) => fc.record({
  parents: fc.tuple(...Array.from({ length: n }, (_, i) => i === 0
    ? fc.constant<number[]>([])
    : fc.oneof(
      { weight: 1, arbitrary: fc.constant<number[]>([]) },
      { weight: 6, arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { minLength: 1, maxLength: Math.min(3, i) }) },
    ))),
  // Mostly increasing times, with some skew: a parent may be newer than its child, and times may tie.
  times: fc.tuple(...Array.from({ length: n }, (_, i) => fc.oneof(
    { weight: 3, arbitrary: fc.constant(i * 10) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }) },
    { weight: 1, arbitrary: fc.constant(5) },
  ))),
  a: fc.nat(n - 1),
  b: fc.nat(n - 1),
}));

test('mergeBases: matches the brute-force definition on random DAGs with skewed clocks', async () => {
  await fc.assert(fc.asyncProperty(dagArb, async ({ parents, times, a, b }) => {
    const store = memoryStore();
    const ids: CommitId[] = [];
    for (let i = 0; i < parents.length; i++) {
      ids.push(await commit(store, `c${i}`, parents[i]!.map((p) => ids[p]!), times[i]!));
    }
    const expected = sorted(bruteForceBases(parents, a, b).map((i) => ids[i]!));
    assert.deepEqual(await mergeBases(store, ids[a]!, ids[b]!), expected);
    assert.deepEqual(await mergeBases(store, ids[b]!, ids[a]!), expected);
    const aUnderB = bruteForceBases(parents, a, b).includes(a);
    assert.equal(await isAncestor(store, ids[a]!, ids[b]!), aUnderB);
  }), { numRuns: 300 });
});

async function chain(store: Store, from: CommitId[], name: string, length: number, time: number): Promise<CommitId> {
  let head = await commit(store, `${name}0`, from, time);
  for (let i = 1; i < length; i++) head = await commit(store, `${name}${i}`, [head], time + i);
  return head;
}

test('mergeBases: hand cases', async (t) => {
  const store = memoryStore();
  const r = await commit(store, 'r', [], 100);
  const x = await commit(store, 'x', [r], 200);
  const y = await commit(store, 'y', [x], 300);

  await t.test('linear: the older commit', async () => {
    assert.deepEqual(await mergeBases(store, y, x), [x]);
    assert.deepEqual(await mergeBases(store, x, y), [x]);
    assert.equal(await isAncestor(store, x, y), true);
    assert.equal(await isAncestor(store, y, x), false);
  });

  await t.test('a == b: itself', async () => {
    assert.deepEqual(await mergeBases(store, y, y), [y]);
    assert.equal(await isAncestor(store, y, y), true);
  });

  await t.test('forked branches: the fork point', async () => {
    const p = await chain(store, [x], 'p', 3, 400);
    const q = await chain(store, [x], 'q', 5, 400);
    assert.deepEqual(await mergeBases(store, p, q), [x]);
    assert.equal(await isAncestor(store, p, q), false);
  });

  await t.test('criss-cross: both bases', async () => {
    //   b1 <- m1(b1, c1)      c1 <- m2(c1, b1), both forked from x
    const b1 = await commit(store, 'b1', [x], 500);
    const c1 = await commit(store, 'c1', [x], 510);
    const m1 = await commit(store, 'm1', [b1, c1], 600);
    const m2 = await commit(store, 'm2', [c1, b1], 610);
    assert.deepEqual(await mergeBases(store, m1, m2), sorted([b1, c1]));
  });

  await t.test('a common ancestor newer than its descendant (skew) is not returned', async () => {
    const old = await commit(store, 'old', [x], 9_000); // newer clock than everything below it
    const mid = await commit(store, 'mid', [old], 50);
    const s1 = await commit(store, 's1', [mid, old], 60); // the walk reaches `old` with both paints first
    const s2 = await commit(store, 's2', [mid, old], 70);
    assert.deepEqual(await mergeBases(store, s1, s2), [mid]);
  });

  await t.test('unrelated roots: none', async () => {
    const other = await commit(store, 'other-root', [], 100);
    const o1 = await commit(store, 'o1', [other], 200);
    assert.deepEqual(await mergeBases(store, o1, y), []);
    assert.equal(await isAncestor(store, other, y), false);
  });

  await t.test('a missing commit is the store\'s NOT_FOUND', async () => {
    await assert.rejects(mergeBases(store, 'ee'.repeat(32) as CommitId, y), { code: 'NOT_FOUND' });
    await assert.rejects(mergeBases(store, y, 'ee'.repeat(32) as CommitId), { code: 'NOT_FOUND' });
  });
});

test('mergeBases: two branches over a 10,000-commit history (time printed, not asserted)', async () => {
  const store = memoryStore();
  let t = Date.now();
  const trunk = await chain(store, [], 't', 9_000, 0);
  const left = await chain(store, [trunk], 'l', 500, 10_000);
  const right = await chain(store, [trunk], 'r', 500, 10_000);
  const built = Date.now() - t;
  t = Date.now();
  const bases = await mergeBases(store, left, right);
  const walked = Date.now() - t;
  assert.deepEqual(bases, [trunk]);
  t = Date.now();
  const other = await commit(store, 'unrelated', [], 20_000);
  assert.deepEqual(await mergeBases(store, left, other), []);
  const unrelated = Date.now() - t;
  t = Date.now();
  assert.equal(await isAncestor(store, trunk, left), true);
  const ancestor = Date.now() - t;
  console.log(`merge-base over 10,000 commits: built in ${built} ms, fork point ${walked} ms, `
    + `unrelated (full walk) ${unrelated} ms, isAncestor ${ancestor} ms`);
});
