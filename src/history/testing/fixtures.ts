// Builders for the history layer's tests: small trees and commit chains in any Store.
import { compareNames, type CommitId, type TreeEntry, type TreeId } from '../../core/index.ts';
import type { MetaStore, MetaWrite, Store } from '../../store/index.ts';
import { createCommit } from '../commits.ts';

const MTIME = { sec: 1_700_000_000, nsec: 0 };

export async function file(store: Store, name: string, content: string, mode = 0o644): Promise<TreeEntry> {
  const bytes = Buffer.from(content);
  const { id, size } = await store.blobs.write((async function* () { yield bytes; })());
  return { kind: 'file', name, mode, mtime: MTIME, size, blob: id };
}

export function symlink(name: string, target: string): TreeEntry {
  return { kind: 'symlink', name, mode: 0o777, mtime: MTIME, target };
}

export async function tree(store: Store, entries: TreeEntry[]): Promise<TreeId> {
  return store.typed.putTree({ entries: [...entries].sort((a, b) => compareNames(a.name, b.name)) });
}

export async function dir(store: Store, name: string, entries: TreeEntry[], mode = 0o755): Promise<TreeEntry> {
  return { kind: 'dir', name, mode, mtime: MTIME, tree: await tree(store, entries) };
}

/** A commit on an empty tree, distinguished by its message. */
export async function commit(store: Store, message: string, parents: CommitId[] = [], time = 1_000): Promise<CommitId> {
  return createCommit(store, { tree: await tree(store, []), parents, message, time });
}

/**
 * A store whose meta writes apply after an await, as the disk store's do (it collects the writes, then
 * commits an LMDB transaction). Races that the in-memory store hides show up with it.
 */
export function withDeferredMeta<S extends Store>(store: S): S {
  const inner = store.meta;
  const meta: MetaStore = {
    table: (name) => inner.table(name),
    async write(fn) {
      const ops: ((w: MetaWrite) => void)[] = [];
      fn({
        put: (table, key, value) => void ops.push((w) => w.put(table, key, value)),
        delete: (table, key) => void ops.push((w) => w.delete(table, key)),
      });
      await new Promise((resolve) => setImmediate(resolve));
      await inner.write((w) => { for (const op of ops) op(w); });
    },
  };
  return { ...store, meta };
}
