// A SyncNode's change log and its connected peers' feeds from it: how a peer catches up at HELLO (the log
// after its last ACK, or reconciliation), acknowledges, and goes inactive when away too long. Sync layer.
import { SyncError, type ArenaId } from '../core/index.ts';
import type { ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { ChangeLog, type LogRecord, type PeerRecord } from './change-log.ts';
import type { PeerId } from './fetcher.ts';
import { LogFeed } from './log-feed.ts';
import type { ObjectRecord, SyncMessage } from './messages.ts';
import { DEFAULT_INACTIVE_AFTER_MS, type PeerSyncState, type SyncNodeOptions } from './node-sync-types.ts';
import { answerReconcile, HeadReconciliation } from './reconcile-session.ts';

/** What the catch-up uses of its SyncNode. */
export interface PeerCatchUpContext {
  store: Store;
  opts: SyncNodeOptions;
  emit(peer: PeerId, m: SyncMessage): void;
  /** Runs work in the background, as one of the SyncNode's tasks. */
  spawn(p: Promise<void>): void;
  held(): ArenaRecord[];
  replicates(arena: ArenaId): boolean;
  now(): number;
}

/** Plain ACKs noted in memory are written at most this long after the first of them. */
export const ACK_SAVE_DELAY_MS = 250;

export class PeerCatchUp {
  readonly #ctx: PeerCatchUpContext;
  readonly #store: Store;
  readonly #opts: SyncNodeOptions;
  readonly #peers = new Map<PeerId, LogFeed>();
  readonly #log: ChangeLog;
  /** Per peer, the HEADS and LOG messages being accepted, one after another, so an ACK follows what came before. */
  readonly #inbound = new Map<PeerId, Promise<void>>();
  /** The next LOG serial (see LogFeed). */
  #serial = 1;
  readonly #sessions = new Map<string, HeadReconciliation>();
  #ackTimer: NodeJS.Timeout | undefined;

  constructor(ctx: PeerCatchUpContext) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#opts = ctx.opts;
    this.#log = new ChangeLog(ctx.store);
  }

  /** The connected peers, read live. */
  get peers(): ReadonlyMap<PeerId, LogFeed> {
    return this.#peers;
  }

  /** Kept change-log records (published or forwarded entries some active peer has not acknowledged). */
  get logLength(): number {
    return this.#log.length;
  }

  /** Every peer this node has met, with its acknowledgement state. */
  peerStates(): PeerSyncState[] {
    const now = this.#ctx.now();
    return this.#log.peers().map(([peer, p]) => ({
      peer, active: p.active, connected: this.#peers.has(peer), lastSeen: this.#peers.has(peer) ? now : p.lastSeen,
      acked: p.acked, pending: p.active ? this.#log.countAfter(p.acked) : 0,
    }));
  }

  /** Marks peers away too long inactive and prunes the log they held back. */
  checkPeers(): Promise<void> {
    return this.#log.run(() => this.#checkPeers(new Map()));
  }

  /** A connection to `peer` is up: say which arenas this node replicates. */
  connected(peer: PeerId): void {
    this.#peers.set(peer, this.#feed(peer));
    this.#inbound.delete(peer);
    this.#ctx.emit(peer, { type: 'hello', arenas: this.#ctx.held().map((a) => a.id) });
    this.#ctx.spawn(this.#log.run(() => {
      const seen = this.#log.peer(peer) ?? { acked: 0, lastSeen: 0, active: false, arenas: [] };
      return this.#checkPeers(new Map([[peer, { ...seen, lastSeen: this.#ctx.now() }]]));
    }));
  }

  disconnected(peer: PeerId): void {
    this.#peers.delete(peer);
    this.#inbound.delete(peer);
    for (const key of [...this.#sessions.keys()]) if (key.startsWith(`${peer}/`)) this.#sessions.delete(key);
    this.#ctx.spawn(this.#log.run(() => {
      const seen = this.#log.peer(peer);
      return this.#checkPeers(seen === undefined ? new Map() : new Map([[peer, { ...seen, lastSeen: this.#ctx.now() }]]));
    }));
  }

  /**
   * The peer's arenas are known: an active peer with no gap gets the log records after its last ACK; a
   * new, inactive or gapped peer, and any shared arena new to the pair, is reconciled (this side
   * initiates; the peer does the same for its own view), and a marker LOG after the last session makes it
   * active. Returns the arenas both replicate.
   */
  hello(peer: PeerId, arenas: ArenaId[]): ArenaRecord[] {
    let feed = this.#peers.get(peer);
    if (feed === undefined) this.#peers.set(peer, (feed = this.#feed(peer)));
    feed.arenas = new Set(arenas);
    const mine = this.#ctx.held().filter((a) => feed.arenas!.has(a.id));
    // Decided and started inside a log step: an entry accepted before it is in the sessions' snapshot or
    // the replayed records, one accepted after it is logged after it and announced live.
    this.#ctx.spawn(this.#log.run(async () => {
      if (this.#peers.get(peer) !== feed) return;
      const record = this.#log.peer(peer);
      const full = record === undefined || !record.active || record.acked < this.#log.prunedThrough || record.acked > this.#log.lastSeq;
      const known = new Set(full ? [] : record.arenas);
      feed.full = full;
      feed.shared = mine.map((a) => a.id);
      feed.reconciling.clear();
      for (const a of mine) {
        if (known.has(a.id)) continue;
        feed.reconciling.add(a.id);
        const session = new HeadReconciliation(this.#store, a.id, this.#opts.reconciler);
        this.#sessions.set(`${peer}/${a.id}`, session);
        this.#ctx.emit(peer, session.start());
      }
      feed.catchUp(full ? [] : this.#log.after(record.acked), this.#log.lastSeq, full ? undefined : record.acked);
      if (feed.reconciling.size === 0 && full) feed.sendMarker(this.#log.lastSeq);
      // A gap or an expired peer: it no longer holds the log back while it reconciles.
      if (full && record?.active === true) await this.#log.update(new Map([[peer, { ...record, active: false }]]));
    }));
    return mine;
  }

  /** The peer took a LOG; the marker after a reconciliation makes it active and caught up on the shared arenas. */
  ack(peer: PeerId, serial: number, through: number): void {
    const feed = this.#peers.get(peer);
    if (feed === undefined) throw new SyncError('BAD_STATE', `an ACK from ${peer} before its connection`);
    const sent = feed.acked(serial, through);
    if (sent === undefined) return;
    this.#ctx.spawn(this.#log.run(async () => {
      const record = this.#log.peer(peer);
      if (record === undefined) return;
      let next: PeerRecord;
      if (sent.marker) {
        const arenas = new Set([...(feed.full ? [] : record.arenas), ...feed.shared]);
        next = { ...record, active: true, acked: record.active && !feed.full ? Math.max(record.acked, sent.covers) : sent.covers, arenas: [...arenas], lastSeen: this.#ctx.now() };
      } else if (record.active) {
        this.#log.noteAck(peer, { ...record, acked: Math.max(record.acked, sent.covers) });
        this.#saveAcksSoon();
        return;
      } else {
        return;
      }
      await this.#log.update(new Map([[peer, next]]));
    }));
  }

  /** Writes the ACKs noted in memory a little later, many in one transaction (see ChangeLog.noteAck). */
  #saveAcksSoon(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#ctx.spawn(this.#log.run(() => this.#log.update(new Map())));
    }, this.#opts.ackSaveDelayMs ?? ACK_SAVE_DELAY_MS);
    this.#ackTimer.unref?.();
  }

  /** Writes the ACKs noted in memory now (before the store closes). */
  saveAcks(): Promise<void> {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    return this.#log.run(() => (this.#log.unsavedAcks > 0 ? this.#log.update(new Map()) : undefined));
  }

  /** Runs `step` after the HEADS and LOG messages from `peer` before it; skipped if the connection ended. */
  inOrder(peer: PeerId, step: (feed: LogFeed) => Promise<void>): void {
    const feed = this.#peers.get(peer);
    if (feed === undefined) return;
    const run = (): Promise<void> => (this.#peers.get(peer) === feed ? step(feed) : Promise.resolve());
    const before = this.#inbound.get(peer) ?? Promise.resolve();
    const next = before.then(run, run);
    this.#inbound.set(peer, next.catch(() => undefined));
    this.#ctx.spawn(next);
  }

  /** Appends entries to the log and sends them to every caught-up peer, in sequence order. */
  record(entries: readonly Uint8Array[], arena: ArenaId, origin: PeerId | undefined): Promise<void> {
    return this.#log.run(async () => {
      const records: LogRecord[] = await this.#log.append(entries.map((entry) => ({ entry, arena, origin })));
      for (const feed of this.#peers.values()) feed.announce(records);
    });
  }

  /**
   * Sends unasked objects (see push-objects.ts), then the entry that names them, to every connected peer of
   * the arena that is caught up: the first copy of a new head to reach them, with what it needs.
   */
  push(arena: ArenaId, objects: ObjectRecord[], entry: Uint8Array): void {
    for (const feed of this.#peers.values()) {
      if (feed.covered === undefined || feed.arenas?.has(arena) !== true) continue;
      if (objects.length > 0) this.#ctx.emit(feed.peer, { type: 'objects', objects });
      this.#ctx.emit(feed.peer, { type: 'heads', arena, entries: [entry] });
    }
  }

  reconcile(peer: PeerId, arena: ArenaId, role: 'initiator' | 'responder', body: Uint8Array): void {
    if (!this.#ctx.replicates(arena)) throw new SyncError('NO_SUCH_ARENA', `reconciliation for arena ${arena}, which this node does not replicate`);
    if (role === 'initiator') {
      this.#ctx.emit(peer, answerReconcile(this.#store, arena, body, this.#opts.reconciler));
      return;
    }
    const key = `${peer}/${arena}`;
    const session = this.#sessions.get(key);
    if (session === undefined) throw new SyncError('BAD_STATE', `a reconciliation reply from ${peer} for no session`);
    for (const m of session.step(body)) this.#ctx.emit(peer, m);
    if (!session.done) return;
    this.#sessions.delete(key);
    const feed = this.#peers.get(peer);
    if (feed === undefined || !feed.reconciling.delete(arena) || feed.reconciling.size > 0) return;
    // Everything the peer lacked went out before this marker: its ACK proves it took them.
    this.#ctx.spawn(this.#log.run(() => { if (this.#peers.get(peer) === feed) feed.sendMarker(this.#log.lastSeq); }));
  }

  /** Inside a log step: saves `changes`, marks peers away too long inactive, and prunes. */
  async #checkPeers(changes: Map<PeerId, PeerRecord>): Promise<void> {
    const now = this.#ctx.now();
    const limit = this.#opts.inactiveAfterMs ?? DEFAULT_INACTIVE_AFTER_MS;
    for (const [peer, p] of this.#log.peers()) {
      const current = changes.get(peer) ?? p;
      if (this.#peers.has(peer)) changes.set(peer, { ...current, lastSeen: now });
      else if (current.active && now - current.lastSeen > limit) changes.set(peer, { ...current, active: false });
    }
    await this.#log.update(changes);
  }

  #feed(peer: PeerId): LogFeed {
    return new LogFeed(peer, (m) => this.#ctx.emit(peer, m), () => this.#serial++);
  }
}
