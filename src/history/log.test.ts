import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { LOG_BATCH, walkLog, walkLogBatches } from './log.ts';
import { commit } from './testing/fixtures.ts';

async function collect(it: AsyncIterable<{ id: CommitId }>): Promise<CommitId[]> {
  const out: CommitId[] = [];
  for await (const { id } of it) out.push(id);
  return out;
}

test('walkLog: a DAG with merges, newest first, each commit once', async () => {
  const store = memoryStore();
  //   r(1) <- a(2) <- b(4) <------- m(6) <- n(7, merges m and z)
  //      \<- x(3) <- y(5) <--------/
  //      \<- z(2.5)
  const r = await commit(store, 'r', [], 1000);
  const a = await commit(store, 'a', [r], 2000);
  const x = await commit(store, 'x', [r], 3000);
  const z = await commit(store, 'z', [r], 2500);
  const b = await commit(store, 'b', [a], 4000);
  const y = await commit(store, 'y', [x], 5000);
  const m = await commit(store, 'm', [b, y], 6000);
  const n = await commit(store, 'n', [m, z], 7000);
  assert.deepEqual(await collect(walkLog(store, n)), [n, m, y, b, x, z, a, r]);
  assert.deepEqual(await collect(walkLog(store, y)), [y, x, r]);
  assert.deepEqual(await collect(walkLog(store, n, { limit: 3 })), [n, m, y]);
  assert.deepEqual(await collect(walkLog(store, n, { limit: 0 })), []);
  const items: { id: CommitId; commit: { message: string } }[] = [];
  for await (const item of walkLog(store, m)) items.push(item);
  assert.deepEqual(items.map((i) => i.commit.message), ['m', 'y', 'b', 'x', 'a', 'r']);
});

test('walkLog: equal times order by id, larger first; a parent newer than its child still comes after it', async () => {
  const store = memoryStore();
  const root = await commit(store, 'root', [], 9000);
  const p = await commit(store, 'p', [root], 5000);
  const q = await commit(store, 'q', [root], 5000);
  const top = await commit(store, 'top', [p, q], 1000);
  const [first, second] = p > q ? [p, q] : [q, p];
  // The root (9000) is newer than p and q, but it enters the frontier only once one of its children is walked.
  assert.deepEqual(await collect(walkLog(store, top)), [top, first, root, second]);
});

test('walkLog: a missing start or parent is the store\'s NOT_FOUND', async () => {
  const store = memoryStore();
  await assert.rejects(collect(walkLog(store, 'ee'.repeat(32) as CommitId)), { code: 'NOT_FOUND' });
});

test('walkLog: 10,000 commits in a chain (time printed, not asserted)', async () => {
  const store = memoryStore();
  let head = await commit(store, 'c0', [], 0);
  const ids = [head];
  let t = Date.now();
  for (let i = 1; i < 10_000; i++) ids.push((head = await commit(store, `c${i}`, [head], i)));
  const built = Date.now() - t;
  t = Date.now();
  const walked = await collect(walkLog(store, head));
  const took = Date.now() - t;
  console.log(`# walkLog: 10,000-commit chain walked in ${took} ms (built in ${built} ms)`);
  assert.equal(walked.length, 10_000);
  assert.deepEqual(walked, ids.reverse());
});

test('walkLog: a wide DAG (1,000 branches off the root, merged one by one) comes out in time order, each once', async () => {
  const store = memoryStore();
  const root = await commit(store, 'root', [], 0);
  let head = root;
  for (let i = 1; i <= 1000; i++) {
    const side = await commit(store, `side ${i}`, [root], 2 * i);
    head = await commit(store, `merge ${i}`, [head, side], 2 * i + 1);
  }
  const times: number[] = [];
  for await (const { commit: c } of walkLog(store, head)) times.push(c.time);
  assert.equal(times.length, 2001);
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('walkLogBatches: the same order as walkLog, in batches of at most LOG_BATCH, limit included', async () => {
  const store = memoryStore();
  const root = await commit(store, 'root', [], 0);
  let head = root;
  for (let i = 1; i <= 300; i++) {
    const side = await commit(store, `side ${i}`, [root], 2 * i);
    head = await commit(store, `merge ${i}`, [head, side], 2 * i + 1);
  }
  const all = await collect(walkLog(store, head));
  assert.equal(all.length, 601);
  for (const limit of [undefined, 1, LOG_BATCH, LOG_BATCH + 1, 600]) {
    const batches: CommitId[][] = [];
    for await (const b of walkLogBatches(store, head, limit === undefined ? {} : { limit })) batches.push(b.map((x) => x.id));
    assert.ok(batches.every((b) => b.length > 0 && b.length <= LOG_BATCH), `batch sizes ${batches.map((b) => b.length).join(',')}`);
    assert.deepEqual(batches.flat(), all.slice(0, limit ?? all.length));
  }
});
