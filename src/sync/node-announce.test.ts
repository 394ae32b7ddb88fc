// The reactive path of SyncNode: `announce` is handed one HEADS message per entry the node publishes, and
// receiveAnnouncement takes what gossip carried from an author that may not even be connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeadEntry, encodeHeadEntry, type ArenaId } from '../core/index.ts';
import { getBranch, listHeadEntries } from '../history/index.ts';
import { decodeSyncMessage, encodeSyncMessage } from './messages.ts';
import { MemoryNetwork, type NetNodeUnderTest } from './testing/network.ts';
import { writeFiles } from './testing/writes.ts';

/** Decodes announcements into [author, commit] of their single entry. */
function entriesOf(announced: Uint8Array[], arena: ArenaId): [string, string][] {
  return announced.map((bytes) => {
    const m = decodeSyncMessage(bytes);
    assert.ok(m.type === 'heads' && m.arena === arena && m.entries.length === 1, 'one HEADS of one entry of the arena');
    const entry = decodeHeadEntry(m.entries[0]!);
    return [entry.author, entry.commit];
  });
}

test('announce gets one HEADS message per entry the node publishes; a branch that only followed another writer\'s entry publishes none', async () => {
  const announced = new Map<number, Uint8Array[]>();
  const net = await MemoryNetwork.create({
    nodes: 3, seed: 11,
    syncOptionsFor: (i) => ({ announce: (arena, bytes) => { assert.ok(arena.length === 64); announced.set(i, [...(announced.get(i) ?? []), bytes]); } }),
  });
  net.connectAll();
  await net.settle();
  const w1 = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'one\n' });
  await net.settle();
  const w2 = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'two\n' });
  await net.settle();
  const writer = net.nodes[0]!;
  assert.deepEqual(entriesOf(announced.get(0) ?? [], net.arena), [[writer.id, w1.commit], [writer.id, w2.commit]]);
  assert.equal(writer.sync.announcements.published, 2);
  for (const node of net.nodes.slice(1)) {
    // They fast-forwarded to the writer's entries, which already say where the branch is.
    assert.equal(getBranch(node.store, net.arena, 'main'), w2.commit, `node ${node.index}`);
    assert.deepEqual(announced.get(node.index) ?? [], [], `node ${node.index} announced nothing`);
    assert.equal(node.sync.announcements.published, 0);
  }
  for (const node of net.nodes) assert.equal(node.sync.announcements.messages, 0, 'nothing was heard by gossip here');
});

/** Drops, on their way to node 2, the stream messages that carry head entries: it can learn them only by gossip. */
function onlyGossipTo2(_from: number, to: string, bytes: Uint8Array, net: () => MemoryNetwork): Uint8Array | null {
  if (to !== net().nodes[2]!.id) return bytes;
  const m = decodeSyncMessage(bytes);
  return (m.type === 'log' && m.entries.length > 0) || m.type === 'heads' ? null : bytes;
}

test('an announcement from an author that is not connected is accepted, and its commit is fetched from a connected peer', async () => {
  const announced: Uint8Array[] = [];
  let net: MemoryNetwork | undefined;
  net = await MemoryNetwork.create({
    nodes: 3, seed: 12,
    tamper: (from, to, bytes) => onlyGossipTo2(from, to, bytes, () => net!),
    syncOptionsFor: (i) => (i === 0 ? { announce: (_arena, bytes) => void announced.push(bytes) } : {}),
  });
  const [, , far] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest, NetNodeUnderTest];
  // A line: 0 - 1 - 2; node 2 has no connection to the author.
  net.connect(0, 1);
  net.connect(1, 2);
  await net.settle();
  const w = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'by gossip\n' });
  await net.settle();
  assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), w.commit);
  assert.equal(getBranch(far.store, net.arena, 'main'), undefined, 'no stream carried the entry to node 2');
  assert.equal(announced.length, 1);

  far.sync.receiveAnnouncement(net.nodes[0]!.id, net.arena, announced[0]!);
  await net.settle();
  assert.equal(getBranch(far.store, net.arena, 'main'), w.commit);
  assert.deepEqual(far.sync.announcements, { messages: 1, entries: 1, accepted: 1, published: 0 });
  // Heard again (gossip from another relay): already held, nothing new.
  far.sync.receiveAnnouncement(net.nodes[0]!.id, net.arena, announced[0]!);
  await net.settle();
  assert.deepEqual(far.sync.announcements, { messages: 2, entries: 2, accepted: 1, published: 0 });
  assert.deepEqual({ bad: far.badPeers, errors: far.errors }, { bad: [], errors: [] });
});

test('a forged announcement is rejected against its author; a non-HEADS or other-arena message throws before any change', async () => {
  const announced: Uint8Array[] = [];
  const net = await MemoryNetwork.create({ nodes: 2, seed: 13, syncOptionsFor: (i) => (i === 0 ? { announce: (_a, bytes) => void announced.push(bytes) } : {}) });
  net.connectAll();
  const first = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'one\n' });
  await net.settle();
  const second = await writeFiles(net, net.nodes[0]!, { 'b.txt': 'two\n' });
  await net.settle();
  const [author, victim] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest];
  const before = listHeadEntries(victim.store, net.arena).map((e) => e.bytes);

  // Node 0's first entry, moved to another commit and restamped, its signatures copied.
  const m = decodeSyncMessage(announced[0]!);
  assert.ok(m.type === 'heads');
  const entry = decodeHeadEntry(m.entries[0]!);
  assert.equal(entry.commit, first.commit);
  const forged = encodeHeadEntry({ ...entry, commit: second.commit, time: entry.time + 1 });
  victim.sync.receiveAnnouncement(author.id, net.arena, encodeSyncMessage({ type: 'heads', arena: net.arena, entries: [forged] }));
  await net.settle();
  assert.deepEqual(victim.badPeers, [{ peer: author.id, code: 'BAD_SIGNATURE' }]);
  assert.deepEqual(listHeadEntries(victim.store, net.arena).map((e) => e.bytes), before);
  assert.equal(victim.sync.announcements.accepted, 0);

  const other = 'ab'.repeat(32) as ArenaId;
  assert.throws(() => victim.sync.receiveAnnouncement(author.id, other, announced[0]!), { code: 'WRONG_ARENA' });
  assert.throws(() => victim.sync.receiveAnnouncement(author.id, net.arena, encodeSyncMessage({ type: 'hello', arenas: [net.arena] })), { code: 'BAD_MESSAGE' });
  assert.throws(() => victim.sync.receiveAnnouncement(author.id, net.arena, new Uint8Array([1, 2, 3])), { code: 'BAD_MESSAGE' });
  assert.equal(victim.sync.announcements.messages, 1, 'only the well-formed HEADS was counted');
  assert.equal(getBranch(victim.store, net.arena, 'main'), second.commit);
});
