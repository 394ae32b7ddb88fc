// Range-based set reconciliation over 1M entries: round trips, bytes both ways, time, and the index's build,
// insert and fingerprint costs, for 1 and 1,000 differences, with lode's sketches and as plain negentropy.
// A script, not a timed test: `node bench/reconcile.ts [--items N] [--seeds K] [--frame BYTES] [--threshold T]`.
import { parseArgs } from 'node:util';
import { SyncIndex, type ReconcilerOptions } from '../src/sync/index.ts';
import { hexSet, randomItems, splitSets } from '../src/sync/testing/items.ts';
import { reconcileInMemory } from '../src/sync/testing/session.ts';
import { writeResults } from './results-file.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    seeds: { type: 'string', default: '3' },
    frame: { type: 'string', default: '60000' },
    threshold: { type: 'string', default: '8' },
  },
});
const items = Number(values.items);
const seeds = Number(values.seeds);
const base: ReconcilerOptions = { frameSizeLimit: Number(values.frame), enumerateThreshold: Number(values.threshold) };

interface Goal { differences: number; roundTrips: number; bytes: (d: number) => number; text: string }
const goals: Goal[] = [
  { differences: 1, roundTrips: 3, bytes: () => 2048, text: '≤ 3 round trips, ≤ 2 KB in total' },
  { differences: 1000, roundTrips: 5, bytes: (d) => 100 * d, text: '≤ 5 round trips, ≤ 100 B per difference' },
];

interface Row { differences: number; mode: string; seed: number; buildMs: number; roundTrips: number; bytes: number; largest: number; ms: number }
const rows: Row[] = [];

for (const goal of goals) {
  for (let seed = 1; seed <= seeds; seed++) {
    const d = goal.differences;
    const sets = splitSets(items - Math.ceil(d / 2), Math.ceil(d / 2), Math.floor(d / 2), seed * 7919 + d);
    const t0 = performance.now();
    const a = SyncIndex.from(sets.a);
    const b = SyncIndex.from(sets.b);
    const buildMs = (performance.now() - t0) / 2;
    for (const mode of ['sketches', 'negentropy'] as const) {
      const t1 = performance.now();
      const outcome = reconcileInMemory(a, b, { ...base, sketches: mode === 'sketches' });
      const ms = performance.now() - t1;
      const onlyA = hexSet(sets.onlyA.map((it) => it.id));
      const onlyB = hexSet(sets.onlyB.map((it) => it.id));
      const exact = outcome.have.length === onlyA.size && outcome.need.length === onlyB.size
        && [...hexSet(outcome.have)].every((x) => onlyA.has(x)) && [...hexSet(outcome.need)].every((x) => onlyB.has(x));
      if (!exact) {
        console.error(`${mode}, ${d} differences, seed ${seed}: have/need are not the true differences`);
        process.exit(1);
      }
      rows.push({ differences: d, mode, seed, buildMs, roundTrips: outcome.roundTrips, bytes: outcome.bytesSent + outcome.bytesReceived, largest: outcome.largestMessage, ms });
    }
  }
}

// The index alone: inserts into the built index, and fingerprints of random ranges.
const extra = randomItems(10_000, 424242);
const index = SyncIndex.from(randomItems(items, 1));
let t = performance.now();
for (const item of extra) index.insert(item);
const insertUs = ((performance.now() - t) * 1000) / extra.length;
t = performance.now();
let x = 12345;
for (let i = 0; i < 20_000; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  const lo = x % index.size;
  index.fingerprint(lo, lo + ((x >>> 3) % (index.size - lo)));
}
const fingerprintUs = ((performance.now() - t) * 1000) / 20_000;

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
console.log(`reconciliation of ${items.toLocaleString('en')} entries, frame ${base.frameSizeLimit} B, enumerate_threshold ${base.enumerateThreshold}, ${seeds} seeds (median [worst])`);
console.log('diffs  mode        round trips  bytes total        B/diff   largest msg  time ms   build ms/index  goal');
for (const goal of goals) {
  for (const mode of ['sketches', 'negentropy']) {
    const rs = rows.filter((r) => r.differences === goal.differences && r.mode === mode);
    const rt = rs.map((r) => r.roundTrips);
    const bytes = rs.map((r) => r.bytes);
    const met = Math.max(...rt) <= goal.roundTrips && Math.max(...bytes) <= goal.bytes(goal.differences);
    console.log([
      String(goal.differences).padEnd(6), mode.padEnd(11),
      `${median(rt)} [${Math.max(...rt)}]`.padEnd(12),
      `${median(bytes)} [${Math.max(...bytes)}]`.padEnd(18),
      String(Math.round(median(bytes) / goal.differences)).padEnd(8),
      String(Math.max(...rs.map((r) => r.largest))).padEnd(12),
      String(Math.round(median(rs.map((r) => r.ms)))).padEnd(9),
      String(Math.round(median(rs.map((r) => r.buildMs)))).padEnd(15),
      `${goal.text}: ${met ? 'met' : 'NOT met'}`,
    ].join(' '));
  }
  const ratio = median(rows.filter((r) => r.differences === goal.differences && r.mode === 'negentropy').map((r) => r.bytes))
    / median(rows.filter((r) => r.differences === goal.differences && r.mode === 'sketches').map((r) => r.bytes));
  console.log(`       plain negentropy / sketches, bytes: ${ratio.toFixed(1)}×`);
}
console.log(`index: insert into ${items.toLocaleString('en')} entries ${insertUs.toFixed(1)} µs, fingerprint of a random range ${fingerprintUs.toFixed(1)} µs`);

console.log(`results: ${writeResults('reconcile', { items, options: base, rows, insertUs, fingerprintUs })}`);
