// Pulls everything a commit references that this store lacks, from one or more peers, by WANT batches
// that slide (request-window.ts): a bounded window of ids and bytes stays requested, refilled as replies are stored.
// Each object is checked against its id before it is stored, and stored only after everything it names
// (chunks before their manifest, entries before their tree, parents and tree before their commit), so a
// present object always has its whole closure: a restart re-walks from what is present and never asks
// for a stored object again. Sync layer; it sends messages through the caller and owns no socket.
import { SyncError, type Commit, type CommitId, type Hash } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { BlobHashCheck, HoldBudget } from './blob-hash-check.ts';
import { oldestFirst } from './commit-order.ts';
import { SMALL_REPLY, type Answer, type Context, type FetcherOptions, type FetchProgress, type PeerId, type Request } from './fetch-types.ts';
import type { ObjectRecord } from './messages.ts';
import { checkReceived, inflateReceived, type CheckedObject, type Inflated, type WantedKind } from './object-check.ts';
import { ObjectWriter } from './object-writer.ts';
import { OfferedObjects } from './offered-objects.ts';
import { RequestWindow } from './request-window.ts';
import { Slots } from './slots.ts';
import { subtreeOf, TreesAhead, type WalkPosition } from './trees-ahead.ts';

export type { FetcherOptions, FetchProgress, PeerId } from './fetch-types.ts';
export { FLUSH_EVERY_BYTES } from './object-writer.ts';

const STORED = { done: Promise.resolve() };

export class Fetcher {
  readonly #store: Store;
  readonly #hold: HoldBudget;
  readonly #window: RequestWindow;
  readonly #writer: ObjectWriter;
  /** Trees and blobs being completed, shared by concurrent fetches. */
  readonly #completing = new Map<Hash, Promise<void>>();
  readonly #received = { objects: 0, bytes: 0 };
  /** Small objects peers pushed unasked with their announcements, taken before asking anyone. */
  readonly #offered = new OfferedObjects();
  /** Files under way in all walks (invariant 4: a walk's memory does not grow with the number of files). */
  readonly #slots: Slots;
  readonly #give = (): void => this.#slots.give();
  readonly #treesAhead: number;
  readonly #treeEntriesAhead: number;

  constructor(opts: FetcherOptions) {
    this.#store = opts.store;
    this.#window = new RequestWindow(opts);
    this.#writer = new ObjectWriter(opts.store);
    this.#hold = new HoldBudget(opts.holdBytes ?? 32 * 1024 * 1024);
    this.#slots = new Slots(opts.maxFilesUnderWay ?? 4096);
    this.#treesAhead = opts.treesAhead ?? 4096;
    this.#treeEntriesAhead = opts.treeEntriesAhead ?? 65_536;
  }

  /** Requests waiting for an answer or a slot. */
  get pending(): number {
    return this.#window.pending;
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
    const ctx: Context = {
      peers,
      progress: progress ?? { commit: target, objectsReceived: 0, bytesReceived: 0, outstanding: 0 },
      ahead: new TreesAhead({
        limit: this.#treesAhead,
        entries: this.#treeEntriesAhead,
        ask: async (id) => (await this.#get(id, 'tree', SMALL_REPLY, ctx)).object,
        skip: (id) => ctx.failure !== undefined || this.#completing.has(id) || this.#store.objects.has(id),
      }),
    };
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

  /**
   * Feeds an OBJECTS message from `peer`. Small objects nobody asked for are held for a while as offers (a
   * push with an announcement); objects asked of another peer are ignored. A chunk sent as stored is
   * inflated before its check (a large one on the thread pool); it may not claim more bytes than were
   * asked for, which bounds what inflating it allocates.
   */
  receiveObjects(peer: PeerId, records: readonly ObjectRecord[]): void {
    for (const r of records) {
      const req = this.#window.requestFor(r.id);
      if (req === undefined) {
        // Pushes are small raw objects; a stored (compressed) chunk is only ever a reply.
        if (r.rawLength === undefined && !this.#store.objects.has(r.id)) this.#offered.offer(peer, r);
        continue;
      }
      if (req.current !== peer || req.inflatingFrom === peer) continue;
      if (r.rawLength === undefined) {
        this.#accept(req, peer, r);
        continue;
      }
      if (r.rawLength > req.cost) {
        this.#window.reportBad(peer, new SyncError('BAD_OBJECT', `the ${r.kind} sent for ${r.id} claims ${r.rawLength} bytes, more than the ${req.cost} asked for`));
        continue;
      }
      req.inflatingFrom = peer;
      const current = (): boolean => {
        if (req.inflatingFrom === peer) req.inflatingFrom = undefined;
        return this.#window.requestFor(r.id) === req && req.current === peer;
      };
      const refuse = (e: unknown): void => {
        this.#window.reportBad(peer, e instanceof SyncError ? e : new SyncError('BAD_OBJECT', `${r.kind} ${r.id} sent as stored: ${(e as Error).message}`, { cause: e }));
      };
      // A one-chunk blob goes to the store as sent: only its hash is needed, never its bytes here. A chunk
      // of a larger blob is kept, for the blob's own hash.
      const keep = req.wanted !== 'blob' || this.#store.objects.putStored === undefined;
      inflateReceived({ ...r, rawLength: r.rawLength }, keep).then((inflated) => {
        if (!current()) return;
        // Off the message's call stack: a check that throws here must not become an unhandled rejection.
        try {
          this.#accept(req, peer, r, inflated);
        } catch (e) {
          refuse(e);
        }
      }, (e: unknown) => { if (current()) refuse(e); });
    }
  }

  /** Checks one answer against its request (`inflated`: what it inflated to, if it came as stored) and settles it. */
  #accept(req: Request, peer: PeerId, r: ObjectRecord, inflated?: Inflated): void {
    let object: CheckedObject;
    try {
      object = checkReceived(req.wanted, r, inflated);
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      this.#window.reportBad(peer, e);
      return;
    }
    this.#received.objects++;
    this.#received.bytes += r.bytes.length;
    this.#window.settle(req);
    req.resolve({ object, peer, stored: this.#window.storing(object.kind === 'chunk' ? req.cost : 0) });
  }

  /** Feeds a HAVE_NOT message: those ids are asked of the next peer. */
  receiveHaveNot(peer: PeerId, ids: readonly Hash[]): void {
    this.#window.passOver(peer, ids);
  }

  /** The peer disconnected: what it was asked goes to the next peer. */
  peerGone(peer: PeerId): void {
    this.#window.peerGone(peer);
  }

  peerBack(peer: PeerId): void {
    this.#window.peerBack(peer);
  }

  #get(id: Hash, wanted: WantedKind, cost: number, ctx: Context): Promise<Answer> {
    let req = this.#window.requestFor(id);
    if (req === undefined) {
      const offered = this.#takeOffered(id, wanted);
      if (offered !== undefined) return Promise.resolve(offered);
      req = this.#window.ask(id, wanted, cost, ctx.peers);
    }
    const progress = ctx.progress;
    progress.outstanding++;
    req.promise.then(({ object }) => {
      progress.objectsReceived++;
      progress.bytesReceived += object.kind === 'chunk' ? object.size : object.bytes.length;
    }, () => {}).finally(() => { progress.outstanding--; });
    return req.promise;
  }

  /** A pushed object for `id`, checked as a reply would be; a bad one is the pusher's offence, and is asked for as usual. */
  #takeOffered(id: Hash, wanted: WantedKind): Answer | undefined {
    const offer = this.#offered.take(id);
    if (offer === undefined) return undefined;
    try {
      const object = checkReceived(wanted, offer.record);
      this.#received.objects++;
      this.#received.bytes += offer.record.bytes.length;
      return { object, peer: offer.peer, stored: () => {} };
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      this.#window.reportBad(offer.peer, e);
      return undefined;
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

  /** Stores tree `id` and everything below it. */
  async #tree(id: Hash, ctx: Context): Promise<void> {
    await (await this.#walk(id, ctx, [])).done;
  }

  /**
   * Walks tree `id` depth first, and returns once every entry below it is under way, with `done`, settled
   * once the tree is stored (after all its entries). Each file waits for one of the walk's slots, given back
   * when it is stored, and a bounded number of subtrees are asked ahead: what a walk holds is the directories
   * on its way down, those asked ahead and the files under way, whatever the number of files (invariant 4).
   */
  async #walk(id: Hash, ctx: Context, at: WalkPosition, asked?: Promise<CheckedObject>): Promise<{ done: Promise<void> }> {
    if (this.#store.objects.has(id)) return STORED;
    const underway = this.#completing.get(id);
    if (underway !== undefined) return { done: underway };
    const { promise: done, resolve, reject } = Promise.withResolvers<void>();
    this.#completing.set(id, done);
    done.then(() => this.#completing.delete(id), () => this.#completing.delete(id));
    try {
      const object = await (asked ?? this.#get(id, 'tree', SMALL_REPLY, ctx).then((a) => a.object));
      if (object.kind !== 'tree') throw new SyncError('BAD_OBJECT', `${id} is not a tree`);
      const entries = object.tree.entries;
      if (asked === undefined) ctx.ahead.known(entries, at);
      const parts: Promise<void>[] = [];
      const watch = (part: Promise<void>): void => {
        part.catch((e: unknown) => { ctx.failure ??= e; });
        parts.push(part);
      };
      for (let i = 0; i < entries.length; i++) {
        // One part failed: the fetch fails, so nothing more is asked for it (and this tree is not stored).
        if (ctx.failure !== undefined) throw ctx.failure;
        const e = entries[i]!;
        const sub = subtreeOf(e);
        if (sub !== undefined) {
          watch((await this.#walk(sub, ctx, [...at, i], ctx.ahead.take(sub))).done);
        } else if (e.kind === 'file' && !this.#store.objects.has(e.blob)) {
          const same = this.#completing.get(e.blob);
          if (same !== undefined) {
            watch(same);
            continue;
          }
          const wait = this.#slots.take();
          if (wait !== undefined) await wait;
          const blob = this.#blob(e.blob, e.size, ctx);
          blob.then(this.#give, this.#give);
          watch(blob);
        }
      }
      const bytes = object.bytes;
      Promise.all(parts).then(() => this.#writer.put('tree', id, bytes)).then(() => resolve(), reject);
    } catch (e) {
      reject(e);
    }
    return { done };
  }

  #blob(id: Hash, size: number, ctx: Context): Promise<void> {
    if (this.#store.objects.has(id)) return Promise.resolve();
    return this.#once(id, async () => {
      for (;;) {
        // A blob of one chunk comes as that chunk; a larger one as its manifest (small, but unknown).
        const { object, peer, stored } = await this.#get(id, 'blob', size, ctx);
        if (object.kind === 'chunk') {
          try {
            await this.#writer.putChunk(id, object.bytes, object.stored);
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
            // Asked as a chunk, so kept: its bytes are there for the blob's hash.
            if (chunk.bytes !== undefined) check.arrived(c.id, chunk.bytes);
            try {
              await this.#writer.putChunk(c.id, chunk.bytes, chunk.kind === 'chunk' ? chunk.stored : undefined);
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
        this.#window.reportBad(peer, new SyncError('BAD_OBJECT', `the manifest sent for blob ${id} does not describe content with that hash`));
      }
    });
  }
}
