// The dialer: backoff arithmetic, and a real redial after the remote restarts on the same port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, startDialer, type Dialer } from './dialer.ts';
import { newIdentity, startNode, stopAll, until } from './testing/nodes.ts';
import type { NetNode } from './transport.ts';

test('backoff doubles from the base, stays under the cap, and jitters within bounds', () => {
  const fixed = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.2, random: () => 0.5 };
  assert.deepEqual([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, fixed)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(1, { ...fixed, random: () => 0 }), 80);
  assert.equal(backoffDelay(1, { ...fixed, random: () => 1 }), 120);
  assert.equal(backoffDelay(10, { ...fixed, random: () => 1 }), 1000);
});

test('a peer with addresses is redialed after it restarts on the same port; a deaf peer is not dialed', { timeout: 20_000 }, async () => {
  const [ia, ib, deaf] = [newIdentity(), newIdentity(), newIdentity()];
  let a: NetNode | undefined;
  let b: NetNode | undefined;
  let deafNode: NetNode | undefined;
  let dialer: Dialer | undefined;
  try {
    a = await startNode(ia, [ib, deaf]);
    b = await startNode(ib, [ia]);
    const addr = b.listenAddrs()[0]!;
    const port = /\/tcp\/(\d+)\//.exec(addr)![1]!;
    const failures: number[] = [];
    dialer = startDialer(a, [{ nodeId: ib.nodeId, addrs: [addr] }, { nodeId: deaf.nodeId, addrs: [] }], {
      baseDelayMs: 50,
      maxDelayMs: 200,
      stableAfterMs: 200,
      onDialError: (_id, _e, attempt) => failures.push(attempt),
    });
    assert.deepEqual(dialer.state().map((s) => s.nodeId), [ib.nodeId]);
    await until(() => a!.isConnected(ib.nodeId), 'the first connection');

    await b.stop();
    await until(() => !a!.isConnected(ib.nodeId), 'the disconnect');
    await until(() => failures.length >= 2, 'failed redials while the peer is down');
    b = await startNode(ib, [ia], { listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    await until(() => a!.isConnected(ib.nodeId), 'the redial');
    await until(() => dialer!.state()[0]!.failures === 0, 'the backoff to reset once the connection lasted');
    assert.ok(failures.every((n, i) => n === i + 1), 'failures count up from 1');

    // The deaf peer listens nowhere; it reaches A by dialing out itself.
    deafNode = await startNode(deaf, [ia], { listen: [] });
    await deafNode.dial(ia.nodeId, a.listenAddrs());
    await until(() => a!.isConnected(deaf.nodeId), 'the deaf peer to connect');
  } finally {
    await dialer?.stop();
    await stopAll([a, b, deafNode]);
  }
});

test('a peer that refuses us (we are a stranger to it) is redialed with backoff, not in a tight loop', { timeout: 20_000 }, async () => {
  const [ia, ib] = [newIdentity(), newIdentity()];
  let a: NetNode | undefined;
  let b: NetNode | undefined;
  let dialer: Dialer | undefined;
  try {
    a = await startNode(ia, [ib]);
    // B does not list A: its gater drops A's connection during the handshake.
    b = await startNode(ib, []);
    let dials = 0;
    const counting: NetNode = { ...a, dial: (...args) => { dials++; return a!.dial(...args); } };
    const errors: string[] = [];
    dialer = startDialer(counting, [{ nodeId: ib.nodeId, addrs: b.listenAddrs() }], {
      random: () => 0.5,
      onDialError: (_id, e) => errors.push((e as { code?: string }).code ?? 'no code'),
    });
    await new Promise((r) => setTimeout(r, 3000));
    // Backoff from 0.5 s doubling: dials near 0, 0.5, 1.5 s (and 3.5 s), whatever the refusal looks like from here.
    assert.ok(dials >= 2 && dials <= 4, `dialed ${dials} times in 3 s`);
    assert.ok(errors.length >= dials - 1, `each refused attempt counts as a failure (${errors.join(',')})`);
    assert.ok(dialer.state()[0]!.failures >= 2);
  } finally {
    await dialer?.stop();
    await stopAll([a, b]);
  }
});
