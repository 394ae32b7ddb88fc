// Serializes the history layer's read-check-write sequences (branch compare-and-swap, arena creation,
// the reflog counter) per store within this process. History layer. MetaStore.write may apply its
// writes after an await, so without this two moves could both pass the same check. Across processes
// the check is exact only if MetaStore.write runs its callback inside the transaction; reflog keys
// carry a random tag so that even a lost race loses no reflog row.
import type { MetaStore } from '../store/index.ts';

const tails = new WeakMap<MetaStore, Promise<unknown>>();

export async function serialized<T>(meta: MetaStore, fn: () => Promise<T>): Promise<T> {
  const before = tails.get(meta) ?? Promise.resolve();
  const run = before.then(fn, fn);
  tails.set(meta, run.catch(() => undefined));
  return run;
}
