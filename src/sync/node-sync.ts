// One node's sync engine over all its arenas: it announces its branch moves as signed head entries,
// takes peers' entries, fetches what they name, and moves its branches toward the common head that
// convergence.ts defines. It consumes received bytes and emits bytes through `send`: the daemon (or an
// in-memory network in tests) carries them and never sees inside. Sync layer.
import {
  branchKey, decodeHeadEntry, isLodeError, BRANCH_KEY_PREFIX, SyncError,
  type ArenaId, type CommitId, type Hash, type LodeError,
} from '../core/index.ts';
import { acceptHeadEntry, getBranch, listArenas, listHeadEntries, moveBranch, publishHead } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { coveringHead, frontier, joinFrontier } from './convergence.ts';
import { Fetcher, type PeerId } from './fetcher.ts';
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
  /** The clock that judges entries stamped in the future. */
  now?(): number;
  reconciler?: ReconcilerOptions;
  fetcher?: { maxInFlight?: number; chunkWindow?: number; requestTimeoutMs?: number };
}

interface PeerState { arenas: Set<ArenaId> | undefined }

const COMMAND = 'sync';

export class SyncNode {
  readonly #store: Store;
  readonly #send: SyncNodeOptions['send'];
  readonly #opts: SyncNodeOptions;
  readonly #fetcher: Fetcher;
  readonly #peers = new Map<PeerId, PeerState>();
  readonly #sessions = new Map<string, HeadReconciliation>();
  readonly #tasks = new Set<Promise<void>>();
  /** One convergence at a time per (arena, branch); a trigger during one runs it once more after. */
  readonly #converging = new Map<string, { again: boolean; prefer: Set<PeerId> }>();

  constructor(opts: SyncNodeOptions) {
    this.#store = opts.store;
    this.#send = opts.send;
    this.#opts = opts;
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

  /** A connection to `peer` is up: say which arenas this node replicates; reconciliation follows the peer's HELLO. */
  peerConnected(peer: PeerId): void {
    this.#peers.set(peer, { arenas: undefined });
    this.#fetcher.peerBack(peer);
    this.#emit(peer, { type: 'hello', arenas: listArenas(this.#store).map((a) => a.id) });
  }

  peerDisconnected(peer: PeerId): void {
    this.#peers.delete(peer);
    for (const key of [...this.#sessions.keys()]) if (key.startsWith(`${peer}/`)) this.#sessions.delete(key);
    this.#fetcher.peerGone(peer);
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
      case 'heads': return this.#spawn(this.#heads(peer, m.arena, m.entries));
      case 'want-heads': for (const h of headsFor(this.#store, m.arena, m.ids)) this.#emit(peer, h); return;
      case 'want': return this.#spawn(this.#serve(peer, m.ids));
      case 'objects': return this.#fetcher.receiveObjects(peer, m.objects);
      case 'have-not': return this.#fetcher.receiveHaveNot(peer, m.ids);
      case 'reconcile': return this.#reconcile(peer, m.arena, m.role, m.body);
    }
  }

  /**
   * A local branch moved (a commit, a reset): publish it, and merge with what peers published. Runs in
   * the background, since merging may first fetch from peers; failures go to onError.
   */
  branchMoved(arena: ArenaId, branch: string): void {
    this.#spawn(this.#converge(arena, branch));
  }

  #hello(peer: PeerId, arenas: ArenaId[]): void {
    const state = this.#peers.get(peer) ?? { arenas: undefined };
    state.arenas = new Set(arenas);
    this.#peers.set(peer, state);
    const mine = listArenas(this.#store).filter((a) => state.arenas!.has(a.id));
    // One side initiates per pair: the smaller node id, so both do not run the same session twice.
    if (this.#store.identity.nodeId < peer) {
      for (const a of mine) {
        const session = new HeadReconciliation(this.#store, a.id, this.#opts.reconciler);
        this.#sessions.set(`${peer}/${a.id}`, session);
        this.#emit(peer, session.start());
      }
    }
    // Entries accepted while no peer had their commit get another chance now.
    for (const a of mine) for (const branch of this.#branchesWithEntries(a.id)) this.#spawn(this.#converge(a.id, branch, peer));
  }

  #reconcile(peer: PeerId, arena: ArenaId, role: 'initiator' | 'responder', body: Uint8Array): void {
    if (!listArenas(this.#store).some((a) => a.id === arena)) throw new SyncError('NO_SUCH_ARENA', `reconciliation for arena ${arena}, which this node does not hold`);
    if (role === 'initiator') {
      this.#emit(peer, answerReconcile(this.#store, arena, body, this.#opts.reconciler));
      return;
    }
    const key = `${peer}/${arena}`;
    const session = this.#sessions.get(key);
    if (session === undefined) throw new SyncError('BAD_STATE', `a reconciliation reply from ${peer} for no session`);
    for (const m of session.step(body)) this.#emit(peer, m);
    if (session.done) this.#sessions.delete(key);
  }

  async #heads(peer: PeerId, arena: ArenaId, entries: Uint8Array[]): Promise<void> {
    const accepted = new Map<string, Uint8Array[]>();
    for (const bytes of entries) {
      try {
        if (decodeHeadEntry(bytes).arena !== arena) throw new SyncError('WRONG_ARENA', `an entry of another arena in HEADS for ${arena}`);
        if (await acceptHeadEntry(this.#store, bytes, { now: this.#now() }) === 'stale') continue;
      } catch (e) {
        if (isLodeError(e) && e.code === 'NO_SUCH_ARENA') return;
        if (!isLodeError(e)) throw e;
        this.#opts.onBadPeer?.(peer, e);
        continue;
      }
      const branch = decodeHeadEntry(bytes).key.slice(BRANCH_KEY_PREFIX.length);
      let list = accepted.get(branch);
      if (list === undefined) accepted.set(branch, (list = []));
      list.push(bytes);
    }
    await Promise.all([...accepted].map(async ([branch, list]) => {
      await this.#converge(arena, branch, peer);
      // Pass the news on (epidemic): each node accepts an entry once, so forwarding ends.
      for (const [other, state] of this.#peers) {
        if (other !== peer && state.arenas?.has(arena)) this.#emit(other, { type: 'heads', arena, entries: list });
      }
    }));
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
    const record = listArenas(this.#store).find((a) => a.id === arena);
    if (record === undefined) return;
    const key = branchKey(branch);
    const peers = [...new Set([...prefer, ...[...this.#peers].filter(([, s]) => s.arenas?.has(arena)).map(([p]) => p)])];
    const heads: CommitId[] = [];
    for (const { entry } of listHeadEntries(this.#store, arena)) {
      if (entry.key !== key) continue;
      try {
        // The entry's author has its commit for sure; then whoever announced, then everyone else.
        const author = entry.author as string;
        await this.#fetcher.fetchCommit(entry.commit, this.#peers.has(author) ? [author, ...peers.filter((p) => p !== author)] : peers);
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
    const record = listArenas(this.#store).find((a) => a.id === arena);
    const head = getBranch(this.#store, arena, branch);
    if (record?.secretKey === undefined || head === undefined) return;
    const key = branchKey(branch);
    const mine = listHeadEntries(this.#store, arena).find(({ entry }) => entry.author === this.#store.identity.nodeId && entry.key === key);
    if (mine?.entry.commit === head) return;
    const { bytes } = await publishHead(this.#store, arena, branch, head, { now: this.#now() });
    for (const [peer, state] of this.#peers) if (state.arenas?.has(arena)) this.#emit(peer, { type: 'heads', arena, entries: [bytes] });
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
