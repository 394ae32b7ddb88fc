// `lode daemon`: joins the pieces. A libp2p node admitting the household, a redialing dialer for the
// peers with addresses, one sync stream each way per connected peer carrying the SyncNode's messages, a
// gossip topic per arena carrying its announcements of new head entries (head-gossip.ts),
// and the control socket through which the CLI asks for status and reports branch moves. Daemon layer.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { branchNameProblem, SyncError, type ArenaId, type CommitId, type NodeId } from '../core/index.ts';
import { getBranch, listArenas } from '../history/index.ts';
import { createNetNode, readFrames, startDialer, DEFAULT_MAX_FRAME, type Dialer, type DialerOptions, type NetNode, type Stream } from '../net/index.ts';
import type { Store } from '../store/index.ts';
import { MAX_MESSAGE_BYTES, SyncNode } from '../sync/index.ts';
import { BranchWaiters } from './branch-waiters.ts';
import { controlSocketPath, startControlServer, type ControlServer } from './control-socket.ts';
import { errorField, stderrLog, type DaemonLog } from './daemon-log.ts';
import { HeadGossip } from './head-gossip.ts';
import { PeerLink, SYNC_PROTOCOL } from './peer-link.ts';
import { RefWatch } from './ref-watch.ts';
import { WorktreeWatches } from './worktree-watches.ts';
import { daemonStatus, type DaemonStatus, type PeerRecord } from './status.ts';

/** The part of lode.toml the daemon reads (the CLI's LodeConfig has this shape). */
export interface DaemonConfig {
  arenas: readonly { name: string; id?: string }[];
  peers: readonly { name?: string; node_id: string; addrs?: readonly string[] }[];
  network: { listen?: readonly string[] };
  sync: { enumerate_threshold?: number };
}

export interface DaemonOptions {
  config: DaemonConfig;
  /** An open disk store; the caller closes it after the daemon stopped. */
  store: Store;
  log?: DaemonLog;
  dialer?: DialerOptions;
  /** A peer away longer is marked inactive and stops holding the change log back (`[sync] inactive_after`). */
  inactiveAfterMs?: number;
}

/** DESIGN's example: every interface, port 4100. `listen = []` makes a deaf node that only dials out. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4100'];
/** After a sync stream broke on a live connection, wait this long before a fresh session. */
const RELINK_DELAY_MS = 1000;
const MAX_RELINK_DELAY_MS = 30_000;

export interface Daemon {
  readonly nodeId: NodeId;
  listenAddrs(): string[];
  status(): DaemonStatus;
  /** Looks for branches moved by other processes and announces them (what the control socket's refs-changed does). */
  refsChanged(initial?: boolean): number;
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, store } = options;
  const log = options.log ?? stderrLog();
  if (store.path === undefined) throw new SyncError('NO_STORE_PATH', 'the daemon needs a store on disk');
  const nodeId = store.identity.nodeId;
  await writeFile(join(store.path, 'node_id'), `${nodeId}\n`);

  const arenas = replicatedArenas(store, config, log);
  const nameOfArena = (id: ArenaId): string => listArenas(store).find((a) => a.id === id)?.name ?? id;
  const peers = new Map<NodeId, PeerRecord>(config.peers
    .filter((p) => p.node_id !== nodeId)
    .map((p) => [p.node_id as NodeId, { name: p.name, nodeId: p.node_id as NodeId, addrs: [...(p.addrs ?? [])], lastError: undefined }]));
  const nameOf = (peer: string): string => peers.get(peer as NodeId)?.name ?? peer.slice(0, 12);
  const noteError = (peer: string, e: unknown): void => {
    const record = peers.get(peer as NodeId);
    if (record !== undefined) record.lastError = { at: Date.now(), reason: errorField(e) };
  };

  const links = new Map<NodeId, PeerLink>();
  const refusals = new RefusalLog();
  /** Consecutive broken sync sessions per peer on its current connection. */
  const relinks = new Map<NodeId, number>();
  let stopping = false;
  const started = Date.now();
  const waiters = new BranchWaiters();
  const waitBranch = async (r: { arena: string; branch: string; commit: string; timeout_ms: number }): Promise<Record<string, unknown>> => {
    const record = listArenas(store).find((a) => arenas.has(a.id) && (a.id === r.arena || a.name === r.arena));
    if (record === undefined) throw new SyncError('NO_SUCH_ARENA', `this daemon replicates no arena ${r.arena}`);
    const problem = branchNameProblem(r.branch);
    if (problem !== undefined) throw new SyncError('BAD_BRANCH_NAME', `branch name ${JSON.stringify(r.branch)}: ${problem}`);
    if (!/^[0-9a-f]{64}$/.test(r.commit)) throw new SyncError('BAD_REQUEST', `${r.commit} is not a full commit id`);
    const commit = r.commit as CommitId;
    const arrival = await waiters.wait(record.id, r.branch, commit, getBranch(store, record.id, r.branch), r.timeout_ms);
    return { arena: record.name, arena_id: record.id, branch: r.branch, commit, moved_at: arrival.movedAt === undefined ? null : new Date(arrival.movedAt).toISOString(), moved_at_ms: arrival.movedAt ?? null };
  };

  // The socket is claimed first, so a second daemon on this store stops before it touches the network.
  let daemon: Daemon | undefined;
  // Change journals of the store's worktrees, for `lode status` (git's fsmonitor idea): started by the first question.
  const worktrees = new WorktreeWatches({
    storePath: store.path,
    onBroken: (root, reason) => log('info', 'worktree watch broke; status walks everything until it is rebuilt', { root, reason }),
  });
  const control: ControlServer = await startControlServer(controlSocketPath(store.path), async (request) => {
    if (daemon === undefined) throw new SyncError('DAEMON_STARTING', 'the daemon is starting; ask again in a moment');
    if (request.op === 'refs-changed') return { moved: daemon.refsChanged() };
    if (request.op === 'worktree-changes') return { ...(await worktrees.changes(request.root, request.since)) };
    if (request.op === 'wait-branch') return waitBranch(request);
    return { ...daemon.status() };
  });

  let net: NetNode;
  try {
    net = await createNetNode({
      identity: store.identity,
      listen: [...(config.network.listen ?? DEFAULT_LISTEN)],
      household: [nodeId, ...peers.keys()],
      trustedAddrs: [...peers.values()].flatMap((p) => p.addrs),
      onRefused: (peerId, reason, refusedNode) => {
        const repeats = refusals.note(peerId);
        if (repeats !== undefined) log('warn', 'refused a connection', { peer: peerId, node: refusedNode, reason, repeats: repeats > 0 ? repeats : undefined });
      },
      onStreamError: (protocol, from, e) => {
        noteError(from, e);
        log('warn', 'closed a stream after an error', { peer: nameOf(from), protocol, error: errorField(e) });
      },
    });
  } catch (e) {
    await control.close();
    throw e;
  }

  const heads = new HeadGossip({
    gossip: net.gossip,
    self: nodeId,
    receive: (author, arena, bytes) => sync.receiveAnnouncement(author, arena, bytes),
    onBadMessage: (author, arena, e) => {
      noteError(author, e);
      log('warn', 'bad gossip from a peer', { peer: nameOf(author), arena: nameOfArena(arena), error: errorField(e) });
    },
    onPublishError: (arena, e) => log('debug', 'cannot gossip a head entry; it goes out on the sync streams', { arena: nameOfArena(arena), error: errorField(e) }),
  });
  const sync = new SyncNode({
    store,
    // Only what lode.toml lists: an arena the store holds but the config leaves out stays local.
    arenas: () => arenas,
    onCannotPublish: (arena, branch, commit) => {
      log('warn', 'cannot publish a local change: this node is a read-only member of the arena, so peers will not take it', { arena: nameOfArena(arena), branch, commit });
    },
    send: (peer, bytes) => links.get(peer as NodeId)?.send(bytes),
    // The reactive path: new entries of our own are gossiped at once; the LOG on the streams backs it up.
    announce: (arena, bytes) => heads.announce(arena, bytes),
    onBadPeer: (peer, e) => {
      noteError(peer, e);
      log('warn', 'bad data from a peer', { peer: nameOf(peer), error: errorField(e) });
    },
    onError: (e) => log('error', 'sync work failed', { error: errorField(e) }),
    onBranchMoved: (arena, branch, commit) => waiters.moved(arena, branch, commit),
    reconciler: config.sync.enumerate_threshold === undefined ? undefined : { enumerateThreshold: config.sync.enumerate_threshold },
    inactiveAfterMs: options.inactiveAfterMs,
  });

  heads.subscribe(arenas);

  /** Starts a session with a connected peer (once): our stream to it, and the SyncNode's HELLO. */
  const linkUp = (peer: NodeId): PeerLink => {
    const existing = links.get(peer);
    if (existing !== undefined && !existing.closed) return existing;
    const link = new PeerLink(net, peer, (e) => {
      noteError(peer, e);
      const breaks = (relinks.get(peer) ?? 0) + 1;
      relinks.set(peer, breaks);
      const delay = Math.min(MAX_RELINK_DELAY_MS, RELINK_DELAY_MS * 2 ** (breaks - 1));
      log('warn', 'sync stream broke', { peer: nameOf(peer), error: errorField(e), retry_ms: delay });
      linkDown(peer, link);
      // The connection may still be up: start a fresh session after a pause that grows while it keeps breaking.
      setTimeout(() => {
        if (!stopping && net.isConnected(peer) && !links.has(peer)) linkUp(peer);
      }, delay).unref();
    });
    links.set(peer, link);
    sync.peerConnected(peer);
    return link;
  };
  const linkDown = (peer: NodeId, link?: PeerLink): void => {
    const current = links.get(peer);
    if (current === undefined || (link !== undefined && current !== link)) return;
    links.delete(peer);
    sync.peerDisconnected(peer);
    void current.close();
  };

  await net.handleStream(SYNC_PROTOCOL, async (stream: Stream, from: NodeId) => {
    if (stopping) return;
    const link = linkUp(from);
    if (link.heardFrom) {
      // A second stream from the peer on one session: it started a fresh session (its old stream broke),
      // so it has forgotten our HELLO. Start ours afresh too, on the stream we already have.
      sync.peerDisconnected(from);
      sync.peerConnected(from);
    }
    link.heardFrom = true;
    for await (const frame of readFrames(stream, { maxFrame: Math.max(DEFAULT_MAX_FRAME, MAX_MESSAGE_BYTES) })) {
      // A bad message throws before any state changed: the handler's throw aborts this stream only.
      sync.receive(from, frame);
    }
  });
  const offConnect = net.onPeer('connect', (peer) => {
    log('info', 'peer connected', { peer: nameOf(peer), node: peer });
    if (!stopping) linkUp(peer);
  });
  const offDisconnect = net.onPeer('disconnect', (peer) => {
    log('info', 'peer disconnected', { peer: nameOf(peer), node: peer });
    relinks.delete(peer);
    linkDown(peer);
  });
  // A peer that dialed in before the listeners were in place.
  for (const peer of net.connectedNodes()) linkUp(peer);

  const dialer: Dialer = startDialer(net, [...peers.values()].map((p) => ({ nodeId: p.nodeId, addrs: p.addrs })), {
    ...options.dialer,
    onDialError: (peer, e, attempt) => {
      noteError(peer, e);
      // The first failure, then every tenth: a peer that is away does not flood the log.
      if (attempt === 1 || attempt % 10 === 0) log('info', 'cannot reach peer; retrying with backoff', { peer: nameOf(peer), attempt, error: errorField(e) });
    },
  });

  const refs = new RefWatch();
  const running: Daemon = {
    nodeId,
    listenAddrs: () => net.listenAddrs(),
    status: () => daemonStatus({ store, net, sync, heads, dialer, peers: [...peers.values()], arenas, links, started }),
    refsChanged(initial = false) {
      const moved = refs.moved(store, arenas);
      for (const m of moved) {
        log('debug', 'branch moved', { arena: m.arena, branch: m.branch, commit: m.commit });
        if (!initial) waiters.moved(m.arena, m.branch, m.commit);
        sync.branchMoved(m.arena, m.branch);
      }
      return moved.length;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      offConnect();
      offDisconnect();
      heads.stop();
      waiters.cancelAll();
      await control.close();
      worktrees.close();
      await dialer.stop();
      await Promise.allSettled([...links.values()].map((l) => l.close()));
      for (const peer of [...links.keys()]) linkDown(peer);
      await net.unhandle(SYNC_PROTOCOL).catch(() => {});
      await net.stop();
      // Work in flight (a merge, a fetch that lost its peers) settles before the store closes.
      await Promise.race([sync.idle(), new Promise((r) => setTimeout(r, 2000).unref())]);
      log('info', 'daemon stopped');
    },
  };

  daemon = running;
  // Announce the heads as they are now: the first scan sees every branch as moved.
  running.refsChanged(true);
  log('info', 'daemon started', { node: nodeId, arenas: arenas.size, peers: peers.size, listen: net.listenAddrs().join(',') });
  return daemon;
}

/** Runs until `signal` aborts, then stops cleanly. */
export async function runDaemon(options: DaemonOptions & { signal: AbortSignal; onReady?: (daemon: Daemon) => void }): Promise<void> {
  const daemon = await startDaemon(options);
  try {
    options.onReady?.(daemon);
    if (!options.signal.aborted) await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await daemon.stop();
  }
}

/**
 * A stranger that keeps redialing would fill the log: each key's first refusal is logged, then at most one
 * line a minute, with the number of refusals since the last line.
 */
export class RefusalLog {
  static readonly INTERVAL_MS = 60_000;
  static readonly MAX_KEYS = 1024;
  readonly #seen = new Map<string, { at: number; since: number }>();

  /** The refusals left unlogged since the last line, or undefined when this one is not to be logged. */
  note(peerId: string, now = Date.now()): number | undefined {
    const seen = this.#seen.get(peerId);
    if (seen !== undefined && now - seen.at < RefusalLog.INTERVAL_MS) {
      seen.since++;
      return undefined;
    }
    if (this.#seen.size >= RefusalLog.MAX_KEYS) this.#seen.clear();
    this.#seen.set(peerId, { at: now, since: 0 });
    return seen?.since ?? 0;
  }
}

/** The store's arenas that the config lists (by id, else by name); config arenas the store lacks are warned about. */
function replicatedArenas(store: Store, config: DaemonConfig, log: DaemonLog): Set<ArenaId> {
  const held = listArenas(store);
  const out = new Set<ArenaId>();
  for (const wanted of config.arenas) {
    const record = held.find((a) => (wanted.id !== undefined ? a.id === wanted.id : a.name === wanted.name));
    if (record === undefined) {
      log('warn', 'config lists an arena this store does not hold; `lode arena join TICKET` adds it', { arena: wanted.name, id: wanted.id });
      continue;
    }
    out.add(record.id);
  }
  for (const a of held) {
    if (!out.has(a.id)) log('info', 'arena not listed in lode.toml: it is not replicated', { arena: a.name, id: a.id });
  }
  return out;
}

