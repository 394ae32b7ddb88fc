// What `lode peers` and `lode sync status` show, as one JSON document built from the running daemon:
// configured peers and their connection state, and per arena the local branches and the signed heads
// known from every author. Daemon layer.
import { BRANCH_KEY_PREFIX, type ArenaId, type NodeId } from '../core/index.ts';
import { listArenas, listBranches, listHeadEntries } from '../history/index.ts';
import type { Dialer, NetNode } from '../net/index.ts';
import type { Store } from '../store/index.ts';
import type { SyncNode } from '../sync/index.ts';
import type { HeadGossip } from './head-gossip.ts';
import type { PeerLink } from './peer-link.ts';

export interface PeerRecord {
  name: string | undefined;
  nodeId: NodeId;
  addrs: string[];
  lastError: { at: number; reason: string } | undefined;
}

export interface PeerStatus {
  name: string | null;
  node_id: string;
  addrs: string[];
  connected: boolean;
  /** Whether a sync session runs over the connection. */
  syncing: boolean;
  /** Consecutive failed dials (0 for a deaf peer, which we never dial). */
  dial_failures: number;
  last_error: { at: string; reason: string } | null;
  queued_bytes: number;
  /** From the sync engine's change log; null for a peer it has never met. */
  active: boolean | null;
  /** Change-log records this peer has not acknowledged yet. */
  pending_changes: number;
  last_seen: string | null;
}

export interface ArenaStatus {
  name: string;
  id: string;
  writable: boolean;
  branches: { name: string; commit: string }[];
  /** Signed head entries held, this node's own included (`own`). */
  heads: { author: string; own: boolean; branch: string; commit: string; timestamp: string }[];
  /** Commits being fetched for this arena now, with the objects received and still outstanding. */
  transfers: TransferStatus[];
}

export interface TransferStatus {
  branch: string;
  commit: string;
  started: string;
  objects_received: number;
  bytes_received: number;
  objects_outstanding: number;
}

export interface DaemonStatus {
  node_id: string;
  pid: number;
  store: string;
  started: string;
  listen: string[];
  peers: PeerStatus[];
  arenas: ArenaStatus[];
  /**
   * Background sync tasks running (messages being handled, fetches, merges), change-log length, and the
   * objects (and their bytes) received from peers and verified since this daemon started. The reactive
   * path since start: head entries of this node's own announced on the arenas' gossip topics (and those
   * not, nobody having subscribed yet), and head entries heard there, with how many of them were new.
   */
  sync: {
    tasks: number; log_length: number; objects_received: number; bytes_received: number;
    heads_published_by_gossip: number; heads_not_gossiped: number; heads_received_by_gossip: number; heads_accepted_by_gossip: number;
  };
}

export interface StatusSources {
  store: Store;
  net: NetNode;
  sync: SyncNode;
  heads: HeadGossip;
  dialer: Dialer;
  peers: PeerRecord[];
  arenas: ReadonlySet<ArenaId>;
  links: ReadonlyMap<NodeId, PeerLink>;
  started: number;
}

export function daemonStatus(s: StatusSources): DaemonStatus {
  const dials = new Map(s.dialer.state().map((d) => [d.nodeId, d]));
  const syncStates = new Map(s.sync.peerStates().map((p) => [p.peer, p]));
  const self = s.store.identity.nodeId;
  const transfers = s.sync.transfers();
  const received = s.sync.received;
  const announced = s.sync.announcements;
  return {
    node_id: self,
    pid: process.pid,
    store: s.store.path ?? '',
    started: new Date(s.started).toISOString(),
    listen: s.net.listenAddrs(),
    peers: s.peers.map((p) => {
      const link = s.links.get(p.nodeId);
      const state = syncStates.get(p.nodeId);
      return {
        name: p.name ?? null,
        node_id: p.nodeId,
        addrs: p.addrs,
        connected: s.net.isConnected(p.nodeId),
        syncing: link !== undefined && !link.closed,
        dial_failures: dials.get(p.nodeId)?.failures ?? 0,
        last_error: p.lastError === undefined ? null : { at: new Date(p.lastError.at).toISOString(), reason: p.lastError.reason },
        queued_bytes: link?.queuedBytes ?? 0,
        active: state?.active ?? null,
        pending_changes: state?.pending ?? 0,
        last_seen: state === undefined ? null : new Date(state.lastSeen).toISOString(),
      };
    }),
    arenas: listArenas(s.store).filter((a) => s.arenas.has(a.id)).map((a) => ({
      name: a.name,
      id: a.id,
      writable: a.secretKey !== undefined,
      branches: listBranches(s.store, a.id).map((b) => ({ name: b.name, commit: b.commit })),
      heads: listHeadEntries(s.store, a.id).map(({ entry }) => ({
        author: entry.author,
        own: entry.author === self,
        branch: entry.key.startsWith(BRANCH_KEY_PREFIX) ? entry.key.slice(BRANCH_KEY_PREFIX.length) : entry.key,
        commit: entry.commit,
        timestamp: new Date(entry.time).toISOString(),
      })),
      transfers: transfers.filter((t) => t.arena === a.id).map((t) => ({
        branch: t.branch,
        commit: t.commit,
        started: new Date(t.started).toISOString(),
        objects_received: t.objectsReceived,
        bytes_received: t.bytesReceived,
        objects_outstanding: t.outstanding,
      })),
    })),
    sync: {
      tasks: s.sync.busy, log_length: s.sync.logLength, objects_received: received.objects, bytes_received: received.bytes,
      heads_published_by_gossip: s.heads.published, heads_not_gossiped: s.heads.skipped,
      heads_received_by_gossip: announced.entries, heads_accepted_by_gossip: announced.accepted,
    },
  };
}
