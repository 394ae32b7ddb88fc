// Keeps the household's listening peers connected: dial, and after a failure or a disconnect redial
// with capped, jittered exponential backoff. Part of the net layer. A peer without addresses (a deaf
// peer) is never dialed: it dials us, and the gater admits it.
import { NetError, type NodeId } from '../core/index.ts';
import type { NetNode } from './transport.ts';

export interface DialTarget {
  nodeId: NodeId;
  /** Multiaddrs of the peer; empty for a deaf peer. */
  addrs: string[];
}

export interface DialerOptions {
  /** Delay after the first failure; doubles with each further failure. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter], so peers do not redial in step. */
  jitter?: number;
  random?: () => number;
  /**
   * A connection counts as made once it stayed up this long; one dropped sooner (a peer whose gater
   * refuses our key lets the handshake finish, then hangs up) counts as a failed dial. Default 2 s.
   */
  stableAfterMs?: number;
  onDialError?: (nodeId: NodeId, error: unknown, attempt: number) => void;
}

export interface PeerDialState {
  nodeId: NodeId;
  connected: boolean;
  /** Consecutive failed dials since the last connection. */
  failures: number;
}

export interface Dialer {
  /** Replaces the set of peers to keep connected. */
  setPeers(peers: DialTarget[]): void;
  state(): PeerDialState[];
  /** Stops dialing and waits until every dial loop has ended; existing connections stay open. */
  stop(): Promise<void>;
}

export const DEFAULT_DIALER = { baseDelayMs: 500, maxDelayMs: 30_000, jitter: 0.2, stableAfterMs: 2000 } as const;

export function backoffDelay(failures: number, options: DialerOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_DIALER.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_DIALER.maxDelayMs;
  const jitter = options.jitter ?? DEFAULT_DIALER.jitter;
  const random = options.random ?? Math.random;
  const raw = Math.min(max, base * 2 ** Math.max(0, failures - 1));
  return Math.min(max, Math.round(raw * (1 - jitter + 2 * jitter * random())));
}

interface Loop {
  addrs: string;
  controller: AbortController;
  done: Promise<void>;
  failures: number;
}

export function startDialer(node: NetNode, peers: DialTarget[], options: DialerOptions = {}): Dialer {
  const loops = new Map<NodeId, Loop>();
  let stopped = false;

  const start = (peer: DialTarget): void => {
    const loop: Loop = { addrs: peer.addrs.join(' '), controller: new AbortController(), done: Promise.resolve(), failures: 0 };
    loop.done = keepConnected(node, peer, loop, options);
    loops.set(peer.nodeId, loop);
  };

  const dialer: Dialer = {
    setPeers(next) {
      if (stopped) return;
      const wanted = new Map(next.filter((p) => p.addrs.length > 0 && p.nodeId !== node.nodeId).map((p) => [p.nodeId, p]));
      for (const [id, loop] of loops) {
        const peer = wanted.get(id);
        if (peer === undefined || peer.addrs.join(' ') !== loop.addrs) {
          loop.controller.abort();
          loops.delete(id);
        }
      }
      for (const peer of wanted.values()) if (!loops.has(peer.nodeId)) start(peer);
    },
    state: () => [...loops].map(([nodeId, loop]) => ({ nodeId, connected: node.isConnected(nodeId), failures: loop.failures })),
    async stop() {
      stopped = true;
      const all = [...loops.values()];
      loops.clear();
      for (const loop of all) loop.controller.abort();
      await Promise.allSettled(all.map((l) => l.done));
    },
  };
  dialer.setPeers(peers);
  return dialer;
}

async function keepConnected(node: NetNode, peer: DialTarget, loop: Loop, options: DialerOptions): Promise<void> {
  const signal = loop.controller.signal;
  const stableAfterMs = options.stableAfterMs ?? DEFAULT_DIALER.stableAfterMs;
  while (!signal.aborted) {
    if (node.isConnected(peer.nodeId)) {
      const since = Date.now();
      await waitFor(node, 'disconnect', peer.nodeId, stableAfterMs, signal);
      if (signal.aborted) return;
      if (node.isConnected(peer.nodeId)) {
        // Up long enough to trust: the backoff starts over.
        loop.failures = 0;
        await waitFor(node, 'disconnect', peer.nodeId, undefined, signal);
        continue;
      }
      if (Date.now() - since >= stableAfterMs) {
        loop.failures = 0;
        continue;
      }
      loop.failures++;
      options.onDialError?.(peer.nodeId, new NetError('CONNECTION_DROPPED', `node ${peer.nodeId} hung up right after connecting (does its lode.toml list this node?)`), loop.failures);
    } else {
      try {
        await node.dial(peer.nodeId, peer.addrs, { signal });
        // Connected: the next turn watches whether it lasts before the backoff resets.
        continue;
      } catch (e) {
        if (signal.aborted) return;
        loop.failures++;
        options.onDialError?.(peer.nodeId, e, loop.failures);
      }
    }
    // The peer may dial us meanwhile; a connection ends the wait early.
    await waitFor(node, 'connect', peer.nodeId, backoffDelay(loop.failures, options), signal);
  }
}

/** Resolves on the peer event for `nodeId`, after `timeoutMs` if given, or on abort; never rejects. */
function waitFor(node: NetNode, event: 'connect' | 'disconnect', nodeId: NodeId, timeoutMs: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const off = node.onPeer(event, (id) => {
      if (id === nodeId) finish();
    });
    if (signal.aborted) return finish();
    signal.addEventListener('abort', finish, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(finish, timeoutMs);
    // The state may have changed before the listener was in place.
    if ((event === 'disconnect') !== node.isConnected(nodeId)) finish();
  });
}
