import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blake3 } from '../core/index.ts';
import { compareItems } from './bound.ts';
import { SyncIndex, type SyncItem } from './item-index.ts';
import { randomItems, seededRandom } from './testing/items.ts';

/** The fingerprint from its definition, with bigints: BLAKE3(sum of ids as LE integers mod 2^256 || varint(count))[0..16]. */
function referenceFingerprint(items: readonly SyncItem[]): string {
  let sum = 0n;
  for (const { id } of items) sum += BigInt('0x' + Buffer.from(id).reverse().toString('hex'));
  sum %= 1n << 256n;
  const bytes = Buffer.from(sum.toString(16).padStart(64, '0'), 'hex').reverse();
  const groups: number[] = [];
  let n = items.length;
  do {
    groups.unshift(n % 128);
    n = Math.floor(n / 128);
  } while (n > 0);
  const varint = groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g));
  return Buffer.from(blake3(Buffer.concat([bytes, Buffer.from(varint)]))).subarray(0, 16).toString('hex');
}

const sortItems = (items: SyncItem[]): SyncItem[] => [...items].sort((x, y) => compareItems(x.timestamp, x.id, y.timestamp, y.id));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('fingerprint format is pinned: empty range, and two ids whose sum carries across bytes', () => {
  const index = SyncIndex.from([{ timestamp: 5, id: new Uint8Array(32).fill(1) }, { timestamp: 7, id: new Uint8Array(32).fill(0xff) }]);
  assert.equal(hex(index.fingerprint(0, 0)), '232b17a92a13d46fdeeba07519406dcd');
  assert.equal(hex(index.fingerprint(0, 2)), '098007e6b9bc5f2b21cbb0c0300b2878');
});

test('range fingerprints, order and lowerBound agree with a sorted array, after a bulk build and after inserts', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 600 }), fc.integer(), fc.constantFrom('distinct', 'few', 'same'), fc.boolean(), (count, seed, spread, byInsert) => {
    const items = randomItems(count, seed, spread as 'distinct');
    let index: SyncIndex;
    if (byInsert) {
      index = SyncIndex.from([]);
      for (const item of items) assert.equal(index.insert(item), true);
    } else index = SyncIndex.from(items);
    const sorted = sortItems(items);
    assert.equal(index.size, sorted.length);
    for (let i = 0; i < sorted.length; i += 7) assert.equal(hex(index.itemAt(i).id), hex(sorted[i]!.id));
    const random = seededRandom(seed);
    for (let k = 0; k < 10; k++) {
      const lo = Math.floor(random() * (count + 1));
      const hi = lo + Math.floor(random() * (count - lo + 1));
      assert.equal(hex(index.fingerprint(lo, hi)), referenceFingerprint(sorted.slice(lo, hi)));
      const probe = sorted[lo];
      if (probe !== undefined) {
        const prefix = probe.id.slice(0, Math.floor(random() * 33));
        const expected = sorted.findIndex((it) => it.timestamp > probe.timestamp || (it.timestamp === probe.timestamp && Buffer.compare(Buffer.from(it.id.subarray(0, prefix.length)), Buffer.from(prefix)) >= 0));
        assert.equal(index.lowerBound({ timestamp: probe.timestamp, prefix }), expected);
      }
    }
    const seen: string[] = [];
    index.forEach(3, 40, (_ts, id) => void seen.push(hex(id)));
    assert.deepEqual(seen, sorted.slice(3, 40).map((it) => hex(it.id)));
  }), { numRuns: 40 });
});

test('inserting into a large bulk-built index keeps every fingerprint exact', () => {
  const items = randomItems(20_000, 7);
  const index = SyncIndex.from(items.slice(0, 15_000));
  for (const item of items.slice(15_000)) index.insert(item);
  const sorted = sortItems(items);
  for (const [lo, hi] of [[0, 20_000], [123, 19_000], [5000, 5001], [9999, 15_432]] as const) {
    assert.equal(hex(index.fingerprint(lo, hi)), referenceFingerprint(sorted.slice(lo, hi)));
  }
  // Built by inserts alone, in time order and shuffled, the tree splits its inner nodes too.
  for (const order of [sorted.slice(0, 9000), items.slice(0, 9000)]) {
    const grown = SyncIndex.from([]);
    for (const item of order) grown.insert(item);
    const expected = sortItems(order);
    assert.equal(hex(grown.fingerprint(0, 9000)), referenceFingerprint(expected));
    assert.equal(hex(grown.fingerprint(4321, 8765)), referenceFingerprint(expected.slice(4321, 8765)));
    assert.equal(grown.lowerBound({ timestamp: expected[6000]!.timestamp, prefix: expected[6000]!.id }), 6000);
  }
});

test('a duplicate is kept once, and bad items are refused with BAD_ITEM', () => {
  const [item] = randomItems(1, 1);
  const index = SyncIndex.from([item!, item!]);
  assert.equal(index.size, 1);
  assert.equal(index.insert({ timestamp: item!.timestamp, id: item!.id.slice() }), false);
  for (const bad of [{ timestamp: -1, id: new Uint8Array(32) }, { timestamp: 1.5, id: new Uint8Array(32) }, { timestamp: 2 ** 53, id: new Uint8Array(32) }, { timestamp: 1, id: new Uint8Array(31) }]) {
    assert.throws(() => index.insert(bad), { code: 'BAD_ITEM' });
    assert.throws(() => SyncIndex.from([bad]), { code: 'BAD_ITEM' });
  }
  assert.throws(() => index.itemAt(1), { code: 'OUT_OF_RANGE' });
});
