// A lode node on the network: js-libp2p 3 over TCP with Noise, yamux, identify, ping and gossipsub, and a
// gater that admits only the household's keys. Part of the net layer; it knows peers, never arenas or sync.
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { ping, type Ping } from '@libp2p/ping';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { AbortOptions, ConnectionGater, PeerId, Stream } from '@libp2p/interface';
import { NetError, isLodeError, type NodeId } from '../core/index.ts';
import { libp2pPrivateKey, nodeIdOfPeer, nodeIdOfPeerOrUndefined, peerIdOfNode, type NodeIdentity } from './node-identity.ts';
import { createGossip, type Gossip } from './gossip.ts';
import { MAX_STREAM_WINDOW_BYTES } from './frames.ts';
import { noiseCrypto } from './noise-crypto.ts';

export type RefusalReason = 'not-in-household' | 'not-ed25519';
export type PeerEvent = 'connect' | 'disconnect';

export interface NetLimits {
  maxConnections: number;
  /** Connections still in the handshake; beyond this, new sockets are dropped. */
  maxIncomingPendingConnections: number;
  /**
   * New inbound connections accepted per second from one IP address (libp2p's per-host rate limit,
   * `connectionManager.inboundConnectionThreshold`, 5 by default). A household behind one address, or on
   * loopback, shares it with any stranger redialing from there, so it must be well above 5.
   */
  inboundConnectionsPerHostPerSecond: number;
  /** Per protocol and connection, for protocols registered through handleStream. */
  maxInboundStreams: number;
  maxOutboundStreams: number;
  /** A handshake (Noise + yamux) that takes longer is abandoned. */
  handshakeTimeoutMs: number;
  dialTimeoutMs: number;
}

export const DEFAULT_NET_LIMITS: NetLimits = {
  maxConnections: 64,
  maxIncomingPendingConnections: 16,
  inboundConnectionsPerHostPerSecond: 64,
  maxInboundStreams: 64,
  maxOutboundStreams: 64,
  handshakeTimeoutMs: 10_000,
  dialTimeoutMs: 10_000,
};

export interface NetNodeOptions {
  identity: NodeIdentity;
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/4100`; empty for a deaf node that only dials out. */
  listen: string[];
  /** Node ids (hex ed25519 public keys) admitted on a connection; every other key is refused. */
  household: Iterable<NodeId | string>;
  /**
   * Addresses (multiaddrs) of household peers: inbound connections from their IP addresses skip the
   * per-host rate limit and the pending-connection cap (the gater still checks the key).
   */
  trustedAddrs?: Iterable<string>;
  /** Called for each refused handshake, inbound or outbound. */
  onRefused?: (peerId: string, reason: RefusalReason, nodeId: NodeId | undefined) => void;
  /** Called when a stream handler fails (a hostile frame, a handler throw); its stream was aborted. */
  onStreamError?: (protocol: string, from: NodeId, error: unknown) => void;
  /** Run gossipsub (default true). */
  gossip?: boolean;
  limits?: Partial<NetLimits>;
}

interface NetServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub?: GossipSub;
}

/** A stream handler; the stream is closed (or aborted on a throw) when the returned promise settles. */
export type StreamHandler = (stream: Stream, from: NodeId) => Promise<void>;

export interface NetNode {
  readonly nodeId: NodeId;
  readonly peerId: PeerId;
  /** The underlying libp2p node, for what this face does not cover. */
  readonly libp2p: Libp2p<NetServices>;
  readonly gossip: Gossip | undefined;
  readonly limits: NetLimits;
  /** Listening addresses, each ending in this node's `/p2p/<peer id>`. */
  listenAddrs(): string[];
  isMember(nodeId: NodeId | string): boolean;
  admit(nodeId: NodeId | string): void;
  /** Removes a node from the household and hangs up on it. */
  expel(nodeId: NodeId | string): Promise<void>;
  connectedNodes(): NodeId[];
  isConnected(nodeId: NodeId | string): boolean;
  /** Connects to a member at one of `addrs` (the remote key is checked against `nodeId`). */
  dial(nodeId: NodeId | string, addrs: string[], options?: AbortOptions): Promise<void>;
  /** Opens a stream on an existing connection, or dials the peer's known addresses. */
  openStream(nodeId: NodeId | string, protocol: string, options?: AbortOptions): Promise<Stream>;
  handleStream(protocol: string, handler: StreamHandler): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  /** Subscribes to connect/disconnect of members; returns the unsubscribe function. */
  onPeer(event: PeerEvent, listener: (nodeId: NodeId) => void): () => void;
  stop(): Promise<void>;
}

export async function createNetNode(options: NetNodeOptions): Promise<NetNode> {
  const limits: NetLimits = { ...DEFAULT_NET_LIMITS, ...options.limits };
  const household = new Set<string>(options.household);
  const privateKey = libp2pPrivateKey(options.identity);

  // Noise has authenticated the remote key by the time the *EncryptedConnection checks run, so refusing
  // there turns strangers away before any stream or muxer exists.
  const refused = (peerId: PeerId): boolean => {
    const nodeId = nodeIdOfPeerOrUndefined(peerId);
    if (nodeId !== undefined && household.has(nodeId)) return false;
    options.onRefused?.(peerId.toString(), nodeId === undefined ? 'not-ed25519' : 'not-in-household', nodeId);
    return true;
  };
  const gater: ConnectionGater = {
    denyDialPeer: (peerId) => {
      const nodeId = nodeIdOfPeerOrUndefined(peerId);
      return nodeId === undefined || !household.has(nodeId);
    },
    denyInboundEncryptedConnection: (peerId) => refused(peerId),
    denyOutboundEncryptedConnection: (peerId) => refused(peerId),
    // Loopback and private addresses are where households live; the default gater would allow them
    // too, but say so explicitly.
    denyDialMultiaddr: () => false,
  };

  const services: Record<string, unknown> = { identify: identify(), ping: ping() };
  if (options.gossip ?? true) {
    services.pubsub = gossipsub({
      // Publishing before anyone listens is not an error for lode: reconciliation catches peers up.
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
    });
  }

  let libp2p: Libp2p<NetServices>;
  try {
    libp2p = (await createLibp2p({
      privateKey,
      addresses: { listen: options.listen },
      transports: [tcp()],
      connectionEncrypters: [noise({ crypto: noiseCrypto })],
      streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES } })],
      connectionGater: gater,
      connectionManager: {
        maxConnections: limits.maxConnections,
        maxIncomingPendingConnections: limits.maxIncomingPendingConnections,
        inboundConnectionThreshold: limits.inboundConnectionsPerHostPerSecond,
        allow: trustedHosts(options.trustedAddrs ?? []),
        inboundUpgradeTimeout: limits.handshakeTimeoutMs,
        dialTimeout: limits.dialTimeoutMs,
      },
      services: services as never,
    })) as Libp2p<NetServices>;
  } catch (cause) {
    throw new NetError('LISTEN_FAILED', `cannot start the network on ${options.listen.join(', ')}`, { cause });
  }

  const gossip = libp2p.services.pubsub === undefined ? undefined : createGossip(libp2p.services.pubsub, (id) => household.has(id));
  const connectedNodes = (): NodeId[] =>
    libp2p.getPeers().flatMap((p) => {
      const id = nodeIdOfPeerOrUndefined(p);
      return id === undefined ? [] : [id];
    });

  return {
    nodeId: options.identity.nodeId,
    peerId: libp2p.peerId,
    libp2p,
    gossip,
    limits,
    listenAddrs: () => libp2p.getMultiaddrs().map((a) => a.toString()),
    isMember: (nodeId) => household.has(nodeId),
    admit: (nodeId) => {
      peerIdOfNode(nodeId); // validates the id
      household.add(nodeId);
    },
    async expel(nodeId) {
      household.delete(nodeId);
      await libp2p.hangUp(peerIdOfNode(nodeId));
    },
    connectedNodes,
    isConnected: (nodeId) => libp2p.getConnections(peerIdOfNode(nodeId)).some((c) => c.status === 'open'),
    async dial(nodeId, addrs, dialOptions) {
      const peerId = peerIdOfNode(nodeId);
      if (!household.has(nodeId)) throw new NetError('NOT_IN_HOUSEHOLD', `node ${nodeId} is not in the household`);
      const targets = addrs.map((a) => withPeerId(a, peerId));
      try {
        await libp2p.dial(targets.length > 0 ? targets : peerId, dialOptions);
      } catch (cause) {
        throw new NetError('DIAL_FAILED', `cannot connect to node ${nodeId}`, { cause });
      }
    },
    async openStream(nodeId, protocol, streamOptions) {
      const peerId = peerIdOfNode(nodeId);
      if (!household.has(nodeId)) throw new NetError('NOT_IN_HOUSEHOLD', `node ${nodeId} is not in the household`);
      try {
        return await libp2p.dialProtocol(peerId, protocol, { ...streamOptions, maxOutboundStreams: limits.maxOutboundStreams });
      } catch (cause) {
        throw new NetError('STREAM_OPEN_FAILED', `cannot open ${protocol} to node ${nodeId}`, { cause });
      }
    },
    async handleStream(protocol, handler) {
      await libp2p.handle(
        protocol,
        async (stream, connection) => {
          // The gater admitted only ed25519 members, so this cannot throw for a live connection.
          const from = nodeIdOfPeer(connection.remotePeer);
          const failure = await runHandler(stream, () => handler(stream, from));
          if (failure !== undefined) options.onStreamError?.(protocol, from, failure);
        },
        { maxInboundStreams: limits.maxInboundStreams, maxOutboundStreams: limits.maxOutboundStreams },
      );
    },
    unhandle: (protocol) => libp2p.unhandle(protocol),
    onPeer(event, listener) {
      const wrapped = (e: CustomEvent<PeerId>): void => {
        const id = nodeIdOfPeerOrUndefined(e.detail);
        if (id !== undefined) listener(id);
      };
      const name = event === 'connect' ? 'peer:connect' : 'peer:disconnect';
      libp2p.addEventListener(name, wrapped);
      return () => libp2p.removeEventListener(name, wrapped);
    },
    async stop() {
      await libp2p.stop();
    },
  };
}

/**
 * Runs a handler and always ends its stream: a clean return closes it, a throw aborts it. A handler that
 * forgot to close would leave half-closed streams until maxInboundStreams refuses new ones.
 */
async function runHandler(stream: Stream, run: () => Promise<void>): Promise<unknown> {
  try {
    await run();
    if (stream.status === 'open') await stream.close();
    return undefined;
  } catch (e) {
    const err = isLodeError(e) ? e : new NetError('HANDLER_FAILED', `handler for ${stream.protocol} failed`, { cause: e });
    if (stream.status === 'open' || stream.status === 'closing') stream.abort(err);
    return err;
  }
}

/** The IP host part (`/ip4/H` or `/ip6/H`) of each address that has one; DNS names and bad strings are skipped. */
function trustedHosts(addrs: Iterable<string>): string[] {
  const hosts = new Set<string>();
  for (const addr of addrs) {
    let ma: Multiaddr;
    try {
      ma = multiaddr(addr);
    } catch {
      continue;
    }
    const ip = ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6');
    if (ip?.value !== undefined) hosts.add(`/${ip.name}/${ip.value}`);
  }
  return [...hosts];
}

function withPeerId(addr: string, peerId: PeerId): Multiaddr {
  let ma: Multiaddr;
  try {
    ma = multiaddr(addr);
  } catch (cause) {
    throw new NetError('BAD_MULTIADDR', `not a multiaddr: ${JSON.stringify(addr)}`, { cause });
  }
  const p2p = ma.getComponents().find((c) => c.name === 'p2p');
  if (p2p === undefined) return ma.encapsulate(`/p2p/${peerId.toString()}`);
  if (p2p.value !== peerId.toString()) {
    throw new NetError('PEER_ID_MISMATCH', `address ${addr} names another peer than ${peerId.toString()}`);
  }
  return ma;
}
