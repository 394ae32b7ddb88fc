// The sync layer's public face: the node sync engine (head entries, verified fetches, convergent merges),
// its wire messages, and range-based set reconciliation over an ordered, fingerprinted index. It sits
// above core, store and history, and produces and consumes messages, never sockets.
export { SyncIndex, MAX_TIMESTAMP, type SyncItem } from './item-index.ts';
export { Reconciler, DEFAULT_BRANCHING, DEFAULT_ENUMERATE_THRESHOLD, DEFAULT_FRAME_SIZE_LIMIT, type ReconcilerOptions, type ReconcileResult } from './reconciler.ts';
export { PROTOCOL_VERSION } from './message.ts';
export { FINGERPRINT_BYTES } from './range-sum.ts';
export type { Bound } from './bound.ts';
export { SyncNode, DEFAULT_INACTIVE_AFTER_MS, type SyncNodeOptions, type PeerSyncState, type AnnouncementCounts, type ArenaTransfer } from './node-sync.ts';
export { LOG_TABLE, PEERS_TABLE } from './change-log.ts';
export { Fetcher, FLUSH_EVERY_BYTES, type FetcherOptions, type FetchProgress, type PeerId } from './fetcher.ts';
export {
  encodeSyncMessage, decodeSyncMessage, SYNC_MESSAGE_VERSION, MAX_MESSAGE_BYTES, MAX_OBJECT_BYTES, MAX_WANT_IDS, MAX_HEAD_ENTRIES,
  MAX_HELLO_ARENAS, MAX_RECONCILE_BYTES, headsTopic, type SyncMessage, type ObjectRecord,
} from './messages.ts';
export { frontier, joinFrontier, isSyncMerge, SYNC_MERGE_MESSAGE } from './convergence.ts';
export { HeadReconciliation, answerReconcile } from './reconcile-session.ts';
