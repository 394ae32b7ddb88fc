// The sync layer's public face: range-based set reconciliation over an ordered, fingerprinted index.
// It sits beside history, above core and store, and produces and consumes messages, never sockets.
export { SyncIndex, MAX_TIMESTAMP, type SyncItem } from './item-index.ts';
export { Reconciler, DEFAULT_BRANCHING, DEFAULT_ENUMERATE_THRESHOLD, DEFAULT_FRAME_SIZE_LIMIT, type ReconcilerOptions, type ReconcileResult } from './reconciler.ts';
export { PROTOCOL_VERSION } from './message.ts';
export { FINGERPRINT_BYTES } from './range-sum.ts';
export type { Bound } from './bound.ts';
