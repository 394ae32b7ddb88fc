// Commits: immutable versions, signed by the node that made them. History layer, over store.typed.
import {
  commitSigningBytes, hashToBytes, signBytes, verifyBytes, HistoryError, LIMITS,
  type Commit, type CommitId, type TreeId,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';

export interface NewCommit { tree: TreeId; parents: CommitId[]; message: string; time?: number }

/**
 * Signs a commit with this node's key and stages it. The tree and parents must be in the store already,
 * so that a commit never refers to what is missing.
 */
export async function createCommit(store: Store, c: NewCommit): Promise<CommitId> {
  const time = c.time ?? Date.now();
  if (!Number.isSafeInteger(time)) throw new HistoryError('BAD_COMMIT', `commit time must be an integer of milliseconds, got ${time}`);
  if (c.parents.length > LIMITS.parents) throw new HistoryError('BAD_COMMIT', `a commit has at most ${LIMITS.parents} parents`);
  if (new Set(c.parents).size !== c.parents.length) throw new HistoryError('BAD_COMMIT', 'a commit names the same parent twice');
  if (Buffer.byteLength(c.message) > LIMITS.message) throw new HistoryError('BAD_COMMIT', `commit message longer than ${LIMITS.message} bytes`);
  if (store.objects.kind(c.tree) !== 'tree') throw new HistoryError('NO_SUCH_OBJECT', `tree ${c.tree} is not in the store`);
  for (const p of c.parents) {
    if (store.objects.kind(p) !== 'commit') throw new HistoryError('NO_SUCH_OBJECT', `parent commit ${p} is not in the store`);
  }
  const unsigned = { tree: c.tree, parents: [...c.parents], author: store.identity.nodeId, time, message: c.message };
  const sig = signBytes(store.identity.secretKey, commitSigningBytes(unsigned));
  return store.typed.putCommit({ ...unsigned, sig });
}

/** True when `sig` is the author's signature over the rest of the commit. */
export function verifyCommit(commit: Commit): boolean {
  const { sig, ...unsigned } = commit;
  return verifyBytes(hashToBytes(commit.author), commitSigningBytes(unsigned), sig);
}
