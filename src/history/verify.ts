// Signature checks over history: one commit (`lode verify`), or every commit the roots reach (`lode
// fsck`). History layer. A commit whose signature is all zeros counts as unsigned; any other signature
// that does not verify against the author's key is wrong. Both are BAD_SIGNATURE.
import { HistoryError, isLodeError, type Commit, type CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { verifyCommit } from './commits.ts';

export type SignatureStatus = 'good' | 'unsigned' | 'bad';

export interface SignatureProblem { id: CommitId; code: string; status: SignatureStatus | 'unreadable'; message: string }

export function signatureStatus(commit: Commit): SignatureStatus {
  if (commit.sig.length === 0 || commit.sig.every((b) => b === 0)) return 'unsigned';
  return verifyCommit(commit) ? 'good' : 'bad';
}

/** Throws BAD_SIGNATURE unless `commit` (stored under `id`) is signed by its author. */
export function requireGoodSignature(id: CommitId, commit: Commit): void {
  const status = signatureStatus(commit);
  if (status === 'unsigned') throw new HistoryError('BAD_SIGNATURE', `commit ${id} is unsigned`);
  if (status === 'bad') throw new HistoryError('BAD_SIGNATURE', `commit ${id} has a signature that does not verify against its author ${commit.author}`);
}

/**
 * Every commit reachable from `roots` whose signature is missing or wrong, in id order. A commit that is
 * absent is skipped (the store's fsck reports it as missing); one that cannot be read is reported with
 * the read error's code.
 */
export async function checkSignatures(store: Store, roots: Iterable<CommitId>): Promise<{ checked: number; problems: SignatureProblem[] }> {
  const seen = new Set<CommitId>();
  const stack = [...roots];
  const problems: SignatureProblem[] = [];
  let checked = 0;
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (store.objects.kind(id) !== 'commit') continue;
    let commit: Commit;
    try {
      commit = await store.typed.getCommit(id);
    } catch (e) {
      if (!isLodeError(e)) throw e;
      problems.push({ id, code: e.code, status: 'unreadable', message: e.message });
      continue;
    }
    checked++;
    const status = signatureStatus(commit);
    if (status !== 'good') {
      const message = status === 'unsigned' ? `commit ${id} is unsigned` : `commit ${id} has a wrong signature (author ${commit.author})`;
      problems.push({ id, code: 'BAD_SIGNATURE', status, message });
    }
    stack.push(...commit.parents);
  }
  problems.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { checked, problems };
}
