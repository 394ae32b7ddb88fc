// The local table of signed head entries: the latest verified entry per (arena, author, key), which
// gossip publishes and reconciliation compares. History layer; rows live in the 'heads' meta table under
// `<arena id>/<author node id>/<key>`, each value the entry's exact signed bytes as received or made.
import {
  blake3, branchKey, compareHeadEntries, decodeHeadEntry, encodeHeadEntry, signHeadEntry, verifyHeadEntry,
  HistoryError, type ArenaId, type CommitId, type HeadEntry,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { checkBranchName } from './refs.ts';
import { serialized } from './write-queue.ts';

export const HEADS_TABLE = 'heads';

export interface StoredHeadEntry { entry: HeadEntry; bytes: Uint8Array }

/** A reconciliation item: the entry's time and BLAKE3 of its bytes. */
export interface HeadEntryItem { timestamp: number; id: Uint8Array }

function rowKey(e: { arena: ArenaId; author: string; key: string }): string {
  return `${e.arena}/${e.author}/${e.key}`;
}

function arenaRecord(store: Store, arena: ArenaId) {
  const record = listArenas(store).find((a) => a.id === arena);
  if (record === undefined) throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena} in this store`);
  return record;
}

/** Writes `entry` unless the stored one for its (arena, author, key) is as new; checked inside the transaction. */
async function writeIfNewer(store: Store, entry: HeadEntry, bytes: Uint8Array): Promise<'accepted' | 'stale'> {
  const table = store.meta.table(HEADS_TABLE);
  const key = rowKey(entry);
  let result: 'accepted' | 'stale' = 'stale';
  await serialized(store.meta, () => store.meta.write((w) => {
    const current = table.get(key);
    if (current !== undefined && compareHeadEntries(entry, decodeHeadEntry(current)) <= 0) return;
    w.put(HEADS_TABLE, key, bytes);
    result = 'accepted';
  }));
  return result;
}

/**
 * Takes an entry from a peer: decodes it strictly (FormatError), refuses an arena this store does not hold
 * (NO_SUCH_ARENA), verifies both signatures and the time (BAD_SIGNATURE, FUTURE_ENTRY), then keeps it only
 * if it is newer than what is stored: 'accepted', else 'stale' (a replay, or an older entry).
 */
export async function acceptHeadEntry(store: Store, bytes: Uint8Array, opts: { now?: number } = {}): Promise<'accepted' | 'stale'> {
  const entry = decodeHeadEntry(bytes);
  arenaRecord(store, entry.arena);
  const held = store.meta.table(HEADS_TABLE).get(rowKey(entry));
  // The very entry stored already (each one arrives several times: pushed, gossiped, logged, relayed):
  // it was verified when it was stored, and storing it again would change nothing.
  if (held !== undefined && Buffer.compare(held, bytes) === 0) return 'stale';
  verifyHeadEntry(entry, { now: opts.now ?? Date.now() });
  if (held !== undefined && compareHeadEntries(entry, decodeHeadEntry(held)) <= 0) return 'stale';
  return writeIfNewer(store, entry, new Uint8Array(bytes));
}

/**
 * Signs and stores this node's entry `branch/<branch>` -> `commit` (signHead, then storeOwnHead).
 */
export async function publishHead(store: Store, arena: ArenaId, branch: string, commit: CommitId, opts: { now?: number } = {}): Promise<StoredHeadEntry> {
  const signed = signHead(store, arena, branch, commit, opts);
  await storeOwnHead(store, signed);
  return signed;
}

/**
 * Signs this node's entry `branch/<branch>` -> `commit`, without storing it: it may be sent before it is
 * stored, since the commit it names is durable here already. Needs the arena's write secret
 * (READ_ONLY_ARENA without it), a good branch name (BAD_BRANCH_NAME) and the commit in the store. The time
 * is `now`, or one past this node's previous entry for the key when the clock went back, so the new entry
 * always supersedes the old.
 */
export function signHead(store: Store, arena: ArenaId, branch: string, commit: CommitId, opts: { now?: number } = {}): StoredHeadEntry {
  checkBranchName(branch);
  const record = arenaRecord(store, arena);
  if (record.secretKey === undefined) throw new HistoryError('READ_ONLY_ARENA', `arena ${record.name} is read-only here: this node has no write key for it`);
  if (store.objects.kind(commit) !== 'commit') throw new HistoryError('NO_SUCH_COMMIT', `commit ${commit} is not in the store`);
  const key = branchKey(branch);
  const { nodeId, secretKey } = store.identity;
  const previous = store.meta.table(HEADS_TABLE).get(rowKey({ arena, author: nodeId, key }));
  let time = opts.now ?? Date.now();
  if (previous !== undefined) time = Math.max(time, decodeHeadEntry(previous).time + 1);
  const entry = signHeadEntry({ arena, author: nodeId, key, commit, time }, secretKey, record.secretKey);
  return { entry, bytes: encodeHeadEntry(entry) };
}

/** Stores an entry from signHead; BRANCH_MOVED when a newer one for its key was stored meanwhile. */
export async function storeOwnHead(store: Store, { entry, bytes }: StoredHeadEntry): Promise<void> {
  // The commit is durable before the entry that names it (metadata implies data).
  await store.objects.flush();
  const result = await writeIfNewer(store, entry, bytes);
  if (result === 'stale') throw new HistoryError('BRANCH_MOVED', `another entry for ${entry.key} was stored meanwhile; publish again`);
}

/** The stored entries of one arena, in key order (author, then key). */
export function listHeadEntries(store: Store, arena: ArenaId): StoredHeadEntry[] {
  const out: StoredHeadEntry[] = [];
  for (const [, bytes] of store.meta.table(HEADS_TABLE).range(`${arena}/`)) out.push({ entry: decodeHeadEntry(bytes), bytes });
  return out;
}

/** The arena's entries as reconciliation items, sorted by (timestamp, id) as the sync index orders them. */
export function headEntryItems(store: Store, arena: ArenaId): HeadEntryItem[] {
  const items = listHeadEntries(store, arena).map(({ entry, bytes }) => ({ timestamp: entry.time, id: blake3(bytes) }));
  return items.sort((a, b) => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id));
}
