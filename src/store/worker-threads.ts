// How many worker threads the store may use for zstd and chunking. LODE_CODEC_THREADS overrides it;
// 0 keeps all of that work on the calling thread. Store layer.
import { availableParallelism } from 'node:os';

const configured = process.env.LODE_CODEC_THREADS;

/** Codec workers to start at most; 0 means none. */
export const WORKER_THREADS = configured !== undefined && /^\d+$/.test(configured) ? Math.min(16, Number(configured)) : Math.min(4, Math.max(1, availableParallelism()));
