// The real ObjectStore: records compressed and appended to this process's pack, indexed in LMDB only
// after the pack bytes are fsync'd (metadata implies data). Store layer, disk side.
import { StoreError, hashToBytes, isLodeError, type Hash } from '../core/index.ts';
import { compressPayload, decompressPayloadTransient, type Payload } from './compression.ts';
import { DiskIndex, encodeRow, newPackName } from './disk-index.ts';
import { COPY_LIMIT, PackReader, PackWriter, type DiskFaults } from './pack-file.ts';
import { FLAG_ZSTD, RECORD_HEADER_BYTES, decodeRecordHeader, encodeRecordHeader } from './pack-record.ts';
import type { ObjectKind, ObjectLocation, ObjectStore, StoredObject } from './ports.ts';
import { readVerified, readVerifiedSync, verifyContent, verifyRecord, type RecordLocation } from './record-reader.ts';

export const PACK_TARGET_BYTES = 32 * 1024 * 1024;
/** Sealed packs are indexed once they hold this many records or bytes, if no flush came first. */
const COMMIT_RECORDS = 65_536;
const COMMIT_BYTES = 1024 * 1024 * 1024;
/** Index commits of at most this many rows are made synchronously (see #commit). */
const SYNC_COMMIT_ROWS = 64;
/**
 * Records in packs and not yet in the index, past which an append waits for an index commit: each is held
 * in memory (its id and location) until then, and a disk slow to sync must not let them pile up.
 */
const UNINDEXED_LIMIT = 65_536;
/** Queued, unwritten pack bytes above which a put waits for the disk: bounds memory. */
const QUEUE_LIMIT = 4 * 1024 * 1024;
/** Raw bytes of puts still being compressed, above which a put waits: bounds memory. */
const STAGING_LIMIT = 8 * 1024 * 1024;
/**
 * What a staged put counts for at least: its promises and closures weigh about a kilobyte whatever its
 * size, so thousands of tiny objects must not pass for a few bytes each (at most 2,048 are staged at once).
 */
const STAGING_MIN_CHARGE = 4 * 1024;
/**
 * Trees, commits and manifests up to this stored size are read with a synchronous pread and inflated
 * inline. They are read one after another (a parent after its child, a subtree after its
 * tree), so latency counts, and a thread-pool round trip costs far more than such a read. Chunks keep the
 * async path: many of them are read at once, and those reads overlap.
 */
const SYNC_READ_LIMIT = 256 * 1024;

/**
 * Packs that some store in this process is still writing or committing. They are not indexed yet,
 * but they are no crashed writer's leftovers: gc and fsck leave them alone (locks only tell processes apart).
 */
export const packsInProgress = new Set<string>();

export interface DiskObjectOptions { packTargetBytes?: number | undefined; unindexedLimit?: number | undefined; faults?: DiskFaults | undefined }

/** A pack whose records are not indexed yet: the current one, or a sealed one whose commit is under way. */
interface Unindexed { writer: PackWriter; records: Map<Hash, RecordLocation>; synced?: Promise<void> }

/** `verifyRecord` done inline (header against the index row, then the content against the id). */
function verifyRecordSync(record: Buffer, id: Hash, loc: RecordLocation): void {
  const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
  const h = decodeRecordHeader(record, where);
  if (h.id !== id || h.kind !== loc.kind || h.storedLength !== loc.storedLength || h.rawLength !== loc.rawLength) {
    throw new StoreError('CORRUPT', `${where}: record header does not match the index`);
  }
  verifyContent(id, loc.kind, decompressPayloadTransient(h.flags, record.subarray(RECORD_HEADER_BYTES), h.rawLength, where), where);
}

export class DiskObjectStore implements ObjectStore {
  readonly index: DiskIndex;
  readonly reader: PackReader;
  readonly packDir: string;
  readonly #packTarget: number;
  readonly #unindexedLimit: number;
  readonly #faults: DiskFaults | undefined;
  /** Puts still compressing or waiting for their turn to be appended. */
  readonly #pending = new Map<Hash, { kind: ObjectKind; staging: Promise<unknown> }>();
  #stagingBytes = 0;
  #roomWaiters: (() => void)[] = [];
  /** Resolves when the latest put's record is appended: records go in put order. */
  #appendTail: Promise<void> = Promise.resolve();
  /** Packs with records not yet indexed, oldest first; the last may be the current one. */
  readonly #unindexed: Unindexed[] = [];
  #current: Unindexed | undefined;
  #opening: Promise<Unindexed> | undefined;
  /** Commits run one after another, in the order packs were sealed. */
  #commits: Promise<void> = Promise.resolve();
  readonly #headerScratch = Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES);
  /** Commits queued on #commits and not finished. */
  #queuedCommits = 0;
  /** Sealed packs not yet queued for a commit, and what they hold. */
  #sealed: Unindexed[] = [];
  #sealedRecords = 0;
  #sealedBytes = 0;
  /**
   * The first failure of a pack write or commit. Until a flush reports it, every later record is
   * discarded: an object written after a lost one could refer to it (a manifest to its chunk).
   */
  #failure: unknown;

  constructor(index: DiskIndex, packDir: string, opts: DiskObjectOptions = {}) {
    this.index = index;
    this.packDir = packDir;
    this.reader = new PackReader(packDir);
    this.#packTarget = opts.packTargetBytes ?? PACK_TARGET_BYTES;
    this.#unindexedLimit = opts.unindexedLimit ?? UNINDEXED_LIMIT;
    this.#faults = opts.faults;
  }

  #staged(id: Hash): RecordLocation | undefined {
    for (let i = this.#unindexed.length - 1; i >= 0; i--) {
      const loc = this.#unindexed[i]!.records.get(id);
      if (loc) return loc;
    }
    return undefined;
  }

  has(id: Hash): boolean {
    return this.#pending.has(id) || this.#staged(id) !== undefined || this.index.has(id);
  }

  kind(id: Hash): ObjectKind | undefined {
    return this.#pending.get(id)?.kind ?? this.#staged(id)?.kind ?? this.index.row(id)?.kind;
  }

  /** Where an object's record is, staged or indexed. */
  location(id: Hash): RecordLocation | undefined {
    const staged = this.#staged(id);
    if (staged) return staged;
    const row = this.index.row(id);
    return row && { kind: row.kind, pack: this.index.packName(row.pack), offset: row.offset, storedLength: row.storedLength, rawLength: row.rawLength };
  }

  /** The location in the ports' terms. */
  locate(id: Hash): ObjectLocation | undefined {
    const loc = this.location(id);
    return loc && { kind: loc.kind, pack: loc.pack, offset: loc.offset, length: RECORD_HEADER_BYTES + loc.storedLength };
  }

  get(id: Hash): Promise<Uint8Array> {
    return this.#read(id, undefined);
  }

  /** `get` for an object that must be of `kind` (WRONG_KIND otherwise), with one index lookup. */
  getOfKind(id: Hash, kind: ObjectKind): Promise<Uint8Array> {
    return this.#read(id, kind);
  }

  async #read(id: Hash, kind: ObjectKind | undefined): Promise<Uint8Array> {
    const pending = this.#pending.get(id);
    if (pending) await pending.staging.catch(() => {});
    const loc = this.location(id);
    if (!loc) throw new StoreError('NOT_FOUND', `${kind ?? 'object'} ${id} is not in the store`);
    if (kind !== undefined && loc.kind !== kind) throw new StoreError('WRONG_KIND', `${id} is a ${loc.kind}, not a ${kind}`);
    // A staged record may still sit in the write queue.
    const u = this.#unindexed.length === 0 ? undefined : this.#unindexed.find((x) => x.writer.name === loc.pack);
    if (u) await u.writer.drained();
    return loc.kind !== 'chunk' && loc.storedLength <= SYNC_READ_LIMIT ? readVerifiedSync(this.reader, id, loc) : readVerified(this.reader, id, loc);
  }

  /** The object's record payload as it is in its pack, verified as `get` verifies (what a peer is sent). */
  async getStored(id: Hash): Promise<StoredObject> {
    const pending = this.#pending.get(id);
    if (pending) await pending.staging.catch(() => {});
    const loc = this.location(id);
    if (!loc) throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
    const u = this.#unindexed.length === 0 ? undefined : this.#unindexed.find((x) => x.writer.name === loc.pack);
    if (u) await u.writer.drained();
    const length = RECORD_HEADER_BYTES + loc.storedLength;
    const tooShort = (e: unknown): never => {
      throw isLodeError(e) && e.code === 'CORRUPT' ? new StoreError('CORRUPT', `object ${id}: record runs past the end of its pack`, { cause: e }) : e;
    };
    // Inflated and hashed here too: a bad disk is this node's fault, never passed on to the peer as theirs.
    // A small record is read and inflated inline: a peer asks for thousands of them, one after another.
    let record: Buffer;
    if (loc.storedLength <= SYNC_READ_LIMIT) {
      try {
        record = this.reader.readSync(loc.pack, loc.offset, length);
      } catch (e) {
        return tooShort(e);
      }
      verifyRecordSync(record, id, loc);
    } else {
      record = await this.reader.read(loc.pack, loc.offset, length).catch(tooShort);
      await verifyRecord(record, id, loc);
    }
    return { kind: loc.kind, compressed: (record[6]! & FLAG_ZSTD) !== 0, rawLength: loc.rawLength, bytes: record.subarray(RECORD_HEADER_BYTES) };
  }

  /**
   * Stages an object and returns without waiting for its compression: the codec workers compress while
   * the caller reads and hashes on. Records still enter the pack in the order of the put calls, so an
   * object put after the ones it refers to (a manifest after its chunks, a tree after its entries) is
   * never indexed before them. Raw bytes being staged are bounded by STAGING_LIMIT, and so their number.
   */
  put(kind: ObjectKind, id: Hash, bytes: Uint8Array): Promise<boolean> {
    return this.#put(kind, id, bytes, undefined, bytes.length);
  }

  /**
   * Stages an object given as stored (by a peer's `getStored`): its payload goes into the record as it
   * is, never compressed again. The caller has checked that it inflates to the bytes of `id`.
   */
  putStored(id: Hash, stored: StoredObject): Promise<boolean> {
    return this.#put(stored.kind, id, stored.bytes, { flags: stored.compressed ? FLAG_ZSTD : 0, bytes: stored.bytes }, stored.rawLength);
  }

  /** Puts staged and not yet in a pack's write queue (those waiting for room are not counted). */
  get staging(): number {
    return this.#pending.size;
  }

  /** Records appended to packs and not yet indexed (each held in memory until then). */
  get unindexed(): number {
    return this.#unindexed.reduce((n, u) => n + u.records.size, 0);
  }

  released(id: Hash): Promise<void> | undefined {
    return this.#pending.get(id)?.staging.then(() => {}, () => {});
  }

  /** `put` with the payload already decided (`putStored`), or to be compressed from `bytes` (undefined). */
  async #put(kind: ObjectKind, id: Hash, bytes: Uint8Array, payload: Payload | undefined, rawLength: number): Promise<boolean> {
    if (this.has(id)) return false;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#stagingBytes > STAGING_LIMIT) {
      while (this.#stagingBytes > STAGING_LIMIT) await this.#stagingRoom();
      // Another put of the same object may have staged it meanwhile (an index lookup each: only after a wait).
      if (this.has(id)) {
        this.#wakeOne();
        return false;
      }
    }
    const staging = this.#stage(kind, id, bytes, payload, rawLength);
    this.#pending.set(id, { kind, staging });
    const charge = Math.max(bytes.length, STAGING_MIN_CHARGE);
    this.#stagingBytes += charge;
    // Woken one at a time: while room is left, the next waiter gets its turn too.
    if (this.#stagingBytes <= STAGING_LIMIT) this.#wakeOne();
    staging.then(
      () => this.#settled(id, charge),
      (e: unknown) => {
        this.#failure ??= e;
        this.#settled(id, charge);
      },
    );
    return true;
  }

  #settled(id: Hash, length: number): void {
    this.#pending.delete(id);
    this.#stagingBytes -= length;
    this.#wakeOne();
  }

  /**
   * Wakes the longest waiting put, not all of them: thousands of small puts waiting at once would
   * otherwise all wake, recheck and wait again on every settle (quadratic).
   */
  #wakeOne(): void {
    if (this.#roomWaiters.length > 0 && this.#stagingBytes <= STAGING_LIMIT) this.#roomWaiters.shift()!();
  }

  #stagingRoom(): Promise<void> {
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  async #stage(kind: ObjectKind, id: Hash, raw: Uint8Array, ready: Payload | undefined, rawLength: number): Promise<void> {
    const compressed = ready === undefined ? compressPayload(raw) : Promise.resolve(ready);
    const previous = this.#appendTail;
    let appended!: () => void;
    this.#appendTail = new Promise((resolve) => (appended = resolve));
    try {
      const payload = await compressed;
      await previous;
      await this.#append(kind, id, raw, rawLength, payload);
    } finally {
      appended();
    }
  }

  async #append(kind: ObjectKind, id: Hash, raw: Uint8Array, rawLength: number, payload: Payload): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    let u = await this.#writer();
    if (u.writer.queuedBytes > QUEUE_LIMIT) {
      await u.writer.drained().catch(() => {});
      u = await this.#writer();
    }
    if (this.unindexed >= this.#unindexedLimit) {
      // Appends are in put order, so what is appended so far may be indexed at any time: a closure stays whole.
      while (this.unindexed >= this.#unindexedLimit) {
        if (this.#queuedCommits === 0) this.#commitSealed(this.#current);
        await this.#commits;
        if (this.#failure !== undefined) throw this.#failure;
      }
      u = await this.#writer();
    }
    const storedLength = payload.bytes.length;
    const header = { kind, flags: payload.flags, id, rawLength, storedLength };
    // The writer copies the header, and a small payload, into its queue at once: one scratch header serves
    // every record. A larger raw payload (the caller's) is queued as it is and makes the put wait for the write.
    const parts = [encodeRecordHeader(header, this.#headerScratch), payload.bytes];
    const offset = u.writer.reserve(parts);
    u.records.set(id, { kind, pack: u.writer.name, offset, storedLength, rawLength });
    const w = u.writer;
    if (w.size >= this.#packTarget) this.#seal();
    // The caller's buffer is in the queue: it must not be reused before it is written.
    if (payload.bytes === raw && raw.length > COPY_LIMIT) await w.drained();
  }

  async #writer(): Promise<Unindexed> {
    if (this.#current && !this.#current.writer.failure) return this.#current;
    if (this.#current) this.#seal();
    this.#opening ??= PackWriter.create(this.packDir, newPackName(), this.#faults, (e) => { this.#failure ??= e; }).then((writer) => {
      const u = { writer, records: new Map() };
      this.#unindexed.push(u);
      packsInProgress.add(writer.name);
      this.#current = u;
      this.#opening = undefined;
      return u;
    }, (e: unknown) => {
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  /**
   * Seals the current pack. Sealed packs are indexed together, in one transaction, at the next flush or
   * once they hold COMMIT_RECORDS records or COMMIT_BYTES bytes: every LMDB transaction rewrites most
   * leaf pages of the (randomly keyed) object table, and copy-on-write keeps the old ones in the file,
   * so one commit per pack made the index about 2.5 times its live size.
   */
  #seal(): void {
    const u = this.#current;
    if (!u) return;
    this.#current = undefined;
    // Made durable now, in the background, so that a commit much later does not wait for it all at once.
    u.synced = u.writer.sync();
    u.synced.catch(() => {}); // awaited by the commit, which records the failure
    this.#sealed.push(u);
    this.#sealedRecords += u.records.size;
    this.#sealedBytes += u.writer.size;
    if (this.#sealedRecords >= COMMIT_RECORDS || this.#sealedBytes >= COMMIT_BYTES) this.#commitSealed(undefined);
  }

  /** Queues the commit of every sealed pack, and of `open` (which stays open for more records) if given. */
  #commitSealed(open: Unindexed | undefined): void {
    const sealed = this.#sealed;
    this.#sealed = [];
    this.#sealedRecords = 0;
    this.#sealedBytes = 0;
    this.#queuedCommits++;
    this.#commits = this.#commits.then(async () => {
      await this.#commit(open ? [...sealed, open] : sealed);
      for (const u of sealed) {
        await u.writer.close().catch(() => {});
        this.#unindexed.splice(this.#unindexed.indexOf(u), 1);
        packsInProgress.delete(u.writer.name);
      }
    }).finally(() => { this.#queuedCommits--; });
  }

  /** Indexes the records staged in `us` so far, once their bytes are durable. Never rejects: failures poison. */
  async #commit(us: Unindexed[]): Promise<void> {
    const batches = us.map((u) => ({ u, batch: [...u.records] }));
    try {
      // After a failure (already recorded, to be reported by flush) nothing more is indexed.
      if (this.#failure !== undefined || us.some((u) => u.writer.failure)) return;
      const full = batches.filter((b) => b.batch.length > 0);
      if (full.length === 0) return;
      await Promise.all(full.map((b) => b.u.synced ?? b.u.writer.sync()));
      const index = (): void => {
        for (const { u, batch } of full) {
          const n = this.index.registerPackInTxn(u.writer.name);
          for (const [id, loc] of batch) {
            const key = hashToBytes(id);
            // Another process may have indexed the same object meanwhile; its copy wins, ours is dead space.
            if (this.index.objects.doesExist(key)) continue;
            this.index.objects.putSync(key, encodeRow({ kind: loc.kind, pack: n, offset: loc.offset, storedLength: loc.storedLength, rawLength: loc.rawLength }));
          }
        }
      };
      // A few rows (a commit, a tree, a small file, as sync receives them) commit at once on this thread;
      // a snapshot's thousands go through the write thread, which batches them.
      if (full.reduce((n, b) => n + b.batch.length, 0) <= SYNC_COMMIT_ROWS) this.index.writeNow(index);
      else await this.index.write(index);
    } catch (e) {
      this.#failure ??= e;
    } finally {
      // Indexed or discarded, these are no longer staged: never half-present.
      for (const { u, batch } of batches) for (const [id] of batch) u.records.delete(id);
    }
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending.values()].map((p) => p.staging));
    // The current pack stays open for more records; only what is in it now gets indexed.
    this.#commitSealed(this.#current);
    await this.#commits;
    const err = this.#failure;
    if (err !== undefined) {
      this.#failure = undefined;
      if (this.#current?.writer.failure) {
        this.#seal();
        this.#commitSealed(undefined);
      }
      await this.#commits;
      throw err;
    }
  }

  /** Flushes and closes the current pack, so that gc may rewrite every indexed pack. */
  async seal(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#seal();
      this.#commitSealed(undefined);
      await this.#commits;
    }
  }

  *ids(): Iterable<Hash> {
    yield* this.index.ids();
  }

  async close(): Promise<void> {
    try {
      await this.seal();
    } finally {
      await this.reader.close();
    }
  }
}
