// HeadGossip over a fake Gossip: one topic per arena, publishing only once the topic has a subscriber,
// messages from others fed to the sync engine, and refused bytes reported against their author.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArenaId, NodeId } from '../core/index.ts';
import type { Gossip, GossipListener } from '../net/index.ts';
import { headsTopic } from '../sync/index.ts';
import { HeadGossip } from './head-gossip.ts';

class FakeGossip implements Gossip {
  readonly listeners = new Map<string, GossipListener>();
  readonly published: [string, Uint8Array][] = [];
  readonly subscribed = new Map<string, NodeId[]>();
  subscribe(topic: string, listener: GossipListener): () => void {
    this.listeners.set(topic, listener);
    return () => this.listeners.delete(topic);
  }
  async publish(topic: string, data: Uint8Array): Promise<number> {
    this.published.push([topic, data]);
    return this.subscribers(topic).length;
  }
  subscribers(topic: string): NodeId[] {
    return this.subscribed.get(topic) ?? [];
  }
  async waitForSubscriber(): Promise<void> {}
}

const A = 'aa'.repeat(32) as ArenaId;
const B = 'bb'.repeat(32) as ArenaId;
const SELF = '11'.repeat(32) as NodeId;
const PEER = '22'.repeat(32) as NodeId;

test('topics are per arena; a message is published only once the topic has a subscriber', async () => {
  const gossip = new FakeGossip();
  const heads = new HeadGossip({ gossip, self: SELF, receive: () => {}, onBadMessage: () => {}, onPublishError: () => {} });
  heads.subscribe([A, B]);
  assert.deepEqual([...gossip.listeners.keys()], [`/lode/arena/${A}/heads/1`, `/lode/arena/${B}/heads/1`]);
  heads.announce(A, new Uint8Array([1]));
  assert.deepEqual(gossip.published, [], 'nobody listens yet: the change log carries it');
  assert.equal(heads.skipped, 1);
  gossip.subscribed.set(headsTopic(A), [PEER]);
  heads.announce(A, new Uint8Array([2]));
  heads.announce(B, new Uint8Array([3]));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(gossip.published, [[headsTopic(A), new Uint8Array([2])]]);
  assert.deepEqual([heads.published, heads.skipped], [1, 2]);
  heads.stop();
  assert.equal(gossip.listeners.size, 0);
  heads.announce(A, new Uint8Array([4]));
  assert.equal(gossip.published.length, 1, 'nothing after stop');
});

test('messages from others reach the sync engine with their arena; our own are ignored; refused ones are reported', () => {
  const gossip = new FakeGossip();
  const received: [NodeId, ArenaId, number][] = [];
  const bad: [NodeId, ArenaId, string][] = [];
  const heads = new HeadGossip({
    gossip, self: SELF,
    receive: (author, arena, bytes) => {
      if (bytes[0] === 0) throw Object.assign(new Error('refused'), { code: 'BAD_MESSAGE' });
      received.push([author, arena, bytes[0]!]);
    },
    onBadMessage: (author, arena, e) => void bad.push([author, arena, (e as { code: string }).code]),
    onPublishError: () => {},
  });
  heads.subscribe([A, B]);
  gossip.listeners.get(headsTopic(B))!(new Uint8Array([7]), PEER, headsTopic(B));
  gossip.listeners.get(headsTopic(A))!(new Uint8Array([8]), SELF, headsTopic(A));
  gossip.listeners.get(headsTopic(A))!(new Uint8Array([0]), PEER, headsTopic(A));
  assert.deepEqual(received, [[PEER, B, 7]]);
  assert.deepEqual(bad, [[PEER, A, 'BAD_MESSAGE']]);
});

test('without gossip (gossipsub off) nothing is subscribed or published', () => {
  const heads = new HeadGossip({ gossip: undefined, self: SELF, receive: () => {}, onBadMessage: () => {}, onPublishError: () => {} });
  heads.subscribe([A]);
  heads.announce(A, new Uint8Array([1]));
  assert.deepEqual([heads.published, heads.skipped], [0, 0]);
});
