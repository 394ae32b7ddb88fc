// Test fixture: builds trees and signed commits from a map of paths to contents, straight through the
// store's ports, so store tests can make histories without the history layer.
import { commitSigningBytes, signBytes, compareNames, type CommitId, type Tree, type TreeEntry, type TreeId } from '../../core/index.ts';
import type { Store } from '../ports.ts';

export type Files = { [path: string]: Uint8Array };

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  yield b;
}

async function putDir(store: Store, files: Map<string, Uint8Array>): Promise<TreeId> {
  const subdirs = new Map<string, Map<string, Uint8Array>>();
  const entries: TreeEntry[] = [];
  const mtime = { sec: 1_700_000_000, nsec: 0 };
  for (const [path, bytes] of files) {
    const slash = path.indexOf('/');
    if (slash >= 0) {
      const dir = path.slice(0, slash);
      if (!subdirs.has(dir)) subdirs.set(dir, new Map());
      subdirs.get(dir)!.set(path.slice(slash + 1), bytes);
    } else {
      const r = await store.blobs.write(once(bytes));
      entries.push({ kind: 'file', name: path, mode: 0o644, mtime, size: bytes.length, blob: r.id });
    }
  }
  for (const [name, sub] of subdirs) entries.push({ kind: 'dir', name, mode: 0o755, mtime, tree: await putDir(store, sub) });
  entries.sort((a, b) => compareNames(a.name, b.name));
  const tree: Tree = { entries };
  return store.typed.putTree(tree);
}

/** Stores the files as a tree and commits it; flushes, so the commit is durable like a real snapshot's. */
export async function commitFiles(store: Store, files: Files, parents: CommitId[] = [], message = 'test'): Promise<CommitId> {
  const tree = await putDir(store, new Map(Object.entries(files)));
  const unsigned = { tree, parents, author: store.identity.nodeId, time: Date.now(), message };
  const id = await store.typed.putCommit({ ...unsigned, sig: signBytes(store.identity.secretKey, commitSigningBytes(unsigned)) });
  await store.objects.flush();
  return id;
}
