// One node's sync engine over all its arenas: it announces its branch moves as signed head entries,
// takes peers' entries, fetches what they name, and moves its branches toward the common head that
// convergence.ts defines. Each entry it publishes or forwards goes into its change log (change-log.ts),
// which a returning peer replays from its last ACK; a new or long-gone peer reconciles instead. Its own new
// entries are also handed to `announce` (the daemon gossips them on the arena's topic), and announcements
// heard that way come back through receiveAnnouncement. It consumes
// received bytes and emits bytes through `send`: the daemon (or an in-memory network in tests) carries
// them and never sees inside. Sync layer.
import {
  decodeHeadEntry, isLodeError, BRANCH_KEY_PREFIX, SyncError,
  type ArenaId,
} from '../core/index.ts';
import { acceptHeadEntry, listArenas, listHeadEntries, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { Announcements } from './announcements.ts';
import { BranchConverger } from './branch-converger.ts';
import { ChangeLog, type LogRecord, type PeerRecord } from './change-log.ts';
import { Fetcher, type PeerId } from './fetcher.ts';
import { LogFeed } from './log-feed.ts';
import { decodeSyncMessage, encodeSyncMessage, type SyncMessage } from './messages.ts';
import { DEFAULT_INACTIVE_AFTER_MS, type AnnouncementCounts, type ArenaTransfer, type PeerSyncState, type SyncNodeOptions } from './node-sync-types.ts';
import { serveObjects } from './object-server.ts';
import { answerReconcile, headsFor, HeadReconciliation } from './reconcile-session.ts';

export { DEFAULT_INACTIVE_AFTER_MS, type AnnouncementCounts, type ArenaTransfer, type PeerSyncState, type SyncNodeOptions } from './node-sync-types.ts';

export class SyncNode {
  readonly #store: Store;
  readonly #send: SyncNodeOptions['send'];
  readonly #opts: SyncNodeOptions;
  readonly #fetcher: Fetcher;
  readonly #peers = new Map<PeerId, LogFeed>();
  readonly #log: ChangeLog;
  /** Per peer, the HEADS and LOG messages being accepted, one after another, so an ACK follows what came before. */
  readonly #inbound = new Map<PeerId, Promise<void>>();
  /** The next LOG serial (see LogFeed). */
  #serial = 1;
  readonly #sessions = new Map<string, HeadReconciliation>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #converger: BranchConverger;
  readonly #announcements: Announcements;

  constructor(opts: SyncNodeOptions) {
    this.#store = opts.store;
    this.#send = opts.send;
    this.#opts = opts;
    this.#log = new ChangeLog(opts.store);
    this.#fetcher = new Fetcher({
      store: opts.store,
      send: (peer, m) => this.#emit(peer, m),
      onBadPeer: (peer, e) => this.#opts.onBadPeer?.(peer, e),
      ...opts.fetcher,
    });
    this.#announcements = new Announcements(opts);
    this.#converger = new BranchConverger({
      store: opts.store,
      opts,
      fetcher: this.#fetcher,
      peers: this.#peers,
      held: () => this.#held(),
      now: () => this.#now(),
      record: (entries, arena, origin) => this.#record(entries, arena, origin),
      announce: (arena, entry) => this.#announcements.publish(arena, entry),
    });
  }

  /** Background tasks still running (handling messages, fetching, merging). */
  get busy(): number {
    return this.#tasks.size;
  }

  /** Resolves once no task is running; tasks waiting on peers keep it pending until they are answered. */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Kept change-log records (published or forwarded entries some active peer has not acknowledged). */
  get logLength(): number {
    return this.#log.length;
  }

  /** The commits being fetched now, per arena and branch, with their progress. */
  transfers(): ArenaTransfer[] {
    return this.#converger.transfers();
  }

  /** Objects received from peers and verified since this node started, and their bytes. */
  get received(): { objects: number; bytes: number } {
    return this.#fetcher.received;
  }

  /** Counts of the reactive path (announcements published and heard) since this node started. */
  get announcements(): AnnouncementCounts {
    return this.#announcements.counts;
  }

  /** Every peer this node has met, with its acknowledgement state. */
  peerStates(): PeerSyncState[] {
    const now = this.#now();
    return this.#log.peers().map(([peer, p]) => ({
      peer, active: p.active, connected: this.#peers.has(peer), lastSeen: this.#peers.has(peer) ? now : p.lastSeen,
      acked: p.acked, pending: p.active ? this.#log.countAfter(p.acked) : 0,
    }));
  }

  /**
   * Marks peers away longer than inactiveAfterMs inactive and prunes the log they held back. Runs on every
   * connect and disconnect too; a daemon may call it periodically.
   */
  checkPeers(): Promise<void> {
    return this.#track(this.#log.run(() => this.#checkPeers(new Map())));
  }

  /** A connection to `peer` is up: say which arenas this node replicates; catching up follows the peer's HELLO. */
  peerConnected(peer: PeerId): void {
    this.#peers.set(peer, this.#feed(peer));
    this.#inbound.delete(peer);
    this.#fetcher.peerBack(peer);
    this.#emit(peer, { type: 'hello', arenas: this.#held().map((a) => a.id) });
    this.#spawn(this.#log.run(() => {
      const seen = this.#log.peer(peer) ?? { acked: 0, lastSeen: 0, active: false, arenas: [] };
      return this.#checkPeers(new Map([[peer, { ...seen, lastSeen: this.#now() }]]));
    }));
  }

  peerDisconnected(peer: PeerId): void {
    this.#peers.delete(peer);
    this.#inbound.delete(peer);
    for (const key of [...this.#sessions.keys()]) if (key.startsWith(`${peer}/`)) this.#sessions.delete(key);
    this.#fetcher.peerGone(peer);
    this.#spawn(this.#log.run(() => {
      const seen = this.#log.peer(peer);
      return this.#checkPeers(seen === undefined ? new Map() : new Map([[peer, { ...seen, lastSeen: this.#now() }]]));
    }));
  }

  /**
   * Takes one message from `peer`. Throws SyncError (BAD_MESSAGE, TOO_LARGE, UNKNOWN_MESSAGE, ...) for
   * bytes that are not a valid message, before any state changes: the caller closes that stream.
   * The work the message starts runs in the background (see busy and idle).
   */
  receive(peer: PeerId, bytes: Uint8Array): void {
    const m = decodeSyncMessage(bytes);
    switch (m.type) {
      case 'hello': return this.#hello(peer, m.arenas);
      case 'heads': return this.#inOrder(peer, async () => { await this.#takeEntries(peer, m.entries, m.arena); });
      case 'log': return this.#inOrder(peer, async (feed) => {
        await this.#takeEntries(peer, m.entries, undefined);
        if (this.#peers.get(peer) === feed) this.#emit(peer, { type: 'ack', serial: m.serial, through: m.through });
      });
      case 'ack': return this.#ack(peer, m.serial, m.through);
      case 'want-heads': if (this.#replicates(m.arena)) for (const h of headsFor(this.#store, m.arena, m.ids)) this.#emit(peer, h); return;
      case 'want': return this.#spawn(serveObjects(this.#store, m.ids, (o) => this.#emit(peer, o), (e) => this.#opts.onError?.(e)));
      case 'objects': return this.#fetcher.receiveObjects(peer, m.objects);
      case 'have-not': return this.#fetcher.receiveHaveNot(peer, m.ids);
      case 'reconcile': return this.#reconcile(peer, m.arena, m.role, m.body);
    }
  }

  /**
   * Takes a HEADS message for `arena` broadcast by `from` (the gossip author, which signed the broadcast;
   * it need not be connected). Throws SyncError before any state changes for bytes that are not a HEADS
   * message (BAD_MESSAGE, ...) or that name another arena (WRONG_ARENA). The entries are verified and
   * accepted as from a peer's HEADS; their commits are fetched from the author when connected, else from
   * any connected peer holding the arena. Newly accepted entries go into the change log like any other.
   */
  receiveAnnouncement(from: PeerId, arena: ArenaId, bytes: Uint8Array): void {
    const next = this.#announcements.receive(from, arena, bytes, (a) => this.#replicates(a), (p, entries, a) => this.#takeEntries(p, entries, a));
    if (next !== undefined) this.#spawn(next);
  }

  /**
   * A local branch moved (a commit, a reset): publish it, and merge with what peers published. Runs in
   * the background, since merging may first fetch from peers; failures go to onError.
   */
  branchMoved(arena: ArenaId, branch: string): void {
    if (!this.#replicates(arena)) return;
    this.#spawn(this.#converger.converge(arena, branch));
  }

  /**
   * The peer's arenas are known: an active peer with no gap gets the log records after its last ACK; a
   * new, inactive or gapped peer, and any shared arena new to the pair, is reconciled (this side
   * initiates; the peer does the same for its own view), and a marker LOG after the last session makes it active.
   */
  #hello(peer: PeerId, arenas: ArenaId[]): void {
    let feed = this.#peers.get(peer);
    if (feed === undefined) this.#peers.set(peer, (feed = this.#feed(peer)));
    feed.arenas = new Set(arenas);
    const mine = this.#held().filter((a) => feed.arenas!.has(a.id));
    // Decided and started inside a log step: an entry accepted before it is in the sessions' snapshot or
    // the replayed records, one accepted after it is logged after it and announced live.
    this.#spawn(this.#log.run(async () => {
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
        this.#emit(peer, session.start());
      }
      feed.catchUp(full ? [] : this.#log.after(record.acked), this.#log.lastSeq, full ? undefined : record.acked);
      if (feed.reconciling.size === 0 && full) feed.sendMarker(this.#log.lastSeq);
      // A gap or an expired peer: it no longer holds the log back while it reconciles.
      if (full && record?.active === true) await this.#log.update(new Map([[peer, { ...record, active: false }]]));
    }));
    // Entries accepted while no peer had their commit get another chance now.
    for (const a of mine) for (const branch of this.#branchesWithEntries(a.id)) this.#spawn(this.#converger.converge(a.id, branch, peer));
  }

  /** The peer took a LOG; the marker after a reconciliation makes it active and caught up on the shared arenas. */
  #ack(peer: PeerId, serial: number, through: number): void {
    const feed = this.#peers.get(peer);
    if (feed === undefined) throw new SyncError('BAD_STATE', `an ACK from ${peer} before its connection`);
    const sent = feed.acked(serial, through);
    if (sent === undefined) return;
    this.#spawn(this.#log.run(async () => {
      const record = this.#log.peer(peer);
      if (record === undefined) return;
      let next: PeerRecord;
      if (sent.marker) {
        const arenas = new Set([...(feed.full ? [] : record.arenas), ...feed.shared]);
        next = { ...record, active: true, acked: record.active && !feed.full ? Math.max(record.acked, sent.covers) : sent.covers, arenas: [...arenas], lastSeen: this.#now() };
      } else if (record.active) {
        next = { ...record, acked: Math.max(record.acked, sent.covers) };
      } else {
        return;
      }
      await this.#log.update(new Map([[peer, next]]));
    }));
  }

  /** Inside a log step: saves `changes`, marks peers away too long inactive, and prunes. */
  async #checkPeers(changes: Map<PeerId, PeerRecord>): Promise<void> {
    const now = this.#now();
    const limit = this.#opts.inactiveAfterMs ?? DEFAULT_INACTIVE_AFTER_MS;
    for (const [peer, p] of this.#log.peers()) {
      const current = changes.get(peer) ?? p;
      if (this.#peers.has(peer)) changes.set(peer, { ...current, lastSeen: now });
      else if (current.active && now - current.lastSeen > limit) changes.set(peer, { ...current, active: false });
    }
    await this.#log.update(changes);
  }

  /** Runs `step` after the HEADS and LOG messages from `peer` before it; skipped if the connection ended. */
  #inOrder(peer: PeerId, step: (feed: LogFeed) => Promise<void>): void {
    const feed = this.#peers.get(peer);
    if (feed === undefined) return;
    const run = (): Promise<void> => (this.#peers.get(peer) === feed ? step(feed) : Promise.resolve());
    const before = this.#inbound.get(peer) ?? Promise.resolve();
    const next = before.then(run, run);
    this.#inbound.set(peer, next.catch(() => undefined));
    this.#spawn(next);
  }

  #feed(peer: PeerId): LogFeed {
    return new LogFeed(peer, (m) => this.#emit(peer, m), () => this.#serial++);
  }

  /** Appends entries to the log and sends them to every caught-up peer, in sequence order. */
  #record(entries: readonly Uint8Array[], arena: ArenaId, origin: PeerId | undefined): Promise<void> {
    return this.#log.run(async () => {
      const records: LogRecord[] = await this.#log.append(entries.map((entry) => ({ entry, arena, origin })));
      for (const feed of this.#peers.values()) feed.announce(records);
    });
  }

  #reconcile(peer: PeerId, arena: ArenaId, role: 'initiator' | 'responder', body: Uint8Array): void {
    if (!this.#replicates(arena)) throw new SyncError('NO_SUCH_ARENA', `reconciliation for arena ${arena}, which this node does not replicate`);
    if (role === 'initiator') {
      this.#emit(peer, answerReconcile(this.#store, arena, body, this.#opts.reconciler));
      return;
    }
    const key = `${peer}/${arena}`;
    const session = this.#sessions.get(key);
    if (session === undefined) throw new SyncError('BAD_STATE', `a reconciliation reply from ${peer} for no session`);
    for (const m of session.step(body)) this.#emit(peer, m);
    if (!session.done) return;
    this.#sessions.delete(key);
    const feed = this.#peers.get(peer);
    if (feed === undefined || !feed.reconciling.delete(arena) || feed.reconciling.size > 0) return;
    // Everything the peer lacked went out before this marker: its ACK proves it took them.
    this.#spawn(this.#log.run(() => { if (this.#peers.get(peer) === feed) feed.sendMarker(this.#log.lastSeq); }));
  }

  /**
   * Accepts entries (of `arena` for HEADS; of any arena for LOG) and, in the background, converges their
   * branches and then logs and passes them on. Resolves once they are accepted, so an ACK can follow,
   * with how many were new.
   */
  async #takeEntries(peer: PeerId, entries: Uint8Array[], arena: ArenaId | undefined): Promise<number> {
    const accepted = new Map<string, { arena: ArenaId; branch: string; list: Uint8Array[] }>();
    for (const bytes of entries) {
      let entry;
      try {
        entry = decodeHeadEntry(bytes);
        if (arena !== undefined && entry.arena !== arena) throw new SyncError('WRONG_ARENA', `an entry of another arena in HEADS for ${arena}`);
        // An arena this node does not replicate: not an offence, the peer may not know our list.
        if (!this.#replicates(entry.arena)) continue;
        if (await acceptHeadEntry(this.#store, bytes, { now: this.#now() }) === 'stale') continue;
      } catch (e) {
        if (isLodeError(e) && e.code === 'NO_SUCH_ARENA') continue;
        if (!isLodeError(e)) throw e;
        this.#opts.onBadPeer?.(peer, e);
        continue;
      }
      const branch = entry.key.slice(BRANCH_KEY_PREFIX.length);
      const key = `${entry.arena}/${branch}`;
      let group = accepted.get(key);
      if (group === undefined) accepted.set(key, (group = { arena: entry.arena, branch, list: [] }));
      group.list.push(bytes);
    }
    let count = 0;
    // An announcer that is not connected (gossip relayed by another member) cannot be fetched from.
    const prefer = this.#peers.has(peer) ? peer : undefined;
    for (const { arena: a, branch, list } of accepted.values()) {
      count += list.length;
      this.#spawn((async () => {
        await this.#converger.converge(a, branch, prefer);
        // Pass the news on (epidemic) through the log: each node accepts an entry once, so forwarding ends.
        await this.#record(list, a, peer);
      })());
    }
    return count;
  }


  /** The store's arenas that this node replicates. */
  #held(): ArenaRecord[] {
    const only = this.#opts.arenas?.();
    const all = listArenas(this.#store);
    return only === undefined ? all : all.filter((a) => only.has(a.id));
  }

  #replicates(arena: ArenaId): boolean {
    const only = this.#opts.arenas?.();
    return only === undefined ? listArenas(this.#store).some((a) => a.id === arena) : only.has(arena) && listArenas(this.#store).some((a) => a.id === arena);
  }

  #branchesWithEntries(arena: ArenaId): string[] {
    return [...new Set(listHeadEntries(this.#store, arena).map(({ entry }) => entry.key.slice(BRANCH_KEY_PREFIX.length)))];
  }

  #emit(peer: PeerId, m: SyncMessage): void {
    this.#send(peer, encodeSyncMessage(m));
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  #track(p: Promise<void>): Promise<void> {
    const tracked = p.finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
    return tracked;
  }

  #spawn(p: Promise<void>): void {
    this.#track(p).catch((e: unknown) => this.#opts.onError?.(e));
  }
}