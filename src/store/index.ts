// The store layer's public face: the ports, the real store (packs + LMDB) and the in-memory fake,
// fsck, gc and the chunker. Other layers import only from here.
export type * from './ports.ts';
export { openStore, DiskStore, STORE_VERSION, type OpenStoreOptions } from './disk-store.ts';
export { memoryStore, MemoryObjectStore, MemoryMetaStore } from './memory.ts';
export { fsck, MAX_PATHS, type FsckReport, type FsckError, type FsckCode, type FsckCounts, type FsckOptions, type FsckProgress } from './fsck.ts';
export { gc, type GcReport, type GcOptions } from './gc.ts';
export { chunkStream, cutPoint, CHUNK_MIN, CHUNK_AVG, CHUNK_MAX } from './chunker.ts';
export { createBlobs } from './blobs.ts';
export { createObjects } from './typed.ts';
/** Inflates one zstd frame (a stored payload) to exactly the given length, reusing this thread's context. */
export { decompressSync as inflateFrame } from './payload-codec.ts';
/** A frame's inflated BLAKE3 without keeping its bytes, and its bytes with their hash: off this thread when workers run. */
export { inflatedHash, inflateFrameHashed } from './compression.ts';
