// The stash: per arena, a stack of commits that hold a worktree's uncommitted changes (each one's first
// parent is the HEAD it was taken on). History layer; rows live in the 'stash' meta table under
// `<arena id>/<seq>`, the sequence zero-padded so that key order is push order; listed newest first.
// Every stashed commit is a root for fsck and gc (roots.ts).
import {
  decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, LIMITS, type ArenaId, type CommitId,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { serialized } from './write-queue.ts';

export const STASH_TABLE = 'stash';
const STASH_VERSION = 1;
const SEQ_DIGITS = 16;
const KEY_SUFFIX = /^\d{16}$/;

export interface StashEntry {
  /** Position in the list: 0 is the newest (git's stash@{0}). */
  index: number;
  /** The push order, which never changes while the entry lives. */
  seq: number;
  commit: CommitId;
  time: number;
  message: string;
}

export function encodeStashRow(e: Pick<StashEntry, 'commit' | 'time' | 'message'>): Uint8Array {
  return encodeCbor({ v: STASH_VERSION, commit: hashToBytes(e.commit), time: e.time, msg: e.message });
}

export function decodeStashRow(bytes: Uint8Array): Pick<StashEntry, 'commit' | 'time' | 'message'> {
  const m = f.asMap(decodeCbor(bytes, 'stash entry'), 'stash entry');
  f.exactKeys(m, 'stash entry', ['v', 'commit', 'time', 'msg']);
  f.literal(m.v, STASH_VERSION, 'stash entry.v');
  return { commit: f.hash<CommitId>(m.commit, 'stash entry.commit'), time: f.int(m.time, 'stash entry.time'), message: f.text(m.msg, 'stash entry.msg', LIMITS.message) };
}

function rows(store: Store, arena: ArenaId): { key: string; seq: number; row: Pick<StashEntry, 'commit' | 'time' | 'message'> }[] {
  const prefix = `${arena}/`;
  const out: { key: string; seq: number; row: Pick<StashEntry, 'commit' | 'time' | 'message'> }[] = [];
  for (const [key, bytes] of store.meta.table(STASH_TABLE).range(prefix)) {
    const suffix = key.slice(prefix.length);
    if (!KEY_SUFFIX.test(suffix)) throw new HistoryError('CORRUPT_STASH', `stash row ${JSON.stringify(key)} has no sequence number`);
    out.push({ key, seq: Number(suffix), row: decodeStashRow(bytes) });
  }
  return out;
}

/** The arena's stash, newest first. */
export function listStash(store: Store, arena: ArenaId): StashEntry[] {
  return rows(store, arena).reverse().map((r, index) => ({ index, seq: r.seq, ...r.row }));
}

/** Pushes `commit` onto the arena's stash; it becomes entry 0. */
export async function pushStash(store: Store, arena: ArenaId, commit: CommitId, message: string, time: number = Date.now()): Promise<StashEntry> {
  if (store.objects.kind(commit) !== 'commit') throw new HistoryError('NO_SUCH_COMMIT', `commit ${commit} is not in the store`);
  // Metadata implies data: the stash row names a commit only once it is durable.
  await store.objects.flush();
  let seq = 0;
  await serialized(store.meta, () => store.meta.write((w) => {
    const last = rows(store, arena).at(-1);
    seq = last === undefined ? 0 : last.seq + 1;
    w.put(STASH_TABLE, `${arena}/${String(seq).padStart(SEQ_DIGITS, '0')}`, encodeStashRow({ commit, time, message }));
  }));
  return { index: 0, seq, commit, time, message };
}

/**
 * Removes entry `index` (0: the newest) and returns it; the others keep their order. With `seq`, the
 * entry must still be that push (STASH_MOVED otherwise), so a concurrent push is never dropped by mistake.
 */
export async function dropStash(store: Store, arena: ArenaId, index = 0, seq?: number): Promise<StashEntry> {
  let dropped: StashEntry | undefined;
  await serialized(store.meta, () => store.meta.write((w) => {
    const all = rows(store, arena).reverse();
    const r = all[index];
    if (!Number.isSafeInteger(index) || index < 0 || r === undefined) {
      throw new HistoryError('NO_SUCH_STASH', all.length === 0 ? 'the stash is empty' : `no stash entry ${index} (there are ${all.length})`);
    }
    if (seq !== undefined && r.seq !== seq) throw new HistoryError('STASH_MOVED', `stash entry ${index} changed meanwhile; look again with lode stash list`);
    w.delete(STASH_TABLE, r.key);
    dropped = { index, seq: r.seq, ...r.row };
  }));
  return dropped!;
}

/** Every stashed commit of every arena, whatever arena records exist. */
export function allStashCommits(store: Store): CommitId[] {
  const out: CommitId[] = [];
  for (const [, bytes] of store.meta.table(STASH_TABLE).range('')) out.push(decodeStashRow(bytes).commit);
  return out;
}
