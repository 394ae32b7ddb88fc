// Commits made on a detached HEAD, logged in the reflog (history layer) under the name `head:detached`
// (':' is refused in branch names, as for `tag:` rows). No branch names such a commit, and gc does not
// read worktree bindings; the reflog row keeps it a root until the row expires, as git's HEAD log does.
import { HistoryError, type ArenaId, type CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { appendReflog, REFLOG_TABLE } from './reflog.ts';
import { serialized } from './write-queue.ts';

export const DETACHED_HEAD_REFLOG = 'head:detached';

export async function logDetachedHead(store: Store, arena: ArenaId, old: CommitId | null, to: CommitId, how: { command: string; reason: string }): Promise<void> {
  if (!listArenas(store).some((a) => a.id === arena)) throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena}`);
  if (store.objects.kind(to) !== 'commit') throw new HistoryError('NO_SUCH_COMMIT', `commit ${to} is not in the store`);
  await store.objects.flush();
  const reflog = store.meta.table(REFLOG_TABLE);
  await serialized(store.meta, () => store.meta.write((w) => {
    appendReflog(w, reflog, arena, { branch: DETACHED_HEAD_REFLOG, old, new: to, time: Date.now(), command: how.command, reason: how.reason });
  }));
}
