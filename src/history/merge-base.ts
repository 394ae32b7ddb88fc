// Merge bases: the lowest common ancestors of two commits, as `git merge-base --all` finds them, and
// ancestry checks. History layer, over store.typed; `lode merge` and sync build on it: tree-merge.ts
// and merge-commits.ts do the three-way merge on top of these bases.
import type { Commit, CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { MaxHeap } from './max-heap.ts';

const PARENT1 = 1;
const PARENT2 = 2;
const STALE = 4;
const BOTH = PARENT1 | PARENT2;

interface Entry { id: CommitId; time: number }

/** Newer first; equal times order by id, larger first, so the walk is the same on every node. */
function newer(a: Entry, b: Entry): boolean {
  return a.time !== b.time ? a.time > b.time : a.id > b.id;
}


/** Reads each commit once per call. */
function commitReader(store: Store): (id: CommitId) => Promise<Commit> {
  const cache = new Map<CommitId, Commit>();
  return async (id) => {
    let c = cache.get(id);
    if (c === undefined) cache.set(id, (c = await store.typed.getCommit(id)));
    return c;
  };
}

/**
 * git's paint_down_to_common: paints commits reachable from `a` with PARENT1 and from `b` with PARENT2,
 * newest first, and stops once every queued commit is STALE (an ancestor of a common ancestor found).
 * Returns a superset of the lowest common ancestors: with clock skew a common ancestor may be popped
 * before a descendant that is also common, so the caller must remove redundant ones.
 */
async function paintDownToCommon(read: (id: CommitId) => Promise<Commit>, a: CommitId, b: CommitId): Promise<CommitId[]> {
  const flags = new Map<CommitId, number>();
  const queued = new Map<CommitId, number>(); // occurrences in the queue, so nonStale stays exact
  const queue = new MaxHeap<Entry>(newer);
  let nonStale = 0;
  const enqueue = async (id: CommitId): Promise<void> => {
    queue.push({ id, time: (await read(id)).time });
    queued.set(id, (queued.get(id) ?? 0) + 1);
    if (((flags.get(id) ?? 0) & STALE) === 0) nonStale++;
  };
  const addFlags = (id: CommitId, add: number): void => {
    const old = flags.get(id) ?? 0;
    if ((old & STALE) === 0 && (add & STALE) !== 0) nonStale -= queued.get(id) ?? 0;
    flags.set(id, old | add);
  };
  addFlags(a, PARENT1);
  await enqueue(a);
  addFlags(b, PARENT2);
  await enqueue(b);
  const results: CommitId[] = [];
  const found = new Set<CommitId>();
  while (nonStale > 0) {
    const { id } = queue.pop()!;
    queued.set(id, queued.get(id)! - 1);
    let f = flags.get(id)!;
    if ((f & STALE) === 0) nonStale--;
    if ((f & BOTH) === BOTH) {
      if ((f & STALE) === 0 && !found.has(id)) {
        found.add(id);
        results.push(id);
      }
      addFlags(id, STALE);
      f |= STALE;
    }
    for (const parent of (await read(id)).parents) {
      if (((flags.get(parent) ?? 0) & f) === f) continue;
      addFlags(parent, f);
      await enqueue(parent);
    }
  }
  return results;
}

/**
 * Drops every candidate that is a proper ancestor of another one. This walk ignores commit times, so
 * the answer holds under clock skew; it costs one pass over the candidates' ancestors, and runs only
 * when there is more than one candidate.
 */
async function removeRedundant(read: (id: CommitId) => Promise<Commit>, candidates: CommitId[]): Promise<CommitId[]> {
  if (candidates.length < 2) return candidates;
  const wanted = new Set(candidates);
  const seen = new Set<CommitId>();
  const stack: CommitId[] = [];
  for (const c of candidates) stack.push(...(await read(c)).parents);
  let redundant = 0;
  while (stack.length > 0 && redundant < candidates.length - 1) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (wanted.has(id)) redundant++;
    stack.push(...(await read(id)).parents);
  }
  return candidates.filter((c) => !seen.has(c));
}

/**
 * The lowest common ancestors of `a` and `b`: their common ancestors that are not an ancestor of another
 * common ancestor. Several when histories criss-cross, [] when they are unrelated, [a] when a is an
 * ancestor of b (a commit is its own ancestor). Sorted by id, so every node gets the same list.
 */
export async function mergeBases(store: Store, a: CommitId, b: CommitId): Promise<CommitId[]> {
  const read = commitReader(store);
  if (a === b) {
    await read(a); // a missing commit is NOT_FOUND, as for a != b
    return [a];
  }
  const candidates = await paintDownToCommon(read, a, b);
  return (await removeRedundant(read, candidates)).sort();
}

/** True when `ancestor` is reachable from `descendant` through parents, or is the same commit. */
export async function isAncestor(store: Store, ancestor: CommitId, descendant: CommitId): Promise<boolean> {
  const bases = await mergeBases(store, ancestor, descendant);
  return bases.includes(ancestor);
}
