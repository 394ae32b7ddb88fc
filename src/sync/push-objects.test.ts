// A new head's small objects travel with its announcement: what is pushed (the commit, the trees on
// changed paths, the changed blobs, within a budget), a peer that takes the head without asking, and a
// pusher that lies, caught by the same checks as a reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake3Hex, decodeCommit, decodeTree, type Hash } from '../core/index.ts';
import { getBranch } from '../history/index.ts';
import { decodeSyncMessage, encodeSyncMessage } from './messages.ts';
import { MAX_OFFERED_BYTES, MAX_OFFERED_OBJECT, OFFER_TTL_MS, OfferedObjects } from './offered-objects.ts';
import { pushRecords } from './push-objects.ts';
import { MemoryNetwork } from './testing/network.ts';
import { checkConverged, writeFiles } from './testing/writes.ts';

async function subtree(net: MemoryNetwork, commit: string, name: string): Promise<Hash> {
  const store = net.nodes[0]!.store;
  const root = decodeTree(await store.objects.get(decodeCommit(await store.objects.get(commit as Hash)).tree));
  const e = root.entries.find((x) => x.name === name);
  assert.ok(e !== undefined && e.kind === 'dir');
  return e.tree;
}

test('pushRecords: the commit, the trees on changed paths and the changed blobs; nothing unchanged; never over the budget', async () => {
  const net = await MemoryNetwork.create({ nodes: 1 });
  const node = net.nodes[0]!;
  await writeFiles(net, node, { 'dir/a.txt': 'one\n', 'b.txt': 'same\n', 'keep/x.txt': 'kept\n' });
  const w = await writeFiles(net, node, { 'dir/a.txt': 'two\n' });
  const commit = decodeCommit(await node.store.objects.get(w.commit));
  const pushed = await pushRecords(node.store, w.commit);
  const ids = pushed.map((r) => r.id);
  const dir = await subtree(net, w.commit, 'dir');
  assert.deepEqual(ids, [w.commit, commit.tree, dir, w.blobs[0]]);
  for (const r of pushed) assert.equal(blake3Hex(r.bytes), r.id, `${r.kind} ${r.id} carries its own bytes`);
  assert.ok(!ids.includes(await subtree(net, w.commit, 'keep')), 'an unchanged subtree is not pushed');

  const first = pushed[0]!.bytes.length;
  assert.deepEqual((await pushRecords(node.store, w.commit, first)).map((r) => r.id), [w.commit], 'a budget of one commit pushes the commit alone');
  assert.deepEqual(await pushRecords(node.store, w.commit, first - 1), [], 'nothing fits: nothing is pushed');
});

/** Counts the WANT messages node `who` sends. */
function wantCounter(who: number): { count: number; tamper: (from: number, to: string, bytes: Uint8Array) => Uint8Array } {
  const counter = {
    count: 0,
    tamper: (from: number, _to: string, bytes: Uint8Array) => {
      if (from === who && decodeSyncMessage(bytes).type === 'want') counter.count++;
      return bytes;
    },
  };
  return counter;
}

test('a peer takes a small new head from the push, without asking; a head over the budget is fetched as usual', async () => {
  const wants = wantCounter(1);
  const net = await MemoryNetwork.create({ nodes: 2, seed: 21, tamper: wants.tamper });
  net.connectAll();
  await writeFiles(net, net.nodes[0]!, { 'a.txt': 'first\n' });
  await net.settle();
  const before = wants.count;
  const small = await writeFiles(net, net.nodes[0]!, { 'deep/er/a.txt': 'pushed\n', 'b.txt': 'also\n' });
  await net.settle();
  assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), small.commit);
  assert.equal(wants.count, before, 'node 1 asked for nothing');

  const big = await writeFiles(net, net.nodes[0]!, { 'big.bin': new Uint8Array(MAX_OFFERED_OBJECT * 2).map((_, i) => (i * 31) % 253) });
  await net.settle();
  assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), big.commit);
  assert.ok(wants.count > before, 'the chunk over the budget was asked for');
  await checkConverged(net, [small, big]);
  for (const n of net.nodes) assert.deepEqual({ errors: n.errors, bad: n.badPeers, refused: n.refused }, { errors: [], bad: [], refused: [] });
});

test('a lying push is reported like a lying reply, and the head still arrives from another peer', async () => {
  let victim = '';
  const net = await MemoryNetwork.create({
    nodes: 3, seed: 22,
    tamper: (from, to, bytes) => {
      if (from !== 0 || to !== victim) return bytes;
      const m = decodeSyncMessage(bytes);
      if (m.type !== 'objects') return bytes;
      for (const o of m.objects) if (o.bytes.length > 0) o.bytes[o.bytes.length - 1]! ^= 0x01;
      return encodeSyncMessage(m);
    },
  });
  victim = net.nodes[1]!.id;
  net.connectAll();
  await net.settle();
  const w = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'pushed, then spoiled on the way to node 1\n' });
  await net.settle();
  await checkConverged(net, [w]);
  const reports = net.nodes[1]!.badPeers;
  assert.ok(reports.length > 0, 'the pusher was caught');
  assert.deepEqual(new Set(reports.map((r) => `${r.peer}:${r.code}`)), new Set([`${net.nodes[0]!.id}:BAD_OBJECT`]));
});

test('offers are bounded: per object, in total (oldest dropped first) and in age; a take removes the offer', () => {
  let now = 1_000;
  const offered = new OfferedObjects(() => now);
  const record = (n: number, size: number) => ({ kind: 'chunk' as const, id: n.toString(16).padStart(64, '0') as Hash, bytes: new Uint8Array(size).fill(n) });
  offered.offer('p', record(1, MAX_OFFERED_OBJECT + 1));
  assert.equal(offered.take(record(1, 0).id), undefined, 'too big to hold');
  const each = MAX_OFFERED_OBJECT;
  const fit = MAX_OFFERED_BYTES / each;
  for (let i = 1; i <= fit + 2; i++) offered.offer('p', record(i + 10, each));
  assert.ok(offered.bytes <= MAX_OFFERED_BYTES);
  assert.equal(offered.take(record(11, 0).id), undefined, 'the oldest went first');
  assert.equal(offered.take(record(12, 0).id), undefined);
  const kept = offered.take(record(13, 0).id);
  assert.equal(kept?.peer, 'p');
  assert.equal(kept?.record.bytes[0], 13);
  assert.equal(offered.take(record(13, 0).id), undefined, 'taken once');
  now += OFFER_TTL_MS + 1;
  assert.equal(offered.take(record(14, 0).id), undefined, 'expired');
});

test('the new entry follows its pushed objects on the same stream, ahead of the log that backs it up', async () => {
  const sent: string[] = [];
  const tamper = (from: number, _to: string, bytes: Uint8Array): Uint8Array => {
    if (from === 0) sent.push(decodeSyncMessage(bytes).type);
    return bytes;
  };
  const net = await MemoryNetwork.create({ nodes: 2, seed: 23, tamper });
  net.connectAll();
  await writeFiles(net, net.nodes[0]!, { 'a.txt': 'first\n' });
  await net.settle();
  sent.length = 0;
  const w = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'second\n' });
  await net.settle();
  assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), w.commit);
  const objects = sent.indexOf('objects');
  assert.ok(objects >= 0, `node 0 pushed the head's objects: ${sent.join(' ')}`);
  assert.equal(sent[objects + 1], 'heads', `the entry right after them: ${sent.join(' ')}`);
  const log = sent.indexOf('log');
  assert.ok(log < 0 || log > objects + 1, `before the log: ${sent.join(' ')}`);
});
