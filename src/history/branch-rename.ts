// Renaming a branch: the new name is created and the old one deleted in one meta write, with a reflog
// row for each, so no reader ever sees both names or neither. History layer, beside refs.ts.
import { HistoryError, type ArenaId, type CommitId } from '../core/index.ts';
import type { MetaTable, MetaWrite, Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { checkBranchName, decodeRef, encodeRef, REFS_TABLE } from './refs.ts';
import { appendReflog, REFLOG_TABLE } from './reflog.ts';
import { serialized } from './write-queue.ts';

/** Renames `from` to `to`, refusing when `to` exists. Returns the commit both names pointed at. */
export async function renameBranch(store: Store, arena: ArenaId, from: string, to: string, opts: { command: string; reason: string }): Promise<CommitId> {
  checkBranchName(from);
  checkBranchName(to);
  if (!listArenas(store).some((a) => a.id === arena)) throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena}`);
  if (from === to) throw new HistoryError('BRANCH_EXISTS', `branch ${to} exists already`);
  const refs = store.meta.table(REFS_TABLE);
  const reflog = store.meta.table(REFLOG_TABLE);
  let moved: CommitId | undefined;
  await serialized(store.meta, () => store.meta.write((w) => {
    const current = refs.get(`${arena}/${from}`);
    if (current === undefined) throw new HistoryError('NO_SUCH_BRANCH', `branch ${from} does not exist`);
    if (refs.get(`${arena}/${to}`) !== undefined) throw new HistoryError('BRANCH_EXISTS', `branch ${to} exists already`);
    const commit = decodeRef(current);
    const time = Date.now();
    w.put(REFS_TABLE, `${arena}/${to}`, encodeRef(commit));
    w.delete(REFS_TABLE, `${arena}/${from}`);
    // Both reflog rows go in this one transaction. appendReflog reads the sequence counter through the
    // table, which does not see staged writes, so the second row reads the counter the first one staged.
    let staged: Uint8Array | undefined;
    const capture: MetaWrite = {
      put: (table, key, value) => { if (table === REFLOG_TABLE && key === arena) staged = value; w.put(table, key, value); },
      delete: (table, key) => w.delete(table, key),
    };
    const afterFirst: MetaTable = { get: (key) => (key === arena && staged !== undefined ? staged : reflog.get(key)), range: (p) => reflog.range(p) };
    appendReflog(capture, reflog, arena, { branch: from, old: commit, new: null, time, command: opts.command, reason: opts.reason });
    appendReflog(w, afterFirst, arena, { branch: to, old: null, new: commit, time, command: opts.command, reason: opts.reason });
    moved = commit;
  }));
  return moved!;
}
