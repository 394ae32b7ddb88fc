// The node's change log: the head entries it published or forwarded, numbered in order, kept until every
// active peer has acknowledged them, plus what it knows of each peer (last ack, last seen, active or not).
// Both live in meta tables so a restart resumes where it stopped. Sync layer, below node-sync.ts.
import { decodeCbor, decodeHeadEntry, encodeCbor, fields as f, hashToBytes, toHex, type ArenaId, type Hash } from '../core/index.ts';
import type { MetaWrite, Store } from '../store/index.ts';
import type { PeerId } from './fetcher.ts';

export const LOG_TABLE = 'sync-log';
export const PEERS_TABLE = 'sync-peers';
const RECORD_PREFIX = 'seq/';
const STATE_KEY = 'state';
const FORMAT = 1;
/** Peers are few (a household); the bound only keeps a damaged row from claiming huge lists. */
const MAX_PEER_ARENAS = 1 << 16;

export interface LogRecord {
  seq: number;
  /** The signed head entry, as it travels. */
  entry: Uint8Array;
  /** The entry's arena (decoded from it). */
  arena: ArenaId;
  /** The peer it came from; undefined for this node's own entries. That peer is not sent it back. */
  origin: PeerId | undefined;
}

export interface PeerRecord {
  /** The last log sequence number the peer acknowledged (0: none). */
  acked: number;
  /** When the node last saw the peer connected (ms since the epoch, by the node's clock). */
  lastSeen: number;
  /** False for a peer never caught up, or away past the limit: it does not hold the log back, and reconciles on return. */
  active: boolean;
  /** The arenas this peer was caught up on (reconciled once); a new shared arena is reconciled. */
  arenas: ArenaId[];
}

function seqKey(seq: number): string {
  return RECORD_PREFIX + String(seq).padStart(16, '0');
}

function encodeRecord(r: LogRecord): Uint8Array {
  return encodeCbor(r.origin === undefined ? { v: FORMAT, entry: r.entry } : { v: FORMAT, entry: r.entry, origin: hashToBytes(r.origin as Hash) });
}

function decodeRecord(key: string, bytes: Uint8Array): LogRecord {
  const m = f.asMap(decodeCbor(bytes, 'sync log record'), 'sync log record');
  f.exactKeys(m, 'sync log record', ['v', 'entry'], ['origin']);
  f.literal(m.v, FORMAT, 'sync log record.v');
  const origin = m.origin === undefined ? undefined : toHex(f.bytes(m.origin, 'sync log record.origin', 32));
  const entry = f.bytes(m.entry, 'sync log record.entry');
  return { seq: Number(key.slice(RECORD_PREFIX.length)), entry, arena: decodeHeadEntry(entry).arena, origin };
}

function encodePeer(p: PeerRecord): Uint8Array {
  return encodeCbor({ v: FORMAT, acked: p.acked, seen: p.lastSeen, active: p.active ? 1 : 0, arenas: p.arenas.map((a) => hashToBytes(a)) });
}

function decodePeer(bytes: Uint8Array): PeerRecord {
  const m = f.asMap(decodeCbor(bytes, 'sync peer record'), 'sync peer record');
  f.exactKeys(m, 'sync peer record', ['v', 'acked', 'seen', 'active', 'arenas']);
  f.literal(m.v, FORMAT, 'sync peer record.v');
  return {
    acked: f.uint(m.acked, 'sync peer record.acked'),
    lastSeen: f.uint(m.seen, 'sync peer record.seen'),
    active: f.uint(m.active, 'sync peer record.active', 1) === 1,
    arenas: f.list(m.arenas, 'sync peer record.arenas', MAX_PEER_ARENAS).map((a, i) => toHex(f.bytes(a, `sync peer record.arenas[${i}]`, 32)) as ArenaId),
  };
}

/**
 * Every change goes through `run`, one at a time: a step sees the state every earlier step left, so the
 * node can send what a step made durable, in sequence order, from inside that step.
 */
export class ChangeLog {
  readonly #store: Store;
  readonly #peers = new Map<PeerId, PeerRecord>();
  #lastSeq = 0;
  #prunedThrough = 0;
  #length = 0;
  #tail: Promise<unknown> = Promise.resolve();
  /** Plain ACKs taken in memory and not written yet (see noteAck). */
  readonly #unsaved = new Map<PeerId, PeerRecord>();

  constructor(store: Store) {
    this.#store = store;
    const log = store.meta.table(LOG_TABLE);
    const state = log.get(STATE_KEY);
    if (state !== undefined) {
      const m = f.asMap(decodeCbor(state, 'sync log state'), 'sync log state');
      f.exactKeys(m, 'sync log state', ['v', 'pruned']);
      f.literal(m.v, FORMAT, 'sync log state.v');
      this.#prunedThrough = f.uint(m.pruned, 'sync log state.pruned');
    }
    this.#lastSeq = this.#prunedThrough;
    for (const [key] of log.range(RECORD_PREFIX)) {
      this.#lastSeq = Math.max(this.#lastSeq, Number(key.slice(RECORD_PREFIX.length)));
      this.#length++;
    }
    for (const [peer, bytes] of store.meta.table(PEERS_TABLE).range('')) this.#peers.set(peer, decodePeer(bytes));
  }

  /** The last sequence number handed out (0: none yet). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Records up to this number were pruned: a peer that acked less has a gap and must reconcile. */
  get prunedThrough(): number {
    return this.#prunedThrough;
  }

  /** Records kept. */
  get length(): number {
    return this.#length;
  }

  /** Runs `step` after every step queued before it, whether those failed or not. */
  run<T>(step: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(step, step);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** The kept records after `seq`, in order. */
  *after(seq: number): Generator<LogRecord> {
    for (const [key, bytes] of this.#store.meta.table(LOG_TABLE).range(RECORD_PREFIX)) {
      if (Number(key.slice(RECORD_PREFIX.length)) > seq) yield decodeRecord(key, bytes);
    }
  }

  /** How many kept records come after `seq`. */
  countAfter(seq: number): number {
    return Math.min(this.#length, Math.max(0, this.#lastSeq - Math.max(seq, this.#prunedThrough)));
  }

  peer(peer: PeerId): PeerRecord | undefined {
    const p = this.#peers.get(peer);
    return p === undefined ? undefined : { ...p, arenas: [...p.arenas] };
  }

  peers(): [PeerId, PeerRecord][] {
    return [...this.#peers].map(([id, p]) => [id, { ...p, arenas: [...p.arenas] }]);
  }

  /** Appends entries durably; call inside `run`. Returns them numbered. */
  async append(entries: readonly Omit<LogRecord, 'seq'>[]): Promise<LogRecord[]> {
    const records = entries.map((e, i) => ({ seq: this.#lastSeq + 1 + i, ...e }));
    if (records.length === 0) return records;
    await this.#store.meta.write((w) => { for (const r of records) w.put(LOG_TABLE, seqKey(r.seq), encodeRecord(r)); });
    this.#lastSeq += records.length;
    this.#length += records.length;
    return records;
  }

  /**
   * Saves peer records, then deletes the records every active peer acknowledged (all of them when no
   * peer is active: nobody is owed them, and a peer that returns reconciles). Call inside `run`.
   */
  /**
   * Inside a step: takes a peer's plain ACK in memory at once and writes it with the next update. Every
   * ACK made durable at once cost a transaction per message at the busiest moment; one lost to a crash only
   * means records are sent again, which the peer takes as stale.
   */
  noteAck(peer: PeerId, record: PeerRecord): void {
    this.#peers.set(peer, { ...record, arenas: [...record.arenas] });
    this.#unsaved.set(peer, record);
  }

  /** ACKs noted and not written yet. */
  get unsavedAcks(): number {
    return this.#unsaved.size;
  }

  async update(changes: ReadonlyMap<PeerId, PeerRecord>): Promise<void> {
    if (this.#unsaved.size > 0) {
      changes = new Map([...this.#unsaved, ...changes]);
      this.#unsaved.clear();
    }
    const peers = new Map(this.#peers);
    for (const [id, p] of changes) peers.set(id, p);
    let through = this.#lastSeq;
    for (const p of peers.values()) if (p.active) through = Math.min(through, p.acked);
    const prune = through > this.#prunedThrough;
    if (changes.size === 0 && !prune) return;
    const pruned: string[] = [];
    if (prune) {
      for (const [key] of this.#store.meta.table(LOG_TABLE).range(RECORD_PREFIX)) {
        if (Number(key.slice(RECORD_PREFIX.length)) > through) break;
        pruned.push(key);
      }
    }
    await this.#store.meta.write((w: MetaWrite) => {
      for (const [id, p] of changes) w.put(PEERS_TABLE, id, encodePeer(p));
      if (prune) {
        for (const key of pruned) w.delete(LOG_TABLE, key);
        w.put(LOG_TABLE, STATE_KEY, encodeCbor({ v: FORMAT, pruned: through }));
      }
    });
    for (const [id, p] of changes) this.#peers.set(id, { ...p, arenas: [...p.arenas] });
    if (prune) {
      this.#prunedThrough = through;
      this.#length -= pruned.length;
    }
  }
}
