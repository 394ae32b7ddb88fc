// The ordered index that reconciliation reads: items sorted by (timestamp, id) in a B+tree whose every node
// carries its item count and the 256-bit sum of its ids, so a range fingerprint costs two root-to-leaf
// walks instead of a scan. Items can be added as sync learns them. Pure memory; the caller fills it.
import { SyncError } from '../core/index.ts';
import { compareItems, compareItemToBound, type Bound } from './bound.ts';
import { addId, addSum, fingerprintOf, ID_BYTES, newSum } from './range-sum.ts';

export interface SyncItem {
  /** Milliseconds, an integer from 0 to MAX_TIMESTAMP. */
  readonly timestamp: number;
  /** 32 bytes. The index keeps a reference: do not change it afterwards. */
  readonly id: Uint8Array;
}

/** The largest timestamp: the wire form stores timestamp + 1, which must stay a safe integer. */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER - 1;

const LEAF_MAX = 64;
const INNER_MAX = 64;
/** Bulk loading leaves room, so that the first inserts do not split every node. */
const BUILD_FILL = 48;

interface NodeBase {
  count: number;
  sum: Float64Array;
  lastTs: number;
  lastId: Uint8Array;
}
interface Leaf extends NodeBase {
  readonly leaf: true;
  ts: number[];
  ids: Uint8Array[];
}
interface Inner extends NodeBase {
  readonly leaf: false;
  children: TreeNode[];
}
type TreeNode = Leaf | Inner;

function checkItem(item: SyncItem): void {
  const ts = item.timestamp;
  if (!Number.isInteger(ts) || ts < 0 || ts > MAX_TIMESTAMP) throw new SyncError('BAD_ITEM', `a sync item timestamp must be an integer from 0 to ${MAX_TIMESTAMP}, got ${ts}`);
  if (!(item.id instanceof Uint8Array) || item.id.length !== ID_BYTES) throw new SyncError('BAD_ITEM', `a sync item id must be ${ID_BYTES} bytes`);
}

function makeLeaf(ts: number[], ids: Uint8Array[]): Leaf {
  const sum = newSum();
  for (const id of ids) addId(sum, id);
  return { leaf: true, ts, ids, count: ts.length, sum, lastTs: ts[ts.length - 1] ?? 0, lastId: ids[ids.length - 1] ?? new Uint8Array(ID_BYTES) };
}

function makeInner(children: TreeNode[]): Inner {
  const sum = newSum();
  let count = 0;
  for (const c of children) {
    addSum(sum, c.sum);
    count += c.count;
  }
  const last = children[children.length - 1]!;
  return { leaf: false, children, count, sum, lastTs: last.lastTs, lastId: last.lastId };
}

export class SyncIndex {
  #root: TreeNode = makeLeaf([], []);

  /** Builds an index from items in any order; duplicates are kept once. */
  static from(items: Iterable<SyncItem>): SyncIndex {
    const list = Array.isArray(items) ? (items as SyncItem[]) : [...items];
    for (const item of list) checkItem(item);
    const order = list.slice().sort((a, b) => compareItems(a.timestamp, a.id, b.timestamp, b.id));
    const ts: number[] = [];
    const ids: Uint8Array[] = [];
    for (const item of order) {
      const n = ts.length;
      if (n > 0 && compareItems(ts[n - 1]!, ids[n - 1]!, item.timestamp, item.id) === 0) continue;
      ts.push(item.timestamp);
      ids.push(item.id);
    }
    const index = new SyncIndex();
    if (ts.length === 0) return index;
    let level: TreeNode[] = [];
    for (let i = 0; i < ts.length; i += BUILD_FILL) level.push(makeLeaf(ts.slice(i, i + BUILD_FILL), ids.slice(i, i + BUILD_FILL)));
    while (level.length > 1) {
      const up: TreeNode[] = [];
      for (let i = 0; i < level.length; i += BUILD_FILL) up.push(makeInner(level.slice(i, i + BUILD_FILL)));
      level = up;
    }
    index.#root = level[0]!;
    return index;
  }

  get size(): number {
    return this.#root.count;
  }

  /** Adds an item; false when it is already there. */
  insert(item: SyncItem): boolean {
    checkItem(item);
    const pos = this.lowerBound({ timestamp: item.timestamp, prefix: item.id });
    if (pos < this.size) {
      const at = this.itemAt(pos);
      if (compareItems(at.timestamp, at.id, item.timestamp, item.id) === 0) return false;
    }
    const sibling = insertAt(this.#root, pos, item.timestamp, item.id);
    if (sibling !== null) this.#root = makeInner([this.#root, sibling]);
    return true;
  }

  itemAt(index: number): SyncItem {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new SyncError('OUT_OF_RANGE', `no item at index ${index} of ${this.size}`);
    let node = this.#root;
    let i = index;
    while (!node.leaf) {
      let j = 0;
      while (i >= node.children[j]!.count) i -= node.children[j++]!.count;
      node = node.children[j]!;
    }
    return { timestamp: node.ts[i]!, id: node.ids[i]! };
  }

  /** The index of the first item at or above the bound (the size when there is none). */
  lowerBound(bound: Bound): number {
    let node = this.#root;
    let base = 0;
    while (!node.leaf) {
      const kids = node.children;
      let j = 0;
      while (j < kids.length - 1 && compareItemToBound(kids[j]!.lastTs, kids[j]!.lastId, bound) < 0) base += kids[j++]!.count;
      node = kids[j]!;
    }
    let lo = 0;
    let hi = node.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareItemToBound(node.ts[mid]!, node.ids[mid]!, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return base + lo;
  }

  /** The fingerprint of the items at indexes [lo, hi). */
  fingerprint(lo: number, hi: number): Uint8Array {
    const sum = newSum();
    this.#addPrefix(sum, hi, 1);
    this.#addPrefix(sum, lo, -1);
    return fingerprintOf(sum, hi - lo);
  }

  /** Calls `visit` for the items at indexes [lo, hi) in order; it stops early when `visit` returns false. */
  forEach(lo: number, hi: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): void {
    walk(this.#root, 0, Math.max(0, lo), Math.min(hi, this.size), visit);
  }

  #addPrefix(sum: Float64Array, k: number, sign: 1 | -1): void {
    let node = this.#root;
    if (k >= node.count) {
      addSum(sum, node.sum, sign);
      return;
    }
    while (k > 0 && !node.leaf) {
      let j = 0;
      while (k >= node.children[j]!.count) {
        addSum(sum, node.children[j]!.sum, sign);
        k -= node.children[j++]!.count;
      }
      node = node.children[j]!;
    }
    if (node.leaf) for (let i = 0; i < k; i++) addId(sum, node.ids[i]!, sign);
  }
}

function walk(node: TreeNode, offset: number, lo: number, hi: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): boolean {
  if (node.leaf) {
    for (let i = Math.max(0, lo - offset); i < node.count && offset + i < hi; i++) if (visit(node.ts[i]!, node.ids[i]!, offset + i) === false) return false;
    return true;
  }
  for (const child of node.children) {
    if (offset >= hi) return true;
    if (offset + child.count > lo && !walk(child, offset, lo, hi, visit)) return false;
    offset += child.count;
  }
  return true;
}

/** Inserts at position `pos` under `node`; returns the new right sibling when the node had to split. */
function insertAt(node: TreeNode, pos: number, ts: number, id: Uint8Array): TreeNode | null {
  if (pos === node.count) {
    node.lastTs = ts;
    node.lastId = id;
  }
  node.count++;
  addId(node.sum, id);
  if (node.leaf) {
    node.ts.splice(pos, 0, ts);
    node.ids.splice(pos, 0, id);
    if (node.count <= LEAF_MAX) return null;
    const half = node.count >>> 1;
    const right = makeLeaf(node.ts.splice(half), node.ids.splice(half));
    shrink(node, right, node.ts[half - 1]!, node.ids[half - 1]!);
    return right;
  }
  const kids = node.children;
  let j = 0;
  while (j < kids.length - 1 && pos > kids[j]!.count) pos -= kids[j++]!.count;
  const sibling = insertAt(kids[j]!, pos, ts, id);
  if (sibling === null) return null;
  kids.splice(j + 1, 0, sibling);
  if (kids.length <= INNER_MAX) return null;
  const right = makeInner(kids.splice(kids.length >>> 1));
  const last = kids[kids.length - 1]!;
  shrink(node, right, last.lastTs, last.lastId);
  return right;
}

function shrink(node: TreeNode, movedOut: TreeNode, lastTs: number, lastId: Uint8Array): void {
  node.count -= movedOut.count;
  addSum(node.sum, movedOut.sum, -1);
  node.lastTs = lastTs;
  node.lastId = lastId;
}
