// Line diff for text blobs: Myers' O(ND) shortest edit script over lines, after trimming the common prefix
// and suffix. Pure history-layer algorithm with no store access; unified-diff.ts and text-merge.ts build on it.

/** Default cap on the edit distance D that Myers explores (the trace it keeps grows as D²). */
export const DEFAULT_MAX_EDIT_DISTANCE = 2000;

interface Range { aStart: number; aEnd: number; bStart: number; bEnd: number }
export interface EqualEdit extends Range { op: 'equal' }
export interface DeleteEdit extends Range { op: 'delete' }
export interface InsertEdit extends Range { op: 'insert' }
/** One contiguous hunk: a[aStart, aEnd) relates to b[bStart, bEnd). A delete has an empty b range, an insert an empty a range. */
export type Edit = EqualEdit | DeleteEdit | InsertEdit;

export interface DiffLinesOptions {
  /**
   * Beyond this many inserted plus deleted lines the search stops and the differing middle is reported
   * as one delete-all/insert-all change: correct, just not minimal, and it bounds time and memory.
   */
  maxEditDistance?: number;
}

/** Split text into lines that keep their '\n'; a final line without one is its own line, so join('') round-trips. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

const EQUAL = 0;
const DELETE = 1;
const INSERT = 2;

/** The minimal list of hunks turning `a` into `b`; within one change the delete comes before the insert. */
export function diffLines(a: readonly string[], b: readonly string[], options: DiffLinesOptions = {}): Edit[] {
  const maxD = options.maxEditDistance ?? DEFAULT_MAX_EDIT_DISTANCE;
  let prefix = 0;
  const shortest = Math.min(a.length, b.length);
  while (prefix < shortest && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;

  // Interning turns string comparisons in the inner loop into integer comparisons.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[], from: number, to: number): Int32Array => {
    const out = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const line = lines[i] as string;
      let id = ids.get(line);
      if (id === undefined) { id = ids.size; ids.set(line, id); }
      out[i - from] = id;
    }
    return out;
  };
  const x = intern(a, prefix, a.length - suffix);
  const y = intern(b, prefix, b.length - suffix);
  const ops = shortestEditScript(x, y, maxD) ?? fallbackScript(x.length, y.length);

  const edits: Edit[] = [];
  if (prefix > 0) edits.push({ op: 'equal', aStart: 0, aEnd: prefix, bStart: 0, bEnd: prefix });
  let i = prefix;
  let j = prefix;
  let p = 0;
  while (p < ops.length) {
    if (ops[p] === EQUAL) {
      let q = p;
      while (q < ops.length && ops[q] === EQUAL) q++;
      edits.push({ op: 'equal', aStart: i, aEnd: i + q - p, bStart: j, bEnd: j + q - p });
      i += q - p; j += q - p; p = q;
      continue;
    }
    let dels = 0;
    let ins = 0;
    while (p < ops.length && ops[p] !== EQUAL) { if (ops[p] === DELETE) dels++; else ins++; p++; }
    if (dels > 0) edits.push({ op: 'delete', aStart: i, aEnd: i + dels, bStart: j, bEnd: j });
    i += dels;
    if (ins > 0) edits.push({ op: 'insert', aStart: i, aEnd: i, bStart: j, bEnd: j + ins });
    j += ins;
  }
  if (suffix > 0) edits.push({ op: 'equal', aStart: i, aEnd: i + suffix, bStart: j, bEnd: j + suffix });
  return edits;
}

function fallbackScript(n: number, m: number): Uint8Array {
  const ops = new Uint8Array(n + m);
  ops.fill(DELETE, 0, n);
  ops.fill(INSERT, n);
  return ops;
}

/**
 * Forward Myers over a V array indexed by diagonal k = x - y, keeping V's live window after each round
 * so the path can be walked back. Returns one op per step in order, or undefined when D exceeds maxD.
 */
function shortestEditScript(x: Int32Array, y: Int32Array, maxD: number): Uint8Array | undefined {
  const n = x.length;
  const m = y.length;
  const limit = Math.min(n + m, maxD);
  const off = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= limit && found < 0; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2)); // V after round d-1, for k in [-d-1, d+1]
    for (let k = -d; k <= d; k += 2) {
      let px = k === -d || (k !== d && (v[off + k - 1] as number) < (v[off + k + 1] as number))
        ? (v[off + k + 1] as number)
        : (v[off + k - 1] as number) + 1;
      let py = px - k;
      while (px < n && py < m && x[px] === y[py]) { px++; py++; }
      v[off + k] = px;
      if (px >= n && py >= m) { found = d; break; }
    }
  }
  if (found < 0) return undefined;

  const ops = new Uint8Array((n + m + found) / 2); // each equal line is one op for two elements
  let w = ops.length;
  let px = n;
  let py = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d] as Int32Array;
    const at = (k: number): number => prev[k + d + 1] as number;
    const k = px - py;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    const midX = prevK === k + 1 ? prevX : prevX + 1;
    while (px > midX) { ops[--w] = EQUAL; px--; py--; }
    ops[--w] = prevK === k + 1 ? INSERT : DELETE;
    px = prevX;
    py = prevY;
  }
  while (w > 0) ops[--w] = EQUAL;
  return ops;
}
