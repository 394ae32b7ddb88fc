// Range bounds of the reconciliation: (timestamp, id prefix), ordered as items are, by timestamp then id.
// A bound is exclusive above: a range holds the items at or above its lower bound and below its upper.
export interface Bound {
  /** Milliseconds; Infinity for the bound above every item. */
  readonly timestamp: number;
  /** 0 to 32 bytes; a prefix compares as if padded with zero bytes. */
  readonly prefix: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export const BOUND_ZERO: Bound = { timestamp: 0, prefix: EMPTY };
export const BOUND_END: Bound = { timestamp: Infinity, prefix: EMPTY };

export function compareIds(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function compareItems(ts1: number, id1: Uint8Array, ts2: number, id2: Uint8Array): number {
  return ts1 !== ts2 ? (ts1 < ts2 ? -1 : 1) : compareIds(id1, id2);
}

/** Negative when the item lies below the bound, otherwise zero or positive. */
export function compareItemToBound(ts: number, id: Uint8Array, bound: Bound): number {
  if (ts !== bound.timestamp) return ts < bound.timestamp ? -1 : 1;
  const p = bound.prefix;
  for (let i = 0; i < p.length; i++) if (id[i] !== p[i]) return id[i]! - p[i]!;
  return 0;
}

export function compareBounds(a: Bound, b: Bound): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  const n = Math.max(a.prefix.length, b.prefix.length);
  for (let i = 0; i < n; i++) {
    const x = a.prefix[i] ?? 0;
    const y = b.prefix[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** The shortest bound above `prev` and at or below `curr` (two neighbouring items, prev < curr). */
export function minimalBound(prevTs: number, prevId: Uint8Array, currTs: number, currId: Uint8Array): Bound {
  if (currTs !== prevTs) return { timestamp: currTs, prefix: EMPTY };
  let shared = 0;
  while (shared < currId.length && currId[shared] === prevId[shared]) shared++;
  return { timestamp: currTs, prefix: currId.slice(0, shared + 1) };
}
