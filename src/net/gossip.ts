// Topic gossip over libp2p gossipsub, in node ids rather than PeerIds. Part of the net layer: it moves
// signed-by-author messages on topics; what a message means (a head entry) is the sync layer's business.
import type { GossipSub, Message } from '@libp2p/gossipsub';
import { NetError, type NodeId } from '../core/index.ts';
import { nodeIdOfPeerOrUndefined, peerIdOfNode } from './node-identity.ts';

export type GossipListener = (data: Uint8Array, author: NodeId, topic: string) => void;

export interface Gossip {
  /** Joins a topic; the listener receives each message with its author (the signer, not the forwarder). */
  subscribe(topic: string, listener: GossipListener): () => void;
  /** Publishes to the topic; resolves with how many peers it was sent to (0 when nobody listens yet). */
  publish(topic: string, data: Uint8Array): Promise<number>;
  /** Members known to be subscribed to a topic. */
  subscribers(topic: string): NodeId[];
  /**
   * Resolves once `nodeId` is subscribed to `topic`. A message published before that is lost to it, so
   * callers that need delivery (tests, first announce) wait here first.
   */
  waitForSubscriber(topic: string, nodeId: NodeId | string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
}

export function createGossip(pubsub: GossipSub, isMember: (nodeId: string) => boolean): Gossip {
  const listeners = new Map<string, Set<GossipListener>>();

  pubsub.addEventListener('message', (event: CustomEvent<Message>) => {
    const msg = event.detail;
    // gossipsub signs with the author's key (StrictSign); an unsigned or foreign-authored message is
    // dropped even if a member forwarded it.
    if (msg.type !== 'signed') return;
    const author = nodeIdOfPeerOrUndefined(msg.from);
    if (author === undefined || !isMember(author)) return;
    for (const listener of listeners.get(msg.topic) ?? []) listener(msg.data, author, msg.topic);
  });

  const subscribers = (topic: string): NodeId[] =>
    pubsub.getSubscribers(topic).flatMap((p) => {
      const id = nodeIdOfPeerOrUndefined(p);
      return id === undefined ? [] : [id];
    });

  return {
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (set === undefined) {
        set = new Set();
        listeners.set(topic, set);
        pubsub.subscribe(topic);
      }
      set.add(listener);
      return () => {
        const current = listeners.get(topic);
        if (current === undefined || !current.delete(listener) || current.size > 0) return;
        listeners.delete(topic);
        pubsub.unsubscribe(topic);
      };
    },
    async publish(topic, data) {
      try {
        const result = await pubsub.publish(topic, data);
        return result.recipients.length;
      } catch (cause) {
        throw new NetError('PUBLISH_FAILED', `cannot publish on ${topic}`, { cause });
      }
    },
    subscribers,
    waitForSubscriber(topic, nodeId, options = {}) {
      const peer = peerIdOfNode(nodeId).toString();
      const present = (): boolean => pubsub.getSubscribers(topic).some((p) => p.toString() === peer);
      if (present()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => finish(new NetError('GOSSIP_TIMEOUT', `node ${nodeId} did not subscribe to ${topic} in time`)), options.timeoutMs);
        const onAbort = (): void => finish(new NetError('ABORTED', 'waiting for a subscriber was aborted', { cause: options.signal?.reason }));
        const onChange = (): void => {
          if (present()) finish();
        };
        function finish(err?: NetError): void {
          clearTimeout(timer);
          pubsub.removeEventListener('subscription-change', onChange);
          options.signal?.removeEventListener('abort', onAbort);
          if (err === undefined) resolve();
          else reject(err);
        }
        if (options.signal?.aborted) return onAbort();
        pubsub.addEventListener('subscription-change', onChange);
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
