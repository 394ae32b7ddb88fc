// The fetcher's sliding window of WANT requests: which object is asked of which peer, how many ids and bytes
// are out, and when a request is sent, passed to the next peer, or given up. Sync layer; it sends through the caller.
import { SyncError, type Hash } from '../core/index.ts';
import { CHUNK_MAX } from '../store/index.ts';
import type { Answer, FetcherOptions, PeerId, Request } from './fetch-types.ts';
import { MAX_WANT_IDS } from './messages.ts';
import type { WantedKind } from './object-check.ts';
import { RequestQueue } from './request-queue.ts';
import { wantParts } from './want-parts.ts';

export class RequestWindow {
  readonly #send: FetcherOptions['send'];
  readonly #onBadPeer: FetcherOptions['onBadPeer'];
  readonly #maxInFlight: number;
  readonly #maxInFlightBytes: number;
  readonly #timeoutMs: number;
  readonly #wantIds: number;
  readonly #wantBytes: number;
  readonly #pending = new Map<Hash, Request>();
  readonly #queued = new RequestQueue<Request>();
  #inFlight = 0;
  #inFlightBytes = 0;
  /** Chunk bytes received and not yet stored. */
  #storingBytes = 0;
  #pumpScheduled = false;
  /** Passes over the requests a peer left unanswered past the timeout; runs while any is pending. */
  #sweeper: NodeJS.Timeout | undefined;
  readonly #bad = new Set<PeerId>();
  readonly #gone = new Set<PeerId>();

  constructor(opts: FetcherOptions) {
    this.#send = opts.send;
    this.#onBadPeer = opts.onBadPeer;
    this.#maxInFlight = opts.maxInFlight ?? 1024;
    this.#maxInFlightBytes = opts.maxInFlightBytes ?? 32 * 1024 * 1024;
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#wantIds = Math.min(opts.wantIds ?? 64, MAX_WANT_IDS);
    this.#wantBytes = opts.wantBytes ?? 4 * 1024 * 1024;
  }

  /** Requests waiting for an answer or a slot. */
  get pending(): number {
    return this.#pending.size;
  }

  /** The request for `id` waiting for an answer or a slot, if any. */
  requestFor(id: Hash): Request | undefined {
    return this.#pending.get(id);
  }

  /** Queues a new request for `id`, to be asked of `peers` in order. */
  ask(id: Hash, wanted: WantedKind, cost: number, peers: readonly PeerId[]): Request {
    const { promise, resolve, reject } = Promise.withResolvers<Answer>();
    const req: Request = { id, wanted, cost: Math.min(Math.max(cost, 1), CHUNK_MAX), candidates: [...peers], resolve, reject, promise };
    this.#pending.set(id, req);
    // Trees and commits first: the walk finds the rest of the work while chunk bytes flow.
    if (wanted === 'tree' || wanted === 'commit') this.#queued.pushFront(req);
    else this.#queued.push(req);
    this.#schedulePump();
    return req;
  }

  /** The ids `peer` was asked and did not answer (HAVE_NOT, or a timeout) go to the next peer. */
  passOver(peer: PeerId, ids: readonly Hash[]): void {
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

  reportBad(peer: PeerId, error: SyncError): void {
    this.#bad.add(peer);
    this.#onBadPeer?.(peer, error);
    for (const req of [...this.#pending.values()]) if (req.current === peer) this.#retry(req, peer);
  }

  /** The request is answered: its room is freed for the next ones. */
  settle(req: Request): void {
    this.#pending.delete(req.id);
    this.#release(req);
    this.#schedulePump();
  }

  /** Charges `bytes` until the returned function is called (once or more). */
  storing(bytes: number): () => void {
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

  #release(req: Request): void {
    if (req.current === undefined) return;
    this.#inFlight--;
    this.#inFlightBytes -= req.cost;
    req.current = undefined;
  }

  #retry(req: Request, peer: PeerId): void {
    req.candidates = req.candidates.filter((p) => p !== peer);
    this.#release(req);
    // First in line again: whatever waits on it (a blob's in-order hash) should not wait behind the queue.
    this.#queued.pushFront(req);
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // After the current turn, not after the current microtasks: the requests a burst of stored replies
    // frees go out as one WANT. A pump per microtask sent a WANT per freed file once a stalled store had
    // let the window empty, and the transfer never left that one-id-at-a-time pace (40 times the messages).
    setImmediate(() => {
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
    const now = performance.now();
    for (const [peer, reqs] of batches) {
      for (const req of reqs) req.sentAt = now;
      for (const part of wantParts(reqs, this.#wantIds, this.#wantBytes)) this.#send(peer, { type: 'want', ids: part });
    }
    if (batches.size > 0) this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(1, this.#timeoutMs / 4)).unref();
  }

  /**
   * One timer for all requests, not one per WANT: a timer per WANT held its ids for the whole timeout, so
   * a fast transfer of many small files kept every id it asked for in the last 30 s (invariant 4).
   */
  #sweep(): void {
    if (this.#pending.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      return;
    }
    const overdue = performance.now() - this.#timeoutMs;
    for (const req of [...this.#pending.values()]) {
      if (req.current !== undefined && req.sentAt !== undefined && req.sentAt <= overdue) this.#retry(req, req.current);
    }
  }
}
