// The store's ports: the narrow interfaces the logic layers depend on. Both the real store (packs +
// LMDB) and the in-memory fake implement them, and both pass the one conformance suite in testing/.
import type { BlobId, ChunkId, CommitId, Hash, Tree, TreeId, Commit, BlobManifest } from '../core/index.ts';

/** What a stored object is. A chunk is raw file bytes; the others are canonical CBOR objects. */
export type ObjectKind = 'chunk' | 'tree' | 'commit' | 'manifest';

export interface ObjectLocation { kind: ObjectKind; pack: string; offset: number; length: number }

/**
 * An object as a store keeps it: one zstd frame that inflates to exactly `rawLength` bytes
 * (`compressed`), or the raw bytes themselves. Peers exchange chunks in this form, so neither side
 * compresses them again.
 */
export interface StoredObject { kind: ObjectKind; compressed: boolean; rawLength: number; bytes: Uint8Array }

/**
 * Content-addressed objects. `put` stages an object; it becomes visible to other processes, and
 * durable, only at `flush`, which makes the pack bytes durable before the index rows commit.
 * Every `get` verifies the bytes against the id (manifests, keyed by blob id, are checked by decoding
 * and by the whole-blob hash when the blob is read).
 */
export interface ObjectStore {
  has(id: Hash): boolean;
  kind(id: Hash): ObjectKind | undefined;
  /** Verified bytes. Throws StoreError NOT_FOUND or CORRUPT (naming the id). */
  get(id: Hash): Promise<Uint8Array>;
  /**
   * Stages an object; returns false when it was stored already (deduplicated). The store may keep
   * `bytes` until the object is written: the caller must not change them afterwards.
   */
  put(kind: ObjectKind, id: Hash, bytes: Uint8Array): Promise<boolean>;
  /**
   * The object as stored, verified against its id as `get` verifies (NOT_FOUND, CORRUPT). Optional: a
   * store without it is read with `get`. The memory store and the disk store have it.
   */
  getStored?(id: Hash): Promise<StoredObject>;
  /**
   * Stages an object given as stored, keeping its payload as it is (never compressed again); false when
   * it was stored already. The caller must have checked that it inflates to the bytes `id` names.
   * Optional, like `getStored`.
   */
  putStored?(id: Hash, stored: StoredObject): Promise<boolean>;
  /**
   * For a store that holds the bytes given to `put` only while it stages them: resolves once the staging
   * of `id` no longer holds them (written to its pack, or failed), or is undefined when `id` is not being
   * staged. The caller may then free its buffer. A store that keeps the caller's bytes (the memory store)
   * does not have it.
   */
  released?(id: Hash): Promise<void> | undefined;
  /** Makes everything staged so far durable and indexed. */
  flush(): Promise<void>;
  /** Every indexed id, in id order. */
  ids(): Iterable<Hash>;
}

/** One named table of local metadata (refs, reflog, arenas, stat cache). Keys sort byte-wise. */
export interface MetaTable {
  get(key: string): Uint8Array | undefined;
  /** All rows whose key starts with `prefix`, in key order. */
  range(prefix: string): Iterable<[string, Uint8Array]>;
}

export interface MetaWrite {
  put(table: string, key: string, value: Uint8Array): void;
  delete(table: string, key: string): void;
}

export interface MetaStore {
  table(name: string): MetaTable;
  /**
   * Applies all writes atomically and durably. Call ObjectStore.flush first for what they refer to.
   * `fn` runs inside the transaction, exclusive of every other writer (in any process): what it reads
   * through `table()` is the state its writes apply to, so a read-check-write is atomic. If `fn`
   * throws, nothing is written and the error is rethrown.
   */
  write(fn: (w: MetaWrite) => void): Promise<void>;
}

/** A chunk cut by the chunker, with its offset in the stream. */
export interface Cut { bytes: Uint8Array; offset: number }

/** Content-defined chunking of a byte stream (FastCDC; see docs/format.md). */
export type Chunker = (source: AsyncIterable<Uint8Array>) => AsyncIterable<Cut>;

export interface BlobWriteResult { id: BlobId; size: number; chunks: number; newChunks: number; newBytes: number }

/** Blob assembly on top of an ObjectStore. */
export interface Blobs {
  /** Chunks, hashes, compresses and stages a file's content, streaming. */
  write(source: AsyncIterable<Uint8Array>): Promise<BlobWriteResult>;
  /**
   * `write` for an open regular file, from its current position to its end (`size` says how much was
   * read). A worker thread reads, cuts and hashes it; absent when the store has no worker threads.
   * Resolves or rejects only once nothing uses `fd` any more. A failed read rejects with StoreError
   * SOURCE_READ, whose cause carries the system error's `code` and `syscall`.
   */
  writeFile?(fd: number): Promise<BlobWriteResult>;
  /**
   * Writes a multi-chunk blob into the open file `fd` from offset 0, in a worker thread, every chunk
   * verified and the whole checked against the id before it resolves with the bytes written; undefined
   * when it cannot (no worker threads, a one-chunk blob, chunks not indexed yet): then use `read`. A
   * failed read rejects with its StoreError (CORRUPT, NOT_FOUND, MISSING_PACK, …), a failed write with
   * StoreError TARGET_WRITE whose cause has the system error's `code` and `syscall`. Bytes may have been
   * written to `fd` before a failure.
   */
  readInto?(id: BlobId, fd: number): Promise<number | undefined>;
  /**
   * Writes the one-chunk blob `id`, of `size` bytes, into a new file at `path` in a worker thread: the
   * chunk is read and verified first, then the file created with `createFlags` (which must include
   * O_CREAT | O_EXCL) and mode 0600, written, given `mode` and `mtime` (seconds) and closed. Resolves
   * 'written'; 'exists' when `path` existed (nothing was done); undefined when it cannot (no worker
   * threads, a multi-chunk blob, a chunk not indexed yet): then use `read`. Rejects as `readInto` does,
   * after removing a file it created. Calls made together go to the worker as one batch.
   */
  writeNewFile?(path: string, id: BlobId, file: { size: number; mode: number; mtime: number; createFlags: number }): Promise<'written' | 'exists' | undefined>;
  /** Streams a blob's bytes; each chunk verified, and the whole content checked against the id at the end. */
  read(id: BlobId): AsyncIterable<Uint8Array>;
  manifest(id: BlobId): Promise<BlobManifest>;
}

/** Typed access to trees and commits. */
export interface Objects {
  putTree(tree: Tree): Promise<TreeId>;
  getTree(id: TreeId): Promise<Tree>;
  putCommit(commit: Commit): Promise<CommitId>;
  getCommit(id: CommitId): Promise<Commit>;
}

export type { ChunkId };

/** This machine's identity: an ed25519 key kept in the store, mode 0600. */
export interface Identity { nodeId: import('../core/index.ts').NodeId; secretKey: Uint8Array }

/** An open store: what the logic layers receive. `openStore(dir)` gives the real one, `memoryStore()` the fake. */
export interface Store {
  /** The store's directory; undefined for the in-memory fake. */
  readonly path: string | undefined;
  readonly identity: Identity;
  readonly objects: ObjectStore;
  readonly blobs: Blobs;
  readonly typed: Objects;
  readonly meta: MetaStore;
  /**
   * Local, disposable metadata (the stat cache): losing it costs only speed. It may live outside the
   * store, as restic's cache does, and is never part of what the store holds.
   */
  readonly cache: MetaStore;
  close(): Promise<void>;
}
