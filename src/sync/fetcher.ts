// Pulls everything a commit references that this store lacks, from one or more peers, by WANT batches.
// Each object is checked against its id before it is stored, and stored only after everything it names
// (chunks before their manifest, entries before their tree, parents and tree before their commit), so a
// present object always has its whole closure: a restart re-walks from what is present and never asks
// for a stored object again. Sync layer; it sends messages through the caller and owns no socket.
import { createHasher, toHex, SyncError, type Commit, type CommitId, type Hash } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { MAX_WANT_IDS, type ObjectRecord, type SyncMessage } from './messages.ts';
import { checkReceived, type CheckedObject, type WantedKind } from './object-check.ts';

export type PeerId = string;

export interface FetcherOptions {
  store: Store;
  send(peer: PeerId, message: SyncMessage): void;
  /** A peer sent bytes that fail their check; it is asked for nothing more by this fetcher. */
  onBadPeer?(peer: PeerId, error: SyncError): void;
  /** Ids requested and not yet answered, over all peers. Each answer may be a 4 MiB chunk, so this bounds
   * the memory of replies in flight (32: about 32 MiB at the average chunk size). Default 32. */
  maxInFlight?: number;
  /** Chunks of one manifest fetched at a time. Default 16. */
  chunkWindow?: number;
  /** A peer that has not answered a request by then is passed over for it. Default 30 s. */
  requestTimeoutMs?: number;
}

interface Request {
  id: Hash;
  wanted: WantedKind;
  candidates: PeerId[];
  current?: PeerId;
  resolve(r: { object: CheckedObject; peer: PeerId }): void;
  reject(e: unknown): void;
  promise: Promise<{ object: CheckedObject; peer: PeerId }>;
}

/** One commit being fetched, as `lode sync status` shows it. Updated in place while the fetch runs. */
export interface FetchProgress {
  commit: CommitId;
  /** Objects of this fetch received and verified, and their bytes. */
  objectsReceived: number;
  bytesReceived: number;
  /** Objects requested (or queued) and not answered yet. */
  outstanding: number;
}

/** Staged chunk bytes made durable at once: a kill loses at most this much of a large transfer. */
export const FLUSH_EVERY_BYTES = 8 * 1024 * 1024;

interface Context { peers: readonly PeerId[]; progress: FetchProgress }

export class Fetcher {
  readonly #store: Store;
  readonly #send: FetcherOptions['send'];
  readonly #onBadPeer: FetcherOptions['onBadPeer'];
  readonly #maxInFlight: number;
  readonly #chunkWindow: number;
  readonly #timeoutMs: number;
  readonly #pending = new Map<Hash, Request>();
  readonly #queued: Request[] = [];
  #inFlight = 0;
  #pumpScheduled = false;
  readonly #bad = new Set<PeerId>();
  readonly #gone = new Set<PeerId>();
  /** Trees and blobs being completed, shared by concurrent fetches. */
  readonly #completing = new Map<Hash, Promise<void>>();
  readonly #received = { objects: 0, bytes: 0 };
  #unflushedBytes = 0;

  constructor(opts: FetcherOptions) {
    this.#store = opts.store;
    this.#send = opts.send;
    this.#onBadPeer = opts.onBadPeer;
    this.#maxInFlight = opts.maxInFlight ?? 32;
    this.#chunkWindow = opts.chunkWindow ?? 16;
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  /** Requests waiting for an answer or a slot. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Objects received and verified since this fetcher started, and their bytes. */
  get received(): { objects: number; bytes: number } {
    return { ...this.#received };
  }

  /**
   * Stores the commit and everything it reaches, asking `peers` in order (the announcer first).
   * Rejects with SyncError UNAVAILABLE when no usable peer has some object; what was stored stays.
   * `progress`, when given, is kept up to date while the fetch runs.
   */
  async fetchCommit(target: CommitId, peers: readonly PeerId[], progress?: FetchProgress): Promise<void> {
    const objects = this.#store.objects;
    if (objects.kind(target) === 'commit') return;
    const ctx: Context = { peers, progress: progress ?? { commit: target, objectsReceived: 0, bytesReceived: 0, outstanding: 0 } };
    const missing = new Map<CommitId, { commit: Commit; bytes: Uint8Array }>();
    let frontier: CommitId[] = [target];
    while (frontier.length > 0) {
      const need = [...new Set(frontier)].filter((id) => !objects.has(id) && !missing.has(id));
      const got = await Promise.all(need.map((id) => this.#get(id, 'commit', ctx)));
      frontier = [];
      for (const { object } of got) {
        if (object.kind !== 'commit') continue;
        missing.set(object.id as CommitId, { commit: object.commit, bytes: object.bytes });
        frontier.push(...object.commit.parents);
      }
    }
    for (const id of oldestFirst(missing)) {
      const { commit, bytes } = missing.get(id)!;
      await this.#tree(commit.tree, ctx);
      await objects.put('commit', id, bytes);
      await objects.flush();
    }
  }

  /** Feeds an OBJECTS message from `peer`. Objects nobody asked that peer for are ignored. */
  receiveObjects(peer: PeerId, records: readonly ObjectRecord[]): void {
    for (const r of records) {
      const req = this.#pending.get(r.id);
      if (req === undefined || req.current !== peer) continue;
      let object: CheckedObject;
      try {
        object = checkReceived(req.wanted, r);
      } catch (e) {
        if (!(e instanceof SyncError)) throw e;
        this.#reportBad(peer, e);
        continue;
      }
      this.#received.objects++;
      this.#received.bytes += r.bytes.length;
      this.#settle(req);
      req.resolve({ object, peer });
    }
  }

  /** Feeds a HAVE_NOT message: those ids are asked of the next peer. */
  receiveHaveNot(peer: PeerId, ids: readonly Hash[]): void {
    for (const id of ids) {
      const req = this.#pending.get(id);
      if (req !== undefined && req.current === peer) this.#retry(req, peer);
    }
  }

  /** The peer disconnected: what it was asked goes to the next peer. */
  peerGone(peer: PeerId): void {
    this.#gone.add(peer);
    for (const req of [...this.#pending.values()]) if (req.current === peer) this.#retry(req, peer);
  }

  peerBack(peer: PeerId): void {
    this.#gone.delete(peer);
  }

  #reportBad(peer: PeerId, error: SyncError): void {
    this.#bad.add(peer);
    this.#onBadPeer?.(peer, error);
    for (const req of [...this.#pending.values()]) if (req.current === peer) this.#retry(req, peer);
  }

  #settle(req: Request): void {
    this.#pending.delete(req.id);
    if (req.current !== undefined) this.#inFlight--;
    req.current = undefined;
    this.#schedulePump();
  }

  #retry(req: Request, peer: PeerId): void {
    req.candidates = req.candidates.filter((p) => p !== peer);
    this.#inFlight--;
    req.current = undefined;
    this.#queued.push(req);
    this.#schedulePump();
  }

  #get(id: Hash, wanted: WantedKind, ctx: Context): Promise<{ object: CheckedObject; peer: PeerId }> {
    let req = this.#pending.get(id);
    if (req === undefined) {
      const { promise, resolve, reject } = Promise.withResolvers<{ object: CheckedObject; peer: PeerId }>();
      req = { id, wanted, candidates: [...ctx.peers], resolve, reject, promise };
      this.#pending.set(id, req);
      this.#queued.push(req);
      this.#schedulePump();
    }
    const progress = ctx.progress;
    progress.outstanding++;
    req.promise.then(({ object }) => {
      progress.objectsReceived++;
      progress.bytesReceived += object.bytes.length;
    }, () => {}).finally(() => { progress.outstanding--; });
    return req.promise;
  }

  /** Stores a chunk; every FLUSH_EVERY_BYTES the staged chunks are made durable, so a restart keeps them. */
  async #putChunk(id: Hash, bytes: Uint8Array): Promise<void> {
    if (!await this.#store.objects.put('chunk', id, bytes)) return;
    this.#unflushedBytes += bytes.length;
    if (this.#unflushedBytes < FLUSH_EVERY_BYTES) return;
    this.#unflushedBytes = 0;
    await this.#store.objects.flush();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Sends queued requests while slots are free, one WANT per peer per batch. */
  #pump(): void {
    const batches = new Map<PeerId, Hash[]>();
    while (this.#inFlight < this.#maxInFlight && this.#queued.length > 0) {
      const req = this.#queued.shift()!;
      const peer = req.candidates.find((p) => !this.#bad.has(p) && !this.#gone.has(p));
      if (peer === undefined) {
        this.#pending.delete(req.id);
        req.reject(new SyncError('UNAVAILABLE', `no connected peer can send ${req.wanted} ${req.id}`));
        continue;
      }
      req.current = peer;
      this.#inFlight++;
      let batch = batches.get(peer);
      if (batch === undefined) batches.set(peer, (batch = []));
      batch.push(req.id);
    }
    for (const [peer, ids] of batches) {
      for (let i = 0; i < ids.length; i += MAX_WANT_IDS) this.#send(peer, { type: 'want', ids: ids.slice(i, i + MAX_WANT_IDS) });
      const timer = setTimeout(() => {
        for (const id of ids) {
          const req = this.#pending.get(id);
          if (req !== undefined && req.current === peer) this.#retry(req, peer);
        }
      }, this.#timeoutMs);
      // A stalled peer must not keep the process alive.
      timer.unref();
    }
  }

  #once(id: Hash, work: () => Promise<void>): Promise<void> {
    let p = this.#completing.get(id);
    if (p === undefined) {
      p = work().finally(() => this.#completing.delete(id));
      this.#completing.set(id, p);
    }
    return p;
  }

  #tree(id: Hash, ctx: Context): Promise<void> {
    if (this.#store.objects.has(id)) return Promise.resolve();
    return this.#once(id, async () => {
      const { object } = await this.#get(id, 'tree', ctx);
      if (object.kind !== 'tree') return;
      await Promise.all(object.tree.entries.map((e) => {
        if (e.kind === 'file') return this.#blob(e.blob, ctx);
        if (e.kind === 'dir' || e.kind === 'conflict') return this.#tree(e.tree, ctx);
        return undefined;
      }));
      await this.#store.objects.put('tree', id, object.bytes);
    });
  }

  #blob(id: Hash, ctx: Context): Promise<void> {
    if (this.#store.objects.has(id)) return Promise.resolve();
    return this.#once(id, async () => {
      for (;;) {
        const { object, peer } = await this.#get(id, 'blob', ctx);
        if (object.kind === 'chunk') {
          await this.#putChunk(id, object.bytes);
          return;
        }
        if (object.kind !== 'manifest') return;
        const chunks = object.manifest.chunks;
        const todo = [...new Set(chunks.map((c) => c.id))].filter((c) => !this.#store.objects.has(c));
        for (let i = 0; i < todo.length; i += this.#chunkWindow) {
          await Promise.all(todo.slice(i, i + this.#chunkWindow).map(async (c) => {
            const got = await this.#get(c, 'chunk', ctx);
            await this.#putChunk(c, got.object.bytes);
          }));
        }
        // The manifest is keyed by the blob's hash: with every chunk here, check the whole content.
        if (await this.#wholeBlobMatches(id, object.manifest.chunks)) {
          await this.#store.objects.put('manifest', id, object.bytes);
          this.#unflushedBytes = 0;
          await this.#store.objects.flush();
          return;
        }
        this.#reportBad(peer, new SyncError('BAD_OBJECT', `the manifest sent for blob ${id} does not describe content with that hash`));
      }
    });
  }

  async #wholeBlobMatches(id: Hash, chunks: readonly { id: Hash; size: number }[]): Promise<boolean> {
    const hasher = createHasher();
    for (const c of chunks) {
      const bytes = await this.#store.objects.get(c.id);
      if (bytes.length !== c.size) return false;
      hasher.update(bytes);
    }
    return toHex(hasher.digest()) === id;
  }
}

/** The missing commits, each after its missing parents. */
function oldestFirst(missing: Map<CommitId, { commit: Commit }>): CommitId[] {
  const out: CommitId[] = [];
  const done = new Set<CommitId>();
  for (const start of missing.keys()) {
    const stack: { id: CommitId; expanded: boolean }[] = [{ id: start, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (done.has(top.id)) continue;
      if (top.expanded) {
        done.add(top.id);
        out.push(top.id);
        continue;
      }
      stack.push({ id: top.id, expanded: true });
      for (const p of missing.get(top.id)!.commit.parents) if (missing.has(p) && !done.has(p)) stack.push({ id: p, expanded: false });
    }
  }
  return out;
}
