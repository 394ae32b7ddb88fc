// The options a SyncNode takes and the state it reports (peers, announcements, transfers) for
// `lode peers` and `lode sync status`. Sync layer.
import type { ArenaId, CommitId, LodeError } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import type { FetchProgress, PeerId } from './fetcher.ts';
import type { ReconcilerOptions } from './reconciler.ts';

export interface SyncNodeOptions {
  store: Store;
  /** Delivers `bytes` to `peer`, in order per peer. Must not throw. */
  send(peer: PeerId, bytes: Uint8Array): void;
  /** A peer sent something hostile or wrong (a forged entry, bytes that fail their hash). */
  onBadPeer?(peer: PeerId, error: LodeError): void;
  /** Background work failed for a reason other than a peer's fault. */
  onError?(error: unknown): void;
  /** The clock that judges entries stamped in the future, and how long a peer has been away. */
  now?(): number;
  /** A peer not seen for longer is marked inactive at the next check (default DEFAULT_INACTIVE_AFTER_MS, 7 days). */
  inactiveAfterMs?: number;
  /**
   * The arenas to replicate (default: every arena the store holds). Others are not offered in HELLO, not
   * reconciled, and their head entries are neither taken from peers nor published; objects are still
   * served to whoever asks, since an object id says nothing about its arena.
   */
  arenas?(): ReadonlySet<ArenaId>;
  /** Sync moved a local branch to `commit` (a fetched head, or a sync merge). */
  onBranchMoved?(arena: ArenaId, branch: string, commit: CommitId): void;
  /** A local branch of a read-only arena moved to a commit no signed head names: peers will not take it. */
  onCannotPublish?(arena: ArenaId, branch: string, commit: CommitId): void;
  /**
   * The reactive path: called once with an encoded HEADS message for each entry this node publishes (a
   * local branch move, a sync merge), for the carrier to broadcast to the arena's subscribers (gossip).
   * The entry also goes into the change log, so a peer the broadcast misses still gets it as a LOG. Must not throw.
   */
  announce?(arena: ArenaId, bytes: Uint8Array): void;
  /** Plain ACKs are written at most this long after the first unwritten one (default ACK_SAVE_DELAY_MS, 250). */
  ackSaveDelayMs?: number;
  reconciler?: ReconcilerOptions;
  fetcher?: { maxInFlight?: number; chunkWindow?: number; requestTimeoutMs?: number };
}

/** One peer as `lode peers` and `lode sync status` show it. */
export interface PeerSyncState {
  peer: PeerId;
  /** False: not caught up yet, or away past inactiveAfterMs; it reconciles on return. */
  active: boolean;
  connected: boolean;
  /** Last seen connected (ms since the epoch); now for a connected peer. */
  lastSeen: number;
  /** The last change-log sequence number it acknowledged. */
  acked: number;
  /** Kept log records it has not acknowledged (0 for an inactive peer: it will reconcile). */
  pending: number;
}

/** HEADS messages heard through receiveAnnouncement (gossip), as `lode sync status` counts them. */
export interface AnnouncementCounts {
  /** Well-formed HEADS messages received for a replicated arena. */
  messages: number;
  /** Head entries they carried. */
  entries: number;
  /** Of those, entries this node did not hold yet and accepted. */
  accepted: number;
  /** Announcements of this node's own entries handed to `announce`. */
  published: number;
}

/** A commit being fetched for an arena's branch, as `lode sync status` shows it. */
export interface ArenaTransfer extends FetchProgress {
  arena: ArenaId;
  branch: string;
  started: number;
}

export const DEFAULT_INACTIVE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
