// The Fetcher's options and progress report, and the request and answer records it tracks per object
// while a fetch runs. Sync layer.
import type { SyncError, CommitId, Hash } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import type { SyncMessage } from './messages.ts';
import type { CheckedObject, WantedKind } from './object-check.ts';
import type { TreesAhead } from './trees-ahead.ts';

export type PeerId = string;

export interface FetcherOptions {
  store: Store;
  send(peer: PeerId, message: SyncMessage): void;
  /** A peer sent bytes that fail their check; it is asked for nothing more by this fetcher. */
  onBadPeer?(peer: PeerId, error: SyncError): void;
  /** Ids requested and not yet answered, over all peers. Default 1024. */
  maxInFlight?: number;
  /** Expected reply bytes requested and not yet answered, over all peers: with `maxInFlight` this bounds
   * the memory of replies in flight and of chunks not stored yet. Requests slide: each stored reply frees its room. Default 32 MiB. */
  maxInFlightBytes?: number;
  /** Chunks received ahead of their turn, held in memory (over all blobs) to hash each blob in order;
   * beyond it they are read back from the store when their turn comes. Default 32 MiB. */
  holdBytes?: number;
  /** Files (blobs) fetched at once over all walks; a walk goes on as they are stored. Default 4096. */
  maxFilesUnderWay?: number;
  /** Subtrees a fetch asks for ahead of its walk, not yet taken by it. Default 4096. */
  treesAhead?: number;
  /**
   * Entries of the subtrees asked ahead (those on their way counted at the mean so far), past which no
   * more are asked. Default 65,536.
   */
  treeEntriesAhead?: number;
  /** Accepted for compatibility; chunks now slide within `maxInFlightBytes`. */
  chunkWindow?: number;
  /** Ids per WANT message (at most MAX_WANT_IDS). Default 64. */
  wantIds?: number;
  /** Expected reply bytes per WANT message. Default 4 MiB. */
  wantBytes?: number;
  /** A peer that has not answered a request by then is passed over for it. Default 30 s. */
  requestTimeoutMs?: number;
}

/** What a request is expected to bring back, when nothing better is known (a tree, a commit). */
export const SMALL_REPLY = 16 * 1024;

export interface Request {
  id: Hash;
  wanted: WantedKind;
  /** Expected reply size, charged against the in-flight bytes while the request is out. */
  cost: number;
  candidates: PeerId[];
  current?: PeerId;
  /** When it was last sent to `current` (performance.now()). */
  sentAt?: number;
  /** The peer whose stored (compressed) answer is being inflated: its duplicates are ignored meanwhile. */
  inflatingFrom?: PeerId | undefined;
  resolve(r: Answer): void;
  reject(e: unknown): void;
  promise: Promise<Answer>;
}

/**
 * A checked reply. A chunk's bytes stay charged against the window until `stored()` (idempotent) says
 * they are in the store, so a store slower than the network holds the requests back instead of the
 * received chunks piling up in memory.
 */
export interface Answer { object: CheckedObject; peer: PeerId; stored(): void }

/** One commit being fetched, as `lode sync status` shows it. Updated in place while the fetch runs. */
export interface FetchProgress {
  commit: CommitId;
  /** Objects of this fetch received and verified, and their bytes. */
  objectsReceived: number;
  bytesReceived: number;
  /** Objects requested (or queued) and not answered yet. */
  outstanding: number;
}

export interface Context {
  peers: readonly PeerId[];
  progress: FetchProgress;
  /** Subtrees asked for ahead of the walk, taken by the walk when it gets there. */
  ahead: TreesAhead;
  /** The first failure of any part of the fetch: the walk asks for nothing more once it is set. */
  failure?: unknown;
}
