// One node's sync engine over all its arenas: it announces its branch moves as signed head entries,
// takes peers' entries, fetches what they name, and moves its branches toward the common head that
// convergence.ts defines. Each entry it publishes or forwards goes into its change log (change-log.ts),
// which a returning peer replays from its last ACK; a new or long-gone peer reconciles instead
// (peer-catch-up.ts). Its own new entries are also handed to `announce` (the daemon gossips them on the
// arena's topic), and announcements heard that way come back through receiveAnnouncement. It consumes
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
import { Fetcher, type PeerId } from './fetcher.ts';
import { decodeSyncMessage, encodeSyncMessage, type SyncMessage } from './messages.ts';
import type { AnnouncementCounts, ArenaTransfer, PeerSyncState, SyncNodeOptions } from './node-sync-types.ts';
import { serveObjects } from './object-server.ts';
import { PeerCatchUp } from './peer-catch-up.ts';
import { headsFor } from './reconcile-session.ts';

export { DEFAULT_INACTIVE_AFTER_MS, type AnnouncementCounts, type ArenaTransfer, type PeerSyncState, type SyncNodeOptions } from './node-sync-types.ts';

export class SyncNode {
  readonly #store: Store;
  readonly #send: SyncNodeOptions['send'];
  readonly #opts: SyncNodeOptions;
  readonly #fetcher: Fetcher;
  readonly #catchUp: PeerCatchUp;
  readonly #tasks = new Set<Promise<void>>();
  readonly #converger: BranchConverger;
  readonly #announcements: Announcements;

  constructor(opts: SyncNodeOptions) {
    this.#store = opts.store;
    this.#send = opts.send;
    this.#opts = opts;
    this.#catchUp = new PeerCatchUp({
      store: opts.store,
      opts,
      emit: (peer, m) => this.#emit(peer, m),
      spawn: (p) => this.#spawn(p),
      held: () => this.#held(),
      replicates: (arena) => this.#replicates(arena),
      now: () => this.#now(),
    });
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
      peers: this.#catchUp.peers,
      held: () => this.#held(),
      now: () => this.#now(),
      record: (entries, arena, origin) => this.#catchUp.record(entries, arena, origin),
      push: (arena, objects, entry) => this.#catchUp.push(arena, objects, entry),
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
    // ACKs held in memory are written now, since the caller may close the store next.
    await this.#catchUp.saveAcks();
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Kept change-log records (published or forwarded entries some active peer has not acknowledged). */
  get logLength(): number {
    return this.#catchUp.logLength;
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
    return this.#catchUp.peerStates();
  }

  /**
   * Marks peers away longer than inactiveAfterMs inactive and prunes the log they held back. Runs on every
   * connect and disconnect too; a daemon may call it periodically.
   */
  checkPeers(): Promise<void> {
    return this.#track(this.#catchUp.checkPeers());
  }

  /** A connection to `peer` is up: say which arenas this node replicates; catching up follows the peer's HELLO. */
  peerConnected(peer: PeerId): void {
    this.#fetcher.peerBack(peer);
    this.#catchUp.connected(peer);
  }

  peerDisconnected(peer: PeerId): void {
    this.#fetcher.peerGone(peer);
    this.#catchUp.disconnected(peer);
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
      case 'heads': return this.#catchUp.inOrder(peer, async () => { await this.#takeEntries(peer, m.entries, m.arena); });
      case 'log': return this.#catchUp.inOrder(peer, async (feed) => {
        await this.#takeEntries(peer, m.entries, undefined);
        if (this.#catchUp.peers.get(peer) === feed) this.#emit(peer, { type: 'ack', serial: m.serial, through: m.through });
      });
      case 'ack': return this.#catchUp.ack(peer, m.serial, m.through);
      case 'want-heads': if (this.#replicates(m.arena)) for (const h of headsFor(this.#store, m.arena, m.ids)) this.#emit(peer, h); return;
      case 'want': return this.#spawn(serveObjects(this.#store, m.ids, (o) => this.#emit(peer, o), (e) => this.#opts.onError?.(e)));
      case 'objects': return this.#fetcher.receiveObjects(peer, m.objects);
      case 'have-not': return this.#fetcher.receiveHaveNot(peer, m.ids);
      case 'reconcile': return this.#catchUp.reconcile(peer, m.arena, m.role, m.body);
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

  /** The peer's arenas are known: it catches up (see PeerCatchUp.hello). */
  #hello(peer: PeerId, arenas: ArenaId[]): void {
    const mine = this.#catchUp.hello(peer, arenas);
    // Entries accepted while no peer had their commit get another chance now.
    for (const a of mine) for (const branch of this.#branchesWithEntries(a.id)) this.#spawn(this.#converger.converge(a.id, branch, peer));
  }

  /**
   * Accepts entries (of `arena` for HEADS; of any arena for LOG) and, in the background, converges their
   * branches and then logs and passes them on. Resolves once they are accepted, so an ACK can follow,
   * with how many were new.
   */
  async #takeEntries(peer: PeerId, entries: Uint8Array[], arena: ArenaId | undefined): Promise<number> {
    const accepted = new Map<string, { arena: ArenaId; branch: string; list: Uint8Array[] }>();
    const retry = new Map<string, { arena: ArenaId; branch: string }>();
    for (const bytes of entries) {
      let entry;
      try {
        entry = decodeHeadEntry(bytes);
        if (arena !== undefined && entry.arena !== arena) throw new SyncError('WRONG_ARENA', `an entry of another arena in HEADS for ${arena}`);
        // An arena this node does not replicate: not an offence, the peer may not know our list.
        if (!this.#replicates(entry.arena)) continue;
        const branch = entry.key.slice(BRANCH_KEY_PREFIX.length);
        const key = `${entry.arena}/${branch}`;
        if (await acceptHeadEntry(this.#store, bytes, { now: this.#now() }) === 'stale') {
          // Held already, but no peer could give its commit (its announcer left or lied): a peer relaying
          // it has it, since relays follow convergence. Nothing else would ask again before the next HELLO.
          if (!this.#store.objects.has(entry.commit) && this.#converger.lacksCommits(entry.arena, branch)) retry.set(key, { arena: entry.arena, branch });
          continue;
        }
        let group = accepted.get(key);
        if (group === undefined) accepted.set(key, (group = { arena: entry.arena, branch, list: [] }));
        group.list.push(bytes);
      } catch (e) {
        if (isLodeError(e) && e.code === 'NO_SUCH_ARENA') continue;
        if (!isLodeError(e)) throw e;
        this.#opts.onBadPeer?.(peer, e);
      }
    }
    let count = 0;
    // An announcer that is not connected (gossip relayed by another member) cannot be fetched from.
    const prefer = this.#catchUp.peers.has(peer) ? peer : undefined;
    for (const [key, { arena: a, branch }] of retry) {
      if (!accepted.has(key) && prefer !== undefined) this.#spawn(this.#converger.converge(a, branch, prefer));
    }
    for (const { arena: a, branch, list } of accepted.values()) {
      count += list.length;
      this.#spawn((async () => {
        await this.#converger.converge(a, branch, prefer);
        // Pass the news on (epidemic) through the log: each node accepts an entry once, so forwarding ends.
        await this.#catchUp.record(list, a, peer);
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
