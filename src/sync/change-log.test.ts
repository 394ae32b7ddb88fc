// The change log over in-memory networks: kept until every active peer acknowledged, pruned without a
// peer away past the limit, which then catches up by reconciliation; and its state across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import { decodeSyncMessage, encodeSyncMessage } from './messages.ts';
import { PEERS_TABLE } from './change-log.ts';
import type { PeerSyncState } from './node-sync.ts';
import { MemoryNetwork, type NetNodeUnderTest, type NetworkOptions } from './testing/network.ts';
import { checkConverged, writeFiles, type Written } from './testing/writes.ts';

const HOUR = 60 * 60 * 1000;

function clean(nodes: readonly NetNodeUnderTest[]): void {
  for (const n of nodes) assert.deepEqual({ errors: n.errors, bad: n.badPeers, refused: n.refused }, { errors: [], bad: [], refused: [] }, `node ${n.index}`);
}

function stateOf(node: NetNodeUnderTest, peer: NetNodeUnderTest): PeerSyncState {
  const s = node.sync.peerStates().find((p) => p.peer === peer.id);
  assert.ok(s !== undefined, `node ${node.index} knows node ${peer.index}`);
  return s;
}

interface Counted { net: MemoryNetwork; sent(from: number, to: number, type: string): number; reset(): void }

/** A network whose messages are counted by sender, receiver and type. */
async function network(nodes: number, opts: Omit<NetworkOptions, 'nodes' | 'tamper'> = {}): Promise<Counted> {
  const count = new Map<string, number>();
  const net = await MemoryNetwork.create({
    nodes, seed: 7, ...opts,
    tamper: (from, to, bytes) => {
      const key = `${from}>${to}:${decodeSyncMessage(bytes).type}`;
      count.set(key, (count.get(key) ?? 0) + 1);
      return bytes;
    },
  });
  return { net, sent: (from, to, type) => count.get(`${from}>${net.nodes[to]!.id}:${type}`) ?? 0, reset: () => count.clear() };
}

test('log records stay until every active peer acknowledged them, then are pruned; a returning active peer replays the log', async () => {
  const { net, sent, reset } = await network(3);
  net.connectAll();
  await net.settle();
  const [a, b, c] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest, NetNodeUnderTest];
  for (const n of net.nodes) assert.equal(n.sync.logLength, 0, `node ${n.index} starts with an empty log`);

  net.partition([[0, 1], [2]], 'drop');
  const writes: Written[] = [await writeFiles(net, a, { 'a.txt': 'one\n' })];
  await net.settle();
  writes.push(await writeFiles(net, b, { 'b.txt': 'two\n' }));
  await net.settle();
  // Node 2 is away but active: it holds the log back on both sides; node 1 (or 0) acknowledged everything.
  assert.ok(a.sync.logLength > 0);
  assert.ok(b.sync.logLength > 0);
  assert.deepEqual({ active: stateOf(a, c).active, connected: stateOf(a, c).connected }, { active: true, connected: false });
  assert.ok(stateOf(a, c).pending > 0);
  assert.equal(stateOf(a, b).pending, 0);
  assert.equal(stateOf(a, c).pending, a.sync.logLength);

  reset();
  net.heal();
  await net.settle();
  await checkConverged(net, writes);
  // The replay sufficed: nobody reconciled with the returning peer.
  for (const [x, y] of [[0, 2], [2, 0], [1, 2], [2, 1]] as const) assert.equal(sent(x, y, 'reconcile'), 0, `${x}>${y} reconciled`);
  assert.ok(sent(0, 2, 'log') > 0);
  // ACKs are written (and the log pruned) in batches: let them land.
  for (const n of net.nodes) await n.sync.idle();
  for (const n of net.nodes) assert.equal(n.sync.logLength, 0, `node ${n.index} pruned its log`);
  for (const n of net.nodes) for (const s of n.sync.peerStates()) assert.deepEqual({ active: s.active, pending: s.pending }, { active: true, pending: 0 });
  clean(net.nodes);
});

test('a peer away past inactiveAfterMs is marked inactive, the log is pruned without it, and it catches up by reconciliation', async () => {
  let now = Date.now();
  const { net, sent, reset } = await network(3, { syncOptions: { now: () => now, inactiveAfterMs: HOUR } });
  net.connectAll();
  await net.settle();
  const [a, b, c] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest, NetNodeUnderTest];
  const writes: Written[] = [await writeFiles(net, a, { 'base.txt': 'base\n' })];
  await net.settle();

  net.partition([[0, 1], [2]], 'drop');
  writes.push(await writeFiles(net, a, { 'a.txt': 'a\n' }), await writeFiles(net, b, { 'b.txt': 'b\n' }));
  await net.settle();
  writes.push(await writeFiles(net, c, { 'c.txt': 'away\n' }));
  await net.settle();
  now += HOUR / 2;
  await a.sync.checkPeers();
  assert.equal(stateOf(a, c).active, true, 'not yet past the limit');
  assert.ok(a.sync.logLength > 0, 'the absent active peer holds the log');

  now += HOUR;
  await Promise.all(net.nodes.map((n) => n.sync.checkPeers()));
  for (const [n, away] of [[a, c], [b, c], [c, a], [c, b]] as const) assert.equal(stateOf(n, away).active, false, `node ${n.index} sees node ${away.index} inactive`);
  assert.equal(stateOf(a, b).active, true);
  for (const n of net.nodes) assert.equal(n.sync.logLength, 0, `node ${n.index} pruned without the inactive peer`);
  writes.push(await writeFiles(net, b, { 'b2.txt': 'after\n' }));
  await net.settle();
  // ACKs are written (and the log pruned) in batches: let them land.
  for (const n of net.nodes) await n.sync.idle();
  assert.equal(a.sync.logLength, 0, 'an inactive peer holds nothing back');

  reset();
  net.heal();
  await net.settle();
  await checkConverged(net, writes);
  assert.ok(sent(0, 2, 'reconcile') > 0 && sent(2, 0, 'reconcile') > 0, 'the returning peer reconciled');
  for (const [n, back] of [[a, c], [b, c], [c, a]] as const) assert.equal(stateOf(n, back).active, true, `node ${n.index} sees node ${back.index} active again`);
  // ACKs are written (and the log pruned) in batches: let them land.
  for (const n of net.nodes) await n.sync.idle();
  for (const n of net.nodes) assert.equal(n.sync.logLength, 0, `node ${n.index}`);
  clean(net.nodes);
});

test('the log and the peer states survive a restart on a disk store; the peer then catches up from the log', async () => {
  const dirs = [await mkdtemp(join(tmpdir(), 'lode-sync-')), await mkdtemp(join(tmpdir(), 'lode-sync-'))];
  const stores: Store[] = [];
  const reopen = async (): Promise<Store> => {
    await stores[0]!.close();
    stores[0] = await openStore(dirs[0]!);
    return stores[0];
  };
  try {
    for (const dir of dirs) stores.push(await openStore(dir));
    const { net, sent, reset } = await network(2, { stores: [...stores] });
    net.connectAll();
    await net.settle();
    const [a, b] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest];
    net.disconnect(0, 1);
    const writes = [await writeFiles(net, a, { 'a.txt': 'kept\n' }), await writeFiles(net, a, { 'a.txt': 'kept twice\n' })];
    await net.settle();
    const before = { length: a.sync.logLength, state: stateOf(a, b) };
    assert.ok(before.length > 0);
    assert.equal(before.state.active, true);
    assert.equal(before.state.pending, before.length);

    await a.sync.idle();
    net.restart(0, await reopen());
    assert.equal(a.sync.logLength, before.length);
    assert.deepEqual(stateOf(a, b), before.state);

    reset();
    net.connect(0, 1);
    await net.settle();
    await checkConverged(net, writes);
    assert.equal(sent(0, 1, 'reconcile') + sent(1, 0, 'reconcile'), 0, 'caught up from the log');
    await a.sync.idle();
    assert.equal(a.sync.logLength, 0);
    await a.sync.idle();
    net.disconnect(0, 1);
    net.restart(0, await reopen());
    assert.deepEqual({ length: a.sync.logLength, pending: stateOf(a, b).pending, active: stateOf(a, b).active }, { length: 0, pending: 0, active: true });
    clean(net.nodes);
  } finally {
    for (const store of stores) await store.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
});

test('an ACK for no LOG in flight is refused with BAD_STATE; one left from an earlier session is ignored', async () => {
  const { net } = await network(2);
  net.connectAll();
  await net.settle();
  const [a, b] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest];
  const acks = (): unknown => ({ ...stateOf(a, b), lastSeen: 0 });
  const before = acks();
  assert.throws(() => a.sync.receive(b.id, encodeSyncMessage({ type: 'ack', serial: 1e9, through: 1 })), (e: { code?: string }) => e.code === 'BAD_STATE');
  // Serial 0 is below every serial of the current feed: a stale ACK, dropped without a word.
  assert.doesNotThrow(() => a.sync.receive(b.id, encodeSyncMessage({ type: 'ack', serial: 0, through: 1 })));
  await net.settle();
  assert.deepEqual(acks(), before);
  clean(net.nodes);
});

test('plain ACKs are taken in memory at once and written together later: a restart loses none that idle() saw', async () => {
  const { net } = await network(2, { syncOptions: { ackSaveDelayMs: 60_000 } });
  net.connectAll();
  await net.settle();
  const [a, b] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest];
  for (let i = 0; i < 5; i++) await writeFiles(net, a, { 'a.txt': `version ${i}\n` });
  await net.settle();
  // In memory, b has taken everything: nothing is pending and the log is short of nothing b lacks.
  assert.equal(stateOf(a, b).pending, 0);
  const written = (): Uint8Array | undefined => a.store.meta.table(PEERS_TABLE).get(b.id);
  const before = written();
  await a.sync.idle();
  const after = written();
  assert.ok(after !== undefined && (before === undefined || Buffer.compare(Buffer.from(before), Buffer.from(after)) !== 0), 'idle() wrote the ACKs noted since the last write');
  assert.equal(a.sync.logLength, 0, 'and pruned what they cover');
  clean(net.nodes);
});
