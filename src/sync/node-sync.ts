// One node's sync engine over all its arenas: it announces its branch moves as signed head entries,
// takes peers' entries, fetches what they name, and moves its branches toward the common head that
// convergence.ts defines. Each entry it publishes or forwards goes into its change log (change-log.ts),
// which a returning peer replays from its last ACK; a new or long-gone peer reconciles instead. Its own new
// entries are also handed to `announce` (the daemon gossips them on the arena's topic), and announcements
// heard that way come back through receiveAnnouncement. It consumes
// received bytes and emits bytes through `send`: the daemon (or an in-memory network in tests) carries
// them and never sees inside. Sync layer.
import {
  branchKey, decodeHeadEntry, isLodeError, BRANCH_KEY_PREFIX, SyncError,
  type ArenaId, type CommitId, type Hash, type LodeError,
} from '../core/index.ts';
import { acceptHeadEntry, getBranch, listArenas, listHeadEntries, moveBranch, publishHead, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { ChangeLog, type LogRecord, type PeerRecord } from './change-log.ts';
import { coveringHead, frontier, joinFrontier } from './convergence.ts';
import { Fetcher, type FetchProgress, type PeerId } from './fetcher.ts';
import { LogFeed } from './log-feed.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_OBJECT_BYTES, type ObjectRecord, type SyncMessage } from './messages.ts';
import { answerReconcile, headsFor, HeadReconciliation } from './reconcile-session.ts';
import type { ReconcilerOptions } from './reconciler.ts';

export interface SyncNodeOptions {
  store: Store;
  /** Delivers `bytes` to `peer`, in order per peer. Must not throw. */
  send(peer: PeerId, bytes: Uint8Array): void;
  /** A peer sent something hostile or wrong (a forged entry, bytes that fail their hash). */
  onBadPeer?(peer: PeerId, error: LodeError): void;
  /** Background work failed for a reason other than a peer's fault. */
  onError?(error: unknown): void;
  /** The clock that judges entries stamped in the future, and how long a peer has been away. */
  now?(): number;
  /** A peer not seen for longer is marked inactive at the next check (default DEFAULT_INACTIVE_AFTER_MS, 7 days). */
  inactiveAfterMs?: number;
  /**
   * The arenas to replicate (default: every arena the store holds). Others are not offered in HELLO, not
   * reconciled, and their head entries are neither taken from peers nor published; objects are still
   * served to whoever asks, since an object id says nothing about its arena.
   */
  arenas?(): ReadonlySet<ArenaId>;
  /** A local branch of a read-only arena moved to a commit no signed head names: peers will not take it. */
  onCannotPublish?(arena: ArenaId, branch: string, commit: CommitId): void;
  /**
   * The reactive path: called once with an encoded HEADS message for each entry this node publishes (a
   * local branch move, a sync merge), for the carrier to broadcast to the arena's subscribers (gossip).
   * The entry also goes into the change log, so a peer the broadcast misses still gets it as a LOG. Must not throw.
   */
  announce?(arena: ArenaId, bytes: Uint8Array): void;
  reconciler?: ReconcilerOptions;
  fetcher?: { maxInFlight?: number; chunkWindow?: number; requestTimeoutMs?: number };
}

/** One peer as `lode peers` and `lode sync status` show it. */
export interface PeerSyncState {
  peer: PeerId;
  /** False: not caught up yet, or away past inactiveAfterMs; it reconciles on return. */
  active: boolean;
  connected: boolean;
  /** Last seen connected (ms since the epoch); now for a connected peer. */
  lastSeen: number;
  /** The last change-log sequence number it acknowledged. */
  acked: number;
  /** Kept log records it has not acknowledged (0 for an inactive peer: it will reconcile). */
  pending: number;
}

/** HEADS messages heard through receiveAnnouncement (gossip), as `lode sync status` counts them. */
export interface AnnouncementCounts {
  /** Well-formed HEADS messages received for a replicated arena. */
  messages: number;
  /** Head entries they carried. */
  entries: number;
  /** Of those, entries this node did not hold yet and accepted. */
  accepted: number;
  /** Announcements of this node's own entries handed to `announce`. */
  published: number;
}

/** A commit being fetched for an arena's branch, as `lode sync status` shows it. */
export interface ArenaTransfer extends FetchProgress {
  arena: ArenaId;
  branch: string;
  started: number;
}

export const DEFAULT_INACTIVE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

const COMMAND = 'sync';

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
  /** One convergence at a time per (arena, branch); a trigger during one runs it once more after. */
  readonly #converging = new Map<string, { again: boolean; prefer: Set<PeerId> }>();
  readonly #transfers = new Set<ArenaTransfer>();
  /** (arena, branch, commit) already reported through onCannotPublish. */
  readonly #unpublishable = new Set<string>();
  /** Per author, the announcements being accepted, one after another. */
  readonly #announced = new Map<PeerId, Promise<void>>();
  readonly #announcements: AnnouncementCounts = { messages: 0, entries: 0, accepted: 0, published: 0 };

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
    return [...this.#transfers].map((t) => ({ ...t }));
  }

  /** Objects received from peers and verified since this node started, and their bytes. */
  get received(): { objects: number; bytes: number } {
    return this.#fetcher.received;
  }

  /** Counts of the reactive path (announcements published and heard) since this node started. */
  get announcements(): AnnouncementCounts {
    return { ...this.#announcements };
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
      case 'want': return this.#spawn(this.#serve(peer, m.ids));
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
    const m = decodeSyncMessage(bytes);
    if (m.type !== 'heads') throw new SyncError('BAD_MESSAGE', `an announcement must be a HEADS message, got ${m.type}`);
    if (m.arena !== arena) throw new SyncError('WRONG_ARENA', `an announcement of arena ${m.arena} on the topic of ${arena}`);
    if (!this.#replicates(arena)) return;
    this.#announcements.messages++;
    this.#announcements.entries += m.entries.length;
    const run = async (): Promise<void> => {
      this.#announcements.accepted += await this.#takeEntries(from, m.entries, arena);
    };
    const next = (this.#announced.get(from) ?? Promise.resolve()).then(run);
    const settled = next.catch(() => undefined);
    this.#announced.set(from, settled);
    void settled.then(() => { if (this.#announced.get(from) === settled) this.#announced.delete(from); });
    this.#spawn(next);
  }

  /**
   * A local branch moved (a commit, a reset): publish it, and merge with what peers published. Runs in
   * the background, since merging may first fetch from peers; failures go to onError.
   */
  branchMoved(arena: ArenaId, branch: string): void {
    if (!this.#replicates(arena)) return;
    this.#spawn(this.#converge(arena, branch));
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
    for (const a of mine) for (const branch of this.#branchesWithEntries(a.id)) this.#spawn(this.#converge(a.id, branch, peer));
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
        await this.#converge(a, branch, prefer);
        // Pass the news on (epidemic) through the log: each node accepts an entry once, so forwarding ends.
        await this.#record(list, a, peer);
      })());
    }
    return count;
  }

  #converge(arena: ArenaId, branch: string, prefer?: PeerId): Promise<void> {
    const key = `${arena}/${branch}`;
    const running = this.#converging.get(key);
    if (running !== undefined) {
      running.again = true;
      if (prefer !== undefined) running.prefer.add(prefer);
      return Promise.resolve();
    }
    const state = { again: true, prefer: new Set<PeerId>(prefer === undefined ? [] : [prefer]) };
    this.#converging.set(key, state);
    return (async () => {
      try {
        while (state.again) {
          state.again = false;
          const prefer = [...state.prefer];
          state.prefer.clear();
          await this.#convergeOnce(arena, branch, prefer);
        }
      } finally {
        this.#converging.delete(key);
      }
    })();
  }

  /** Fetches every entry's commit it can, then moves the branch to its target and publishes it. */
  async #convergeOnce(arena: ArenaId, branch: string, prefer: PeerId[]): Promise<void> {
    const record = this.#held().find((a) => a.id === arena);
    if (record === undefined) return;
    const key = branchKey(branch);
    const peers = [...new Set([...prefer, ...[...this.#peers].filter(([, s]) => s.arenas?.has(arena)).map(([p]) => p)])];
    const heads: CommitId[] = [];
    for (const { entry } of listHeadEntries(this.#store, arena)) {
      if (entry.key !== key) continue;
      try {
        // The entry's author has its commit for sure; then whoever announced, then everyone else.
        const author = entry.author as string;
        if (!this.#store.objects.has(entry.commit)) {
          const transfer: ArenaTransfer = { arena, branch, commit: entry.commit, objectsReceived: 0, bytesReceived: 0, outstanding: 0, started: this.#now() };
          this.#transfers.add(transfer);
          try {
            await this.#fetcher.fetchCommit(entry.commit, this.#peers.has(author) ? [author, ...peers.filter((p) => p !== author)] : peers, transfer);
          } finally {
            this.#transfers.delete(transfer);
          }
        }
        heads.push(entry.commit);
      } catch (e) {
        // No connected peer has it yet: the next HELLO or HEADS retries.
        if (!(e instanceof SyncError && e.code === 'UNAVAILABLE')) throw e;
      }
    }
    for (;;) {
      const own = getBranch(this.#store, arena, branch);
      const all = own === undefined ? heads : [own, ...heads];
      if (all.length === 0) return;
      const f = await frontier(this.#store, arena, all);
      let target: CommitId | undefined;
      if (record.secretKey !== undefined) target = await joinFrontier(this.#store, arena, record.secretKey, f);
      else if (own === undefined || await coveringHead(this.#store, f, [own]) === undefined) target = await coveringHead(this.#store, f, all);
      if (target === undefined || target === own) break;
      try {
        await moveBranch(this.#store, arena, branch, target, { command: COMMAND, reason: `sync to ${target.slice(0, 12)}`, expect: own ?? null });
        break;
      } catch (e) {
        // A local commit moved the branch meanwhile: take it into account and try again.
        if (!(isLodeError(e) && e.code === 'BRANCH_MOVED')) throw e;
      }
    }
    await this.#publishOwn(arena, branch);
  }

  /** Publishes this node's entry for the branch when it lags the branch (writers only) and announces it. */
  async #publishOwn(arena: ArenaId, branch: string): Promise<void> {
    const record = this.#held().find((a) => a.id === arena);
    const head = getBranch(this.#store, arena, branch);
    if (record === undefined || head === undefined) return;
    const key = branchKey(branch);
    if (record.secretKey === undefined) {
      // A read-only member cannot sign for the arena: a local commit stays local, and the owner is told once.
      const named = listHeadEntries(this.#store, arena).some(({ entry }) => entry.key === key && entry.commit === head);
      const report = `${arena}/${branch}/${head}`;
      if (!named && !this.#unpublishable.has(report)) {
        this.#unpublishable.add(report);
        this.#opts.onCannotPublish?.(arena, branch, head);
      }
      return;
    }
    const mine = listHeadEntries(this.#store, arena).find(({ entry }) => entry.author === this.#store.identity.nodeId && entry.key === key);
    if (mine?.entry.commit === head) return;
    const { bytes } = await publishHead(this.#store, arena, branch, head, { now: this.#now() });
    await this.#record([bytes], arena, undefined);
    this.#announce(arena, bytes);
  }

  /** Hands the carrier one HEADS message for a new entry of this node's own; its failure is no sync failure. */
  #announce(arena: ArenaId, entry: Uint8Array): void {
    const announce = this.#opts.announce;
    if (announce === undefined) return;
    try {
      announce(arena, encodeSyncMessage({ type: 'heads', arena, entries: [entry] }));
      this.#announcements.published++;
    } catch (e) {
      this.#opts.onError?.(e);
    }
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

  /** Answers a WANT: OBJECTS messages of at most MAX_OBJECT_BYTES each, and one HAVE_NOT for the rest. */
  async #serve(peer: PeerId, ids: readonly Hash[]): Promise<void> {
    const objects = this.#store.objects;
    const missing: Hash[] = [];
    let batch: ObjectRecord[] = [];
    let size = 0;
    for (const id of ids) {
      const kind = objects.kind(id);
      if (kind === undefined) { missing.push(id); continue; }
      let bytes: Uint8Array;
      try {
        bytes = await objects.get(id);
      } catch (e) {
        // A bad disk: say we lack it (the peer asks elsewhere) and let the daemon know.
        if (!(isLodeError(e) && e.code === 'CORRUPT')) throw e;
        this.#opts.onError?.(e);
        missing.push(id);
        continue;
      }
      if (size + bytes.length > MAX_OBJECT_BYTES && batch.length > 0) {
        this.#emit(peer, { type: 'objects', objects: batch });
        batch = [];
        size = 0;
      }
      batch.push({ kind, id, bytes });
      size += bytes.length;
    }
    if (batch.length > 0) this.#emit(peer, { type: 'objects', objects: batch });
    if (missing.length > 0) this.#emit(peer, { type: 'have-not', ids: missing });
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
