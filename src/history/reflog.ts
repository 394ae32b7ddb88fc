// The reflog: every branch move and tag change, appended in the same atomic write as the change itself
// (refs.ts, tags.ts), and pruned by age (expireReflog, run by gc). History layer; rows live in the
// 'reflog' meta table under `<arena>/<branch> <seq>-<tag>`, with one per-arena sequence counter under
// `<arena>` so that moves across branches keep their order. Tag rows use `tag:<name>` as the branch
// field: ':' is refused in branch names, so the two can never be confused.
import { randomBytes } from 'node:crypto';
import {
  decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, type ArenaId, type CommitId,
} from '../core/index.ts';
import type { MetaTable, MetaWrite, Store } from '../store/index.ts';
import { serialized } from './write-queue.ts';

export interface ReflogEntry { branch: string; old: CommitId | null; new: CommitId | null; time: number; command: string; reason: string }

export const REFLOG_TABLE = 'reflog';
/** The branch field of a tag's reflog rows is this prefix and the tag name. */
export const TAG_REFLOG_PREFIX = 'tag:';
const REFLOG_VERSION = 1;
const SEQ_DIGITS = 16;
const ROW_SUFFIX = /^(\d{16})-[0-9a-f]{8}$/;

function encodeOptionalId(id: CommitId | null): Uint8Array | null {
  return id === null ? null : hashToBytes(id);
}

function decodeOptionalId(v: unknown, what: string): CommitId | null {
  return v === null ? null : f.hash<CommitId>(v, what);
}

export function encodeReflogEntry(e: ReflogEntry): Uint8Array {
  return encodeCbor({
    v: REFLOG_VERSION, branch: e.branch, old: encodeOptionalId(e.old), new: encodeOptionalId(e.new),
    time: e.time, cmd: e.command, why: e.reason,
  });
}

export function decodeReflogEntry(bytes: Uint8Array): ReflogEntry {
  const m = f.asMap(decodeCbor(bytes, 'reflog entry'), 'reflog entry');
  f.exactKeys(m, 'reflog entry', ['v', 'branch', 'old', 'new', 'time', 'cmd', 'why']);
  f.literal(m.v, REFLOG_VERSION, 'reflog entry.v');
  return {
    branch: f.text(m.branch, 'reflog entry.branch', 255 + TAG_REFLOG_PREFIX.length),
    old: decodeOptionalId(m.old, 'reflog entry.old'),
    new: decodeOptionalId(m.new, 'reflog entry.new'),
    time: f.int(m.time, 'reflog entry.time'),
    command: f.text(m.cmd, 'reflog entry.cmd', 4096),
    reason: f.text(m.why, 'reflog entry.why', 1 << 16),
  };
}

function encodeCounter(next: number): Uint8Array {
  return encodeCbor({ v: REFLOG_VERSION, next });
}

function decodeCounter(bytes: Uint8Array): number {
  const m = f.asMap(decodeCbor(bytes, 'reflog counter'), 'reflog counter');
  f.exactKeys(m, 'reflog counter', ['v', 'next']);
  f.literal(m.v, REFLOG_VERSION, 'reflog counter.v');
  return f.uint(m.next, 'reflog counter.next');
}

/**
 * Stages one reflog row inside the caller's meta write. `table` must be read inside that write, so the
 * counter read and its increment are one transaction.
 */
export function appendReflog(w: MetaWrite, table: MetaTable, arena: ArenaId, entry: ReflogEntry): void {
  const counter = table.get(arena);
  const seq = counter === undefined ? 0 : decodeCounter(counter);
  const tag = randomBytes(4).toString('hex');
  w.put(REFLOG_TABLE, `${arena}/${entry.branch} ${String(seq).padStart(SEQ_DIGITS, '0')}-${tag}`, encodeReflogEntry(entry));
  w.put(REFLOG_TABLE, arena, encodeCounter(seq + 1));
}

/** Newest first; with `branch`, only that branch's moves. */
export function readReflog(store: Store, arena: ArenaId, branch?: string): ReflogEntry[] {
  const prefix = branch === undefined ? `${arena}/` : `${arena}/${branch} `;
  const rows: { seq: number; entry: ReflogEntry }[] = [];
  for (const [key, bytes] of store.meta.table(REFLOG_TABLE).range(prefix)) {
    const space = key.lastIndexOf(' ');
    const match = ROW_SUFFIX.exec(key.slice(space + 1));
    const seq = Number(match?.[1]);
    const entry = decodeReflogEntry(bytes);
    if (space < 0 || match === null || key.slice(arena.length + 1, space) !== entry.branch) {
      throw new HistoryError('CORRUPT_REFLOG', `reflog row ${JSON.stringify(key)} does not match its entry`);
    }
    rows.push({ seq, entry });
  }
  // Equal sequence numbers come only from a race between processes; the key order breaks the tie.
  rows.sort((a, b) => b.seq - a.seq);
  return rows.map((r) => r.entry);
}

/**
 * Deletes every row whose time is more than `olderThanMs` before `now`, in one write; returns how many.
 * The per-arena counters stay, so later rows still sort after the survivors. The commits the removed
 * rows named stop being roots (unless a branch, a tag or another row still names them).
 */
export async function expireReflog(store: Store, olderThanMs: number, now: number = Date.now()): Promise<number> {
  if (!(olderThanMs >= 0)) throw new HistoryError('BAD_REFLOG_EXPIRY', `reflog expiry must be a non-negative age, got ${olderThanMs}`);
  const cutoff = now - olderThanMs;
  const table = store.meta.table(REFLOG_TABLE);
  let removed = 0;
  await serialized(store.meta, () => store.meta.write((w) => {
    removed = 0;
    for (const [key, bytes] of table.range('')) {
      // The per-arena counter rows are keyed by the bare arena id; entries have a '/' after it.
      if (!key.includes('/')) continue;
      if (decodeReflogEntry(bytes).time < cutoff) {
        w.delete(REFLOG_TABLE, key);
        removed++;
      }
    }
  }));
  return removed;
}
