// An invertible sketch of one range (an IBLT over the range's items): three tables of cells, each cell the
// count (mod 256), the 256-bit sum and a 32-bit check sum of the ids mapped to it. Subtracting our sketch of
// the same range from the peer's leaves only the differences, which peeling recovers when they are few.
// It is lode's extension to negentropy: a sketch costs ~2 cells (~75 B) per difference, where splitting costs
// hundreds of bytes per difference once differences are sparse.
import type { SyncIndex } from './item-index.ts';
import { ID_BYTES, SUM_LIMBS, writeSumBytes } from './range-sum.ts';

export const SKETCH_TABLES = 3;
/** A cell on the wire: count mod 256, sum (32 bytes), check (4 bytes, little-endian). */
export const SKETCH_CELL_BYTES = 1 + ID_BYTES + 4;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function word(id: Uint8Array, i: number): number {
  return (id[4 * i]! | (id[4 * i + 1]! << 8) | (id[4 * i + 2]! << 16) | (id[4 * i + 3]! << 24)) >>> 0;
}

/** A check that is not linear in the id, so a sum of several ids does not pass for a single one. */
function checkOf(id: Uint8Array): number {
  return fmix32(word(id, 6) ^ fmix32(word(id, 7) ^ 0x5bd1e995));
}

/** The cell of `id` in table `table` (absolute index). */
function cellOf(id: Uint8Array, table: number, tableSize: number): number {
  return table * tableSize + (fmix32(word(id, table) ^ Math.imul(word(id, table + 3), 0x9e3779b1)) % tableSize);
}

/** Our side of a sketch: built from the index, encoded for the peer or subtracted from the peer's. */
export class Sketch {
  readonly tableSize: number;
  readonly counts: Int32Array;
  readonly sums: Float64Array;
  readonly checks: Uint32Array;

  constructor(tableSize: number) {
    this.tableSize = tableSize;
    const cells = SKETCH_TABLES * tableSize;
    this.counts = new Int32Array(cells);
    this.sums = new Float64Array(cells * SUM_LIMBS);
    this.checks = new Uint32Array(cells);
  }

  static build(index: SyncIndex, lo: number, hi: number, tableSize: number): Sketch {
    const sketch = new Sketch(tableSize);
    index.forEach(lo, hi, (_ts, id) => sketch.add(id));
    return sketch;
  }

  add(id: Uint8Array): void {
    const check = checkOf(id);
    const sums = this.sums;
    for (let t = 0; t < SKETCH_TABLES; t++) {
      const c = cellOf(id, t, this.tableSize);
      this.counts[c]!++;
      this.checks[c] = (this.checks[c]! + check) >>> 0;
      const at = c * SUM_LIMBS;
      for (let i = 0; i < SUM_LIMBS; i++) sums[at + i] = sums[at + i]! + (id[2 * i]! | (id[2 * i + 1]! << 8));
    }
  }

  get cellCount(): number {
    return this.counts.length;
  }

  /** The wire form of all cells. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.cellCount * SKETCH_CELL_BYTES);
    const view = new DataView(out.buffer);
    for (let c = 0; c < this.cellCount; c++) {
      const at = c * SKETCH_CELL_BYTES;
      out[at] = this.counts[c]! & 0xff;
      writeSumBytes(this.sums.subarray(c * SUM_LIMBS, (c + 1) * SUM_LIMBS), out, at + 1);
      view.setUint32(at + 1 + ID_BYTES, this.checks[c]!, true);
    }
    return out;
  }
}

export interface SketchDifference {
  /** Ids in the peer's range and not in ours. */
  readonly theirs: Uint8Array[];
  /** Ids in our range and not in the peer's. */
  readonly ours: Uint8Array[];
}

/** Peer's cells minus ours, peeled. Null when the differences are too many for the sketch to give up. */
export function peelDifference(peerCells: Uint8Array, ours: Sketch): SketchDifference | null {
  const cells = ours.cellCount;
  const view = new DataView(peerCells.buffer, peerCells.byteOffset, peerCells.byteLength);
  const counts = new Int32Array(cells);
  const sums = new Uint8Array(cells * ID_BYTES);
  const checks = new Uint32Array(cells);
  const mine = new Uint8Array(ID_BYTES);
  for (let c = 0; c < cells; c++) {
    const at = c * SKETCH_CELL_BYTES;
    const d = (peerCells[at]! - ours.counts[c]!) & 0xff;
    counts[c] = d >= 128 ? d - 256 : d;
    writeSumBytes(ours.sums.subarray(c * SUM_LIMBS, (c + 1) * SUM_LIMBS), mine, 0);
    subtractInto(sums.subarray(c * ID_BYTES, (c + 1) * ID_BYTES), peerCells.subarray(at + 1, at + 1 + ID_BYTES), mine);
    checks[c] = (view.getUint32(at + 1 + ID_BYTES, true) - ours.checks[c]!) >>> 0;
  }
  const theirs: Uint8Array[] = [];
  const oursOnly: Uint8Array[] = [];
  const seen = new Set<string>();
  const stack: number[] = [];
  for (let c = 0; c < cells; c++) stack.push(c);
  const zero = new Uint8Array(ID_BYTES);
  while (stack.length > 0) {
    const c = stack.pop()!;
    const sign = counts[c]!;
    if (sign !== 1 && sign !== -1) continue;
    const cellSum = sums.subarray(c * ID_BYTES, (c + 1) * ID_BYTES);
    const id = new Uint8Array(ID_BYTES);
    if (sign === 1) id.set(cellSum);
    else subtractInto(id, zero, cellSum);
    const check = checkOf(id);
    if (check !== (sign === 1 ? checks[c]! : (0x100000000 - checks[c]!) >>> 0)) continue;
    if (cellOf(id, Math.floor(c / ours.tableSize), ours.tableSize) !== c) continue;
    const key = Buffer.from(id).toString('latin1');
    // Peeling an id twice, or more ids than cells, only happens with forged cells: give up.
    if (seen.has(key) || seen.size >= cells) return null;
    seen.add(key);
    (sign === 1 ? theirs : oursOnly).push(id);
    for (let t = 0; t < SKETCH_TABLES; t++) {
      const k = cellOf(id, t, ours.tableSize);
      counts[k] = counts[k]! - sign;
      checks[k] = (checks[k]! - sign * check) >>> 0;
      const s = sums.subarray(k * ID_BYTES, (k + 1) * ID_BYTES);
      if (sign === 1) subtractInto(s, s, id);
      else addInto(s, s, id);
      stack.push(k);
    }
  }
  for (let c = 0; c < cells; c++) if (counts[c] !== 0 || checks[c] !== 0) return null;
  for (const b of sums) if (b !== 0) return null;
  return { theirs, ours: oursOnly };
}

/** out = a - b mod 2^256, little-endian bytes (out may alias a or b). */
function subtractInto(out: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  let borrow = 0;
  for (let i = 0; i < ID_BYTES; i++) {
    const v = a[i]! - b[i]! - borrow;
    out[i] = v & 0xff;
    borrow = v < 0 ? 1 : 0;
  }
}

function addInto(out: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  let carry = 0;
  for (let i = 0; i < ID_BYTES; i++) {
    const v = a[i]! + b[i]! + carry;
    out[i] = v & 0xff;
    carry = v >>> 8;
  }
}

/** Estimated differences per item on our side, from which fingerprinted ranges matched: the maximum
 * likelihood density ρ when a range of n items holds no difference with probability e^(-ρn). Ranges differ
 * in size (a deferred remainder can hold most of the set), so each is weighed by its own. Null when fewer
 * than two matched or none mismatched: then the sample only says "dense" or "equal". */
export function differenceDensity(items: readonly number[], matched: readonly boolean[]): number | null {
  let matchedItems = 0;
  let matches = 0;
  for (let i = 0; i < items.length; i++) if (matched[i]) {
    matchedItems += items[i]!;
    matches++;
  }
  if (matches < 2 || matches === items.length) return null;
  // The slope of the log-likelihood falls as ρ grows; bisect its zero on a log scale.
  const slope = (rho: number): number => {
    let s = -matchedItems;
    for (let i = 0; i < items.length; i++) if (!matched[i]) {
      const n = Math.max(1, items[i]!);
      s += n / Math.expm1(rho * n);
    }
    return s;
  };
  let lo = Math.log(1e-12);
  let hi = Math.log(64);
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (slope(Math.exp(mid)) > 0) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected differences in a range of `items` that is known to differ, at the given density. */
export function expectedDifferences(density: number, items: number): number {
  const x = density * items;
  return x < 1e-9 ? 1 : x / -Math.expm1(-x);
}

/** The table size that peels `differences` with high odds: ~1.4 cells per difference plus slack for the
 * spread of a small, estimated count. */
export function tableSizeFor(differences: number): number {
  return Math.max(1, Math.ceil((1.4 * differences + 4 * Math.sqrt(differences) + 6) / SKETCH_TABLES));
}

/** About how many differences a table of this size peels: the inverse of tableSizeFor, rounded up. */
export function differencesHeldBy(tableSize: number): number {
  let d = Math.max(1, Math.floor((tableSize * SKETCH_TABLES) / 1.4));
  while (d > 1 && tableSizeFor(d) > tableSize) d--;
  return d;
}

/** True when every id said to be ours is in our range [lo, hi) and none said to be theirs is: a last guard
 * against a cell that only looked pure. */
export function confirmDifference(index: SyncIndex, lo: number, hi: number, diff: SketchDifference): boolean {
  const key = (id: Uint8Array): string => Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
  const ours = new Set(diff.ours.map(key));
  const theirs = new Set(diff.theirs.map(key));
  const firstWords = new Set([...diff.ours, ...diff.theirs].map((id) => word(id, 0)));
  let found = 0;
  let clash = false;
  index.forEach(lo, hi, (_ts, id) => {
    if (!firstWords.has(word(id, 0))) return;
    const k = key(id);
    if (theirs.has(k)) clash = true;
    else if (ours.has(k)) found++;
    return !clash;
  });
  return !clash && found === ours.size;
}
