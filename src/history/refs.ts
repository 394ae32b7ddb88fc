// Branches: mutable names for commits, moved only by compare-and-swap, each move logged in the reflog.
// History layer; rows live in the 'refs' meta table under `<arena id>/<branch>`.
import {
  branchNameProblem, decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, type ArenaId, type CommitId,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { appendReflog, REFLOG_TABLE } from './reflog.ts';
import { serialized } from './write-queue.ts';

export const REFS_TABLE = 'refs';
const REF_VERSION = 1;

export function encodeRef(commit: CommitId): Uint8Array {
  return encodeCbor({ v: REF_VERSION, commit: hashToBytes(commit) });
}

export function decodeRef(bytes: Uint8Array): CommitId {
  const m = f.asMap(decodeCbor(bytes, 'branch'), 'branch');
  f.exactKeys(m, 'branch', ['v', 'commit']);
  f.literal(m.v, REF_VERSION, 'branch.v');
  return f.hash<CommitId>(m.commit, 'branch.commit');
}

// The rule itself lives in core, where the head-entry codec checks `branch/<name>` keys too.
export { branchNameProblem };

export function checkBranchName(name: string): string {
  const problem = branchNameProblem(name);
  if (problem !== undefined) throw new HistoryError('BAD_BRANCH_NAME', `bad branch name ${JSON.stringify(name)}: ${problem}`);
  return name;
}

function refKey(arena: ArenaId, branch: string): string {
  return `${arena}/${branch}`;
}

export function getBranch(store: Store, arena: ArenaId, branch: string): CommitId | undefined {
  const bytes = store.meta.table(REFS_TABLE).get(refKey(arena, branch));
  return bytes === undefined ? undefined : decodeRef(bytes);
}

export function listBranches(store: Store, arena: ArenaId): { name: string; commit: CommitId }[] {
  const prefix = `${arena}/`;
  const out: { name: string; commit: CommitId }[] = [];
  for (const [key, bytes] of store.meta.table(REFS_TABLE).range(prefix)) {
    out.push({ name: key.slice(prefix.length), commit: decodeRef(bytes) });
  }
  return out;
}

export interface MoveOptions {
  /** The command that moved the branch, as the user typed it (for the reflog). */
  command: string;
  reason: string;
  /** Compare-and-swap: the commit the branch must be at now; null means it must not exist. */
  expect?: CommitId | null;
}

/** Points `branch` at `to` (null deletes it), atomically with its reflog row. */
export async function moveBranch(store: Store, arena: ArenaId, branch: string, to: CommitId | null, opts: MoveOptions): Promise<void> {
  checkBranchName(branch);
  if (!listArenas(store).some((a) => a.id === arena)) throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena}`);
  if (to !== null && store.objects.kind(to) !== 'commit') throw new HistoryError('NO_SUCH_COMMIT', `commit ${to} is not in the store`);
  // Metadata implies data: the commit and everything under it must be durable before a branch names it.
  await store.objects.flush();
  const refs = store.meta.table(REFS_TABLE);
  const reflog = store.meta.table(REFLOG_TABLE);
  const key = refKey(arena, branch);
  await serialized(store.meta, () => store.meta.write((w) => {
    // Read inside the write callback: with the queue, nothing in this process moves the branch between
    // this read and the commit (see write-queue.ts for what crosses processes).
    const current = refs.get(key);
    const old = current === undefined ? null : decodeRef(current);
    if (opts.expect !== undefined && opts.expect !== old) {
      throw new HistoryError('BRANCH_MOVED', `branch ${branch} is at ${old ?? '(none)'}, expected ${opts.expect ?? '(none)'}`);
    }
    if (to === null && old === null) throw new HistoryError('NO_SUCH_BRANCH', `branch ${branch} does not exist`);
    if (to === null) w.delete(REFS_TABLE, key);
    else w.put(REFS_TABLE, key, encodeRef(to));
    appendReflog(w, reflog, arena, { branch, old, new: to, time: Date.now(), command: opts.command, reason: opts.reason });
  }));
}
