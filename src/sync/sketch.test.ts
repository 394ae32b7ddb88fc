import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SyncIndex } from './item-index.ts';
import { differenceDensity, expectedDifferences, peelDifference, Sketch, tableSizeFor } from './sketch.ts';
import { hexSet, seededRandom, splitSets } from './testing/items.ts';

test('a sketch sized for the differences peels exactly them; an undersized one gives up rather than guess', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer(), (common, onlyA, onlyB, seed) => {
    const sets = splitSets(common, onlyA, onlyB, seed, 'same');
    const a = SyncIndex.from(sets.a);
    const b = SyncIndex.from(sets.b);
    // Peeling fails now and then by chance even when sized right; the protocol then asks again at twice
    // the size (or splits the range), so a sketch that never peels would show up here, a rare miss would not.
    const size = tableSizeFor(onlyA + onlyB);
    let diff = null;
    for (let k = 1; k <= 8 && diff === null; k *= 2) diff = peelDifference(Sketch.build(b, 0, b.size, k * size).encode(), Sketch.build(a, 0, a.size, k * size));
    assert.ok(diff !== null);
    assert.deepEqual(hexSet(diff.ours), hexSet(sets.onlyA.map((it) => it.id)));
    assert.deepEqual(hexSet(diff.theirs), hexSet(sets.onlyB.map((it) => it.id)));
    const tiny = peelDifference(Sketch.build(b, 0, b.size, 1).encode(), Sketch.build(a, 0, a.size, 1));
    if (tiny !== null) assert.equal(tiny.ours.length + tiny.theirs.length, onlyA + onlyB);
  }), { numRuns: 60, seed: 20261121 });
});

test('the density estimate recovers the rate that produced the matches, over ranges of mixed sizes', () => {
  const random = seededRandom(4);
  const density = 0.002;
  const items: number[] = [];
  const matched: boolean[] = [];
  for (let i = 0; i < 2000; i++) {
    const n = i % 10 === 0 ? 20_000 : 50 + Math.floor(random() * 1000);
    items.push(n);
    matched.push(random() < Math.exp(-density * n));
  }
  const estimate = differenceDensity(items, matched);
  assert.ok(estimate !== null && Math.abs(estimate / density - 1) < 0.15, `estimate ${estimate}`);
  assert.equal(differenceDensity([10, 10, 10], [false, false, false]), null);
  assert.equal(differenceDensity([10, 10, 10], [true, true, true]), null);
  assert.ok(Math.abs(expectedDifferences(1e-12, 5) - 1) < 1e-6, 'a range known to differ holds at least one difference');
});
