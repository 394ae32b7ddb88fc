// Two and three nodes on real sockets (127.0.0.1, port 0): frames on a custom protocol, request/response,
// the household gater refusing a stranger during the handshake, and gossip delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { multiaddr } from '@multiformats/multiaddr';
import { FrameWriter, readFrames, writeFrame } from './frames.ts';
import { request, handle } from './request-response.ts';
import { nodeIdOfPeer, peerIdOfNode, libp2pPrivateKey } from './node-identity.ts';
import { newIdentity, startNode, stopAll, until, withMembers } from './testing/nodes.ts';
import type { NetNode } from './transport.ts';
import type { NodeId } from '../core/index.ts';

const ECHO = '/lode/test/echo/1';

test('node ids map to peer ids and back, and a key must match its node id', () => {
  const a = newIdentity();
  const b = newIdentity();
  assert.equal(nodeIdOfPeer(peerIdOfNode(a.nodeId)), a.nodeId);
  assert.equal(nodeIdOfPeer(peerIdOfNode(a.nodeId).toString()), a.nodeId);
  assert.equal(libp2pPrivateKey(a).publicKey.toString(), peerIdOfNode(a.nodeId).toString());
  assert.throws(() => libp2pPrivateKey({ nodeId: b.nodeId, secretKey: a.secretKey }), { code: 'IDENTITY_MISMATCH' });
  assert.throws(() => peerIdOfNode('abc'), { code: 'BAD_NODE_ID' });
});

test('two members connect and exchange frames over a custom protocol', { timeout: 20_000 }, async () => {
  await withMembers(async ({ a, b, ia, ib }) => {
    const seenFrom: NodeId[] = [];
    await a.handleStream(ECHO, async (stream, from) => {
      seenFrom.push(from);
      const writer = new FrameWriter(stream);
      for await (const frame of readFrames(stream, { maxFrame: 2 * 1024 * 1024 })) await writer.write(frame.toReversed());
      await writer.flush();
    });
    await b.dial(ia.nodeId, a.listenAddrs());
    assert.deepEqual(b.connectedNodes(), [ia.nodeId]);

    const big = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const sent = [new Uint8Array([1, 2, 3]), new Uint8Array(0), big];
    const stream = await b.openStream(ia.nodeId, ECHO);
    for (const f of sent) await writeFrame(stream, f);
    await stream.close();
    const got: Uint8Array[] = [];
    for await (const frame of readFrames(stream, { maxFrame: 2 * 1024 * 1024 })) got.push(frame);
    assert.equal(got.length, sent.length);
    got.forEach((frame, i) => assert.ok(Buffer.from(frame).equals(sent[i]!.toReversed()), `frame ${i} differs`));
    assert.deepEqual(seenFrom, [ib.nodeId]);

    await handle(a, '/lode/test/upper/1', async (body, from) => {
      assert.equal(from, ib.nodeId);
      return new TextEncoder().encode(new TextDecoder().decode(body).toUpperCase());
    });
    const reply = await request(b, ia.nodeId, '/lode/test/upper/1', new TextEncoder().encode('hello'));
    assert.equal(new TextDecoder().decode(reply), 'HELLO');
    // More requests than maxInboundStreams: each handled stream must be closed, or they would pile up.
    for (let i = 0; i < a.limits.maxInboundStreams + 8; i++) await request(b, ia.nodeId, '/lode/test/upper/1', new Uint8Array([97]));
    await until(() => b.libp2p.getConnections()[0]?.streams.length === 0, 'every request stream to be released');
  });
});

test('a key outside the household is refused during the handshake, both ways', { timeout: 20_000 }, async () => {
  const [ia, ib, stranger] = [newIdentity(), newIdentity(), newIdentity()];
  const refusedByA: Array<[NodeId | undefined, string]> = [];
  let a: NetNode | undefined;
  let c: NetNode | undefined;
  try {
    a = await startNode(ia, [ib], { onRefused: (_peer, reason, nodeId) => refusedByA.push([nodeId, reason]) });
    // The stranger trusts A, so only A's gater stands in the way.
    c = await startNode(stranger, [ia]);
    // The stranger's side may finish its half of the handshake (the muxer is negotiated lazily) before
    // A hangs up, so its dial may resolve; what matters is that no connection survives.
    await c.dial(ia.nodeId, a.listenAddrs()).catch((e: unknown) => assert.equal((e as { code?: string }).code, 'DIAL_FAILED'));
    await until(() => refusedByA.length > 0, 'the inbound refusal');
    assert.deepEqual(refusedByA[0], [stranger.nodeId, 'not-in-household']);

    // Outbound: an address without a peer id reaches the stranger, and A refuses once Noise reveals its key.
    const bare = c.listenAddrs()[0]!.replace(/\/p2p\/.*$/, '');
    await assert.rejects(a.libp2p.dial(multiaddr(bare)));
    await until(() => refusedByA.length > 1, 'the outbound refusal');
    assert.deepEqual(refusedByA[1], [stranger.nodeId, 'not-in-household']);
    await assert.rejects(a.dial(stranger.nodeId, c.listenAddrs()), { code: 'NOT_IN_HOUSEHOLD' });

    assert.equal(a.libp2p.getConnections().length, 0);
    await until(() => c!.libp2p.getConnections().length === 0, 'the stranger to lose its connections');
    assert.equal(a.connectedNodes().length, 0);
  } finally {
    await stopAll([a, c]);
  }
});

test('a message published on a topic reaches a subscribed member, with its author', { timeout: 20_000 }, async () => {
  await withMembers(async ({ a, b, ia, ib }) => {
    const received: Array<[string, NodeId, string]> = [];
    b.gossip!.subscribe('arena/x', (data, author, topic) => received.push([new TextDecoder().decode(data), author, topic]));
    a.gossip!.subscribe('arena/x', () => {});
    await a.dial(ib.nodeId, b.listenAddrs());
    await a.gossip!.waitForSubscriber('arena/x', ib.nodeId, { timeoutMs: 5000 });
    assert.deepEqual(a.gossip!.subscribers('arena/x'), [ib.nodeId]);
    assert.equal(await a.gossip!.publish('arena/x', new TextEncoder().encode('head 1')), 1);
    await until(() => received.length > 0, 'the gossip message');
    assert.deepEqual(received, [['head 1', ia.nodeId, 'arena/x']]);
  }, { a: { gossip: true }, b: { gossip: true } });
});

test('ten household members dialing at once from one address are all admitted (per-host rate limit)', { timeout: 30_000 }, async () => {
  const ia = newIdentity();
  const members = Array.from({ length: 10 }, () => newIdentity());
  const nodes: Array<NetNode | undefined> = [];
  try {
    // libp2p's default lets a host open 5 connections a second; a household on one address needs more.
    const a = await startNode(ia, members);
    nodes.push(a);
    for (const m of members) nodes.push(await startNode(m, [ia], { listen: [] }));
    const results = await Promise.allSettled(nodes.slice(1).map((n) => n!.dial(ia.nodeId, a.listenAddrs())));
    assert.deepEqual(results.map((r) => r.status), members.map(() => 'fulfilled'));
    await until(() => a.connectedNodes().length === members.length, 'every member connected');
  } finally {
    await stopAll(nodes);
  }
});
