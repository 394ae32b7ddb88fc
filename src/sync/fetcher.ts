// Pulls everything a commit references that this store lacks, from one or more peers, by WANT batches
// that slide: a bounded window of ids and bytes stays requested, refilled as replies are stored.
// Each object is checked against its id before it is stored, and stored only after everything it names
// (chunks before their manifest, entries before their tree, parents and tree before their commit), so a
// present object always has its whole closure: a restart re-walks from what is present and never asks
// for a stored object again. Sync layer; it sends messages through the caller and owns no socket.
import { SyncError, type Commit, type CommitId, type Hash } from '../core/index.ts';
import { CHUNK_MAX, type Store } from '../store/index.ts';
import { BlobHashCheck, HoldBudget } from './blob-hash-check.ts';
import { oldestFirst } from './commit-order.ts';
import { SMALL_REPLY, type Answer, type Context, type FetcherOptions, type FetchProgress, type PeerId, type Request } from './fetch-types.ts';
import { MAX_WANT_IDS, type ObjectRecord } from './messages.ts';
import { checkReceived, type CheckedObject, type WantedKind } from './object-check.ts';
import { ObjectWriter } from './object-writer.ts';
import { RequestQueue } from './request-queue.ts';
import { wantParts } from './want-parts.ts';

export type { FetcherOptions, FetchProgress, PeerId } from './fetch-types.ts';
export { FLUSH_EVERY_BYTES } from './object-writer.ts';

export class Fetcher {
  readonly #store: Store;
  readonly #send: FetcherOptions['send'];
  readonly #onBadPeer: FetcherOptions['onBadPeer'];
  readonly #maxInFlight: number;
  readonly #maxInFlightBytes: number;
  readonly #hold: HoldBudget;
  readonly #timeoutMs: number;
  readonly #wantIds: number;
  readonly #wantBytes: number;
  readonly #pending = new Map<Hash, Request>();
  readonly #queued = new RequestQueue<Request>();
  #inFlight = 0;
  #inFlightBytes = 0;
  readonly #writer: ObjectWriter;
  /** Chunk bytes received and not yet stored. */
  #storingBytes = 0;
  #pumpScheduled = false;
  readonly #bad = new Set<PeerId>();
  readonly #gone = new Set<PeerId>();
  /** Trees and blobs being completed, shared by concurrent fetches. */
  readonly #completing = new Map<Hash, Promise<void>>();
  readonly #received = { objects: 0, bytes: 0 };

  constructor(opts: FetcherOptions) {
    this.#store = opts.store;
    this.#send = opts.send;
    this.#writer = new ObjectWriter(opts.store);
    this.#onBadPeer = opts.onBadPeer;
    this.#maxInFlight = opts.maxInFlight ?? 1024;
    this.#maxInFlightBytes = opts.maxInFlightBytes ?? 32 * 1024 * 1024;
    this.#hold = new HoldBudget(opts.holdBytes ?? 32 * 1024 * 1024);
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#wantIds = Math.min(opts.wantIds ?? 64, MAX_WANT_IDS);
    this.#wantBytes = opts.wantBytes ?? 4 * 1024 * 1024;
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
      const got = await Promise.all(need.map((id) => this.#get(id, 'commit', SMALL_REPLY, ctx)));
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
      req.resolve({ object, peer, stored: this.#storing(object.kind === 'chunk' ? req.cost : 0) });
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

  #release(req: Request): void {
    if (req.current === undefined) return;
    this.#inFlight--;
    this.#inFlightBytes -= req.cost;
    req.current = undefined;
  }

  /** Charges `bytes` until the returned function is called (once or more). */
  #storing(bytes: number): () => void {
    if (bytes === 0) return () => {};
    this.#storingBytes += bytes;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#storingBytes -= bytes;
      this.#schedulePump();
    };
  }

  #settle(req: Request): void {
    this.#pending.delete(req.id);
    this.#release(req);
    this.#schedulePump();
  }

  #retry(req: Request, peer: PeerId): void {
    req.candidates = req.candidates.filter((p) => p !== peer);
    this.#release(req);
    // First in line again: whatever waits on it (a blob's in-order hash) should not wait behind the queue.
    this.#queued.pushFront(req);
    this.#schedulePump();
  }

  #get(id: Hash, wanted: WantedKind, cost: number, ctx: Context): Promise<Answer> {
    let req = this.#pending.get(id);
    if (req === undefined) {
      const { promise, resolve, reject } = Promise.withResolvers<Answer>();
      req = { id, wanted, cost: Math.min(Math.max(cost, 1), CHUNK_MAX), candidates: [...ctx.peers], resolve, reject, promise };
      this.#pending.set(id, req);
      // Trees and commits first: the walk finds the rest of the work while chunk bytes flow.
      if (wanted === 'tree' || wanted === 'commit') this.#queued.pushFront(req);
      else this.#queued.push(req);
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


  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #hasRoom(next: Request): boolean {
    if (this.#inFlight === 0 && this.#storingBytes === 0) return true;
    return this.#inFlight < this.#maxInFlight && this.#inFlightBytes + this.#storingBytes + next.cost <= this.#maxInFlightBytes;
  }

  /**
   * Whether enough room is free for a WANT worth sending: replies free room one by one, and a WANT per
   * reply would cost both sides a message each. Trees and commits go at once (the walk waits on them).
   */
  #worthSending(next: Request): boolean {
    if (this.#inFlight === 0 || next.wanted === 'tree' || next.wanted === 'commit') return true;
    const freeIds = this.#maxInFlight - this.#inFlight;
    const freeBytes = this.#maxInFlightBytes - this.#inFlightBytes - this.#storingBytes;
    return freeIds >= Math.min(this.#wantIds, this.#maxInFlight / 4) || freeBytes >= Math.min(this.#wantBytes, this.#maxInFlightBytes / 4);
  }

  /** Sends queued requests while there is room, one WANT per peer per batch. */
  #pump(): void {
    const first = this.#queued.peek();
    if (first === undefined || !this.#worthSending(first)) return;
    const batches = new Map<PeerId, Request[]>();
    for (let req = this.#queued.peek(); req !== undefined && this.#hasRoom(req); req = this.#queued.peek()) {
      this.#queued.shift();
      // Settled or re-queued meanwhile (a stale entry left behind by a retry).
      if (this.#pending.get(req.id) !== req || req.current !== undefined) continue;
      const peer = req.candidates.find((p) => !this.#bad.has(p) && !this.#gone.has(p));
      if (peer === undefined) {
        this.#pending.delete(req.id);
        req.reject(new SyncError('UNAVAILABLE', `no connected peer can send ${req.wanted} ${req.id}`));
        continue;
      }
      req.current = peer;
      this.#inFlight++;
      this.#inFlightBytes += req.cost;
      let batch = batches.get(peer);
      if (batch === undefined) batches.set(peer, (batch = []));
      batch.push(req);
    }
    for (const [peer, reqs] of batches) {
      const ids = reqs.map((r) => r.id);
      for (const part of wantParts(reqs, this.#wantIds, this.#wantBytes)) this.#send(peer, { type: 'want', ids: part });
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
      const { object } = await this.#get(id, 'tree', SMALL_REPLY, ctx);
      if (object.kind !== 'tree') return;
      await Promise.all(object.tree.entries.map((e) => {
        if (e.kind === 'file') return this.#blob(e.blob, e.size, ctx);
        if (e.kind === 'dir' || e.kind === 'conflict') return this.#tree(e.tree, ctx);
        return undefined;
      }));
      await this.#writer.put('tree', id, object.bytes);
    });
  }

  #blob(id: Hash, size: number, ctx: Context): Promise<void> {
    if (this.#store.objects.has(id)) return Promise.resolve();
    return this.#once(id, async () => {
      for (;;) {
        // A blob of one chunk comes as that chunk; a larger one as its manifest (small, but unknown).
        const { object, peer, stored } = await this.#get(id, 'blob', size, ctx);
        if (object.kind === 'chunk') {
          try {
            await this.#writer.putChunk(id, object.bytes);
          } finally {
            stored();
          }
          return;
        }
        if (object.kind !== 'manifest') return;
        // Every chunk is asked for at once; replies slide through the in-flight window, and the blob's
        // hash is taken in manifest order as they land, so nothing is read back unless it was not held.
        const check = new BlobHashCheck(object.manifest.chunks, this.#hold, (c) => this.#store.objects.get(c));
        const arrivals = new Map<Hash, Promise<void>>();
        for (const c of object.manifest.chunks) {
          if (arrivals.has(c.id) || this.#store.objects.has(c.id)) continue;
          const arrival = this.#get(c.id, 'chunk', c.size, ctx).then(async ({ object: chunk, stored }) => {
            check.arrived(c.id, chunk.bytes);
            try {
              await this.#writer.putChunk(c.id, chunk.bytes);
            } finally {
              stored();
            }
          });
          // Awaited below through the check; a failure must not also surface as unhandled.
          arrival.catch(() => {});
          arrivals.set(c.id, arrival);
        }
        const matches = await check.matches(id, (c) => arrivals.get(c));
        if (matches) {
          await this.#writer.put('manifest', id, object.bytes);
          await this.#writer.flush();
          return;
        }
        this.#reportBad(peer, new SyncError('BAD_OBJECT', `the manifest sent for blob ${id} does not describe content with that hash`));
      }
    });
  }
}
