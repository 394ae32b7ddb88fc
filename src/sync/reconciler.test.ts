import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SyncIndex } from './item-index.ts';
import { Reconciler } from './reconciler.ts';
import { hexSet, splitSets, type TimestampSpread } from './testing/items.ts';
import { reconcileInMemory } from './testing/session.ts';

function assertExact(got: readonly Uint8Array[], expected: readonly { id: Uint8Array }[], what: string): void {
  assert.equal(got.length, expected.length, `${what}: ${got.length} ids reported, ${expected.length} expected (duplicates or misses)`);
  assert.deepEqual(hexSet(got), hexSet(expected.map((it) => it.id)), what);
}

const scenario = fc.record({
  common: fc.integer({ min: 0, max: 5000 }),
  onlyA: fc.integer({ min: 0, max: 250 }),
  onlyB: fc.integer({ min: 0, max: 250 }),
  seed: fc.integer(),
  spread: fc.constantFrom<TimestampSpread>('distinct', 'few', 'same'),
  sketches: fc.boolean(),
  enumerateThreshold: fc.constantFrom(2, 8, 33),
  branching: fc.constantFrom(2, 16),
});

test('random sets converge exactly: have and need are the true differences, each id once', () => {
  fc.assert(fc.property(scenario, ({ common, onlyA, onlyB, seed, spread, sketches, enumerateThreshold, branching }) => {
    const sets = splitSets(common, onlyA, onlyB, seed, spread);
    const outcome = reconcileInMemory(SyncIndex.from(sets.a), SyncIndex.from(sets.b), { sketches, enumerateThreshold, branching }, 200);
    assertExact(outcome.have, sets.onlyA, 'have');
    assertExact(outcome.need, sets.onlyB, 'need');
    assert.ok(outcome.largestMessage <= 60_000);
  }), { numRuns: 60 });
});

test('edge sets: both empty, one empty, identical, disjoint', () => {
  const cases: Array<[number, number, number]> = [[0, 0, 0], [0, 500, 0], [0, 0, 500], [3000, 0, 0], [0, 300, 300], [1, 1, 1]];
  for (const sketches of [true, false]) {
    for (const [common, a, b] of cases) {
      const sets = splitSets(common, a, b, common + a + b);
      const outcome = reconcileInMemory(SyncIndex.from(sets.a), SyncIndex.from(sets.b), { sketches });
      assertExact(outcome.have, sets.onlyA, `have ${common}/${a}/${b}`);
      assertExact(outcome.need, sets.onlyB, `need ${common}/${a}/${b}`);
    }
  }
});

test('a small frame limit defers work to later rounds, keeps every message under it, and still converges', () => {
  for (const sketches of [true, false]) {
    const sets = splitSets(20_000, 1500, 1500, 99);
    const frameSizeLimit = 6000;
    const outcome = reconcileInMemory(SyncIndex.from(sets.a), SyncIndex.from(sets.b), { sketches, frameSizeLimit }, 2000);
    assert.ok(outcome.largestMessage <= frameSizeLimit, `largest message ${outcome.largestMessage}`);
    assert.ok(outcome.roundTrips > 5);
    assertExact(outcome.have, sets.onlyA, 'have');
    assertExact(outcome.need, sets.onlyB, 'need');
  }
});

test('sketches cut the bytes of sparse differences against plain splitting', () => {
  const sets = splitSets(100_000, 100, 100, 5);
  const a = SyncIndex.from(sets.a);
  const b = SyncIndex.from(sets.b);
  const plain = reconcileInMemory(a, b, { sketches: false });
  const sketched = reconcileInMemory(a, b, { sketches: true });
  const bytes = (o: typeof plain): number => o.bytesSent + o.bytesReceived;
  assertExact(sketched.need, sets.onlyB, 'need');
  assert.ok(bytes(sketched) * 3 < bytes(plain), `sketched ${bytes(sketched)} B, plain ${bytes(plain)} B`);
  assert.ok(sketched.roundTrips <= plain.roundTrips);
});

test('items inserted after a session are found by the next one', () => {
  const sets = splitSets(2000, 0, 50, 3);
  const a = SyncIndex.from(sets.a);
  const b = SyncIndex.from(sets.b);
  const first = reconcileInMemory(a, b);
  assertExact(first.need, sets.onlyB, 'need');
  for (const item of sets.onlyB) a.insert(item);
  const second = reconcileInMemory(a, b);
  assert.equal(second.have.length + second.need.length, 0);
  assert.equal(second.roundTrips, 1);
});

test('options are checked, and a reconciler initiates once', () => {
  const index = SyncIndex.from([]);
  for (const options of [{ branching: 1 }, { enumerateThreshold: 1 }, { enumerateThreshold: 2.5 }, { frameSizeLimit: 1000 }, { branching: 4096 }]) {
    assert.throws(() => new Reconciler(index, options), { code: 'BAD_OPTIONS' });
  }
  const r = new Reconciler(index);
  r.initiate();
  assert.throws(() => r.initiate(), { code: 'BAD_STATE' });
  const responder = new Reconciler(index);
  responder.reconcile(new Reconciler(index).initiate());
  assert.throws(() => responder.initiate(), { code: 'BAD_STATE' });
});
