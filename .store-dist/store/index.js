export { openStore, DiskStore, STORE_VERSION } from "./disk-store.js";
export { memoryStore, MemoryObjectStore, MemoryMetaStore } from "./memory.js";
export { fsck, MAX_PATHS } from "./fsck.js";
export { gc } from "./gc.js";
export { chunkStream, cutPoint, CHUNK_MIN, CHUNK_AVG, CHUNK_MAX } from "./chunker.js";
export { createBlobs } from "./blobs.js";
export { createObjects } from "./typed.js";
