import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { blake3Hex, type Hash } from '../core/index.ts';
import { BlobHashCheck, HoldBudget } from './blob-hash-check.ts';

/** Three distinct chunks and a blob that repeats the first: a b a c. */
function blob() {
  const parts = [randomBytes(1000), randomBytes(2000), randomBytes(500)].map((b) => new Uint8Array(b));
  const ids = parts.map((p) => blake3Hex(p) as Hash);
  const order = [0, 1, 0, 2];
  const chunks = order.map((i) => ({ id: ids[i]!, size: parts[i]!.length }));
  const whole = Buffer.concat(order.map((i) => parts[i]!));
  return { parts, ids, chunks, id: blake3Hex(whole) as Hash };
}

/** Lets chunks arrive in the order given, each after the check has started waiting. */
async function run(holdLimit: number, arrivalOrder: number[], claimed?: Hash) {
  const { parts, ids, chunks, id } = blob();
  const budget = new HoldBudget(holdLimit);
  const stored = new Map<Hash, Uint8Array>();
  const reads: Hash[] = [];
  const check = new BlobHashCheck(chunks, budget, async (c) => { reads.push(c); return stored.get(c)!; });
  const gates = new Map(ids.map((c) => [c, Promise.withResolvers<void>()]));
  const result = check.matches(claimed ?? id, (c) => gates.get(c)!.promise);
  for (const i of arrivalOrder) {
    await new Promise((r) => setImmediate(r));
    check.arrived(ids[i]!, parts[i]!);
    stored.set(ids[i]!, parts[i]!);
    gates.get(ids[i]!)!.resolve();
  }
  return { ok: await result, reads, budget, ids };
}

test('chunks arriving out of order hash to the blob, held without reading back', async () => {
  const { ok, reads, budget } = await run(1 << 20, [2, 1, 0]);
  assert.equal(ok, true);
  assert.deepEqual(reads, []);
  // Everything held was given back.
  assert.equal(budget.take(1 << 20), true);
});

test('with no room to hold, chunks are read back from the store in order', async () => {
  const { ok, reads, ids } = await run(0, [2, 1, 0]);
  assert.equal(ok, true);
  assert.deepEqual(reads, [ids[0], ids[1], ids[0], ids[2]]);
});

test('content that does not hash to the claimed id is refused', async () => {
  const { ok, budget } = await run(1 << 20, [0, 1, 2], blake3Hex(Uint8Array.of(1)) as Hash);
  assert.equal(ok, false);
  assert.equal(budget.take(1 << 20), true);
});

test('a chunk of another size than the manifest lists is refused', async () => {
  const { parts, ids, chunks, id } = blob();
  const check = new BlobHashCheck(chunks.map((c, i) => (i === 1 ? { ...c, size: c.size + 1 } : c)), new HoldBudget(1 << 20), async () => parts[0]!);
  for (const [i, p] of parts.entries()) check.arrived(ids[i]!, p);
  assert.equal(await check.matches(id, () => undefined), false);
});
