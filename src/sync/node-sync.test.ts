import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeHeadEntry, generateKeypair, headEntrySigningBytes, signBytes, signHeadEntry, branchKey,
  type HeadEntryFields,
} from '../core/index.ts';
import { getBranch, listArenas, listHeadEntries, lookupPath, readConflict } from '../history/index.ts';
import { decodeSyncMessage, encodeSyncMessage } from './messages.ts';
import { SyncNode } from './node-sync.ts';
import { MemoryNetwork, type NetNodeUnderTest } from './testing/network.ts';
import { checkConverged, writeFiles, type Written } from './testing/writes.ts';

function clean(net: MemoryNetwork, nodes: readonly NetNodeUnderTest[] = net.nodes): void {
  for (const n of nodes) assert.deepEqual({ errors: n.errors, bad: n.badPeers, refused: n.refused }, { errors: [], bad: [], refused: [] }, `node ${n.index}`);
}

test('two nodes: a write on one reaches the other', async () => {
  const net = await MemoryNetwork.create({ nodes: 2 });
  net.connectAll();
  await net.settle();
  const w = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'hello\n', 'd/b.txt': 'world\n' });
  await net.settle();
  assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), w.commit);
  await checkConverged(net, [w]);
  clean(net);
});

test('two nodes: concurrent edits of one file merge into one head that records the conflict', async () => {
  const net = await MemoryNetwork.create({ nodes: 2 });
  net.connectAll();
  const base = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'base\n' });
  await net.settle();
  const a = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'from zero\n' });
  const b = await writeFiles(net, net.nodes[1]!, { 'a.txt': 'from one\n' });
  await net.settle();
  const head = await checkConverged(net, [base, a, b]);
  const store = net.nodes[0]!.store;
  const entry = await lookupPath(store, (await store.typed.getCommit(head)).tree, 'a.txt');
  assert.equal(entry.kind, 'conflict');
  const sides = await readConflict(store, entry as never);
  const blobs = [sides.ours, sides.theirs].map((s) => (s?.kind === 'file' ? s.blob : undefined)).sort();
  assert.deepEqual(blobs, [a.blobs[0], b.blobs[0]].sort());
  clean(net);
});

const PATHS = ['a.txt', 'b.txt', 'd/c.txt', 'd/e/f.txt'];

test('3 to 10 nodes converge after random concurrent writes', async () => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 3, max: 10 }),
    fc.integer(),
    fc.array(fc.record({
      node: fc.nat(),
      changes: fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.option(fc.string({ maxLength: 12 }), { freq: 5 })), { minLength: 1, maxLength: 3 }),
      deliver: fc.nat({ max: 30 }),
    }), { minLength: 1, maxLength: 10 }),
    fc.boolean(),
    async (n, seed, ops, withReadOnly) => {
      const readOnly = withReadOnly ? [n - 1] : [];
      const net = await MemoryNetwork.create({ nodes: n, seed, readOnly });
      net.connectAll();
      await net.settle();
      const writers = net.nodes.filter((x) => !x.readOnly);
      const writes: Written[] = [];
      for (const op of ops) {
        const changes = Object.fromEntries(op.changes.map(([p, c]) => [p, c === null ? null : `${c}\n`]));
        writes.push(await writeFiles(net, writers[op.node % writers.length]!, changes));
        await net.deliver(op.deliver);
      }
      await net.settle();
      await checkConverged(net, writes);
      clean(net);
    },
  ), { numRuns: Number(process.env.SYNC_RUNS ?? 12), ...(process.env.SYNC_RUNS ? {} : { seed: 4242 }) });
});

test('random writes across random partitions converge once every partition heals', async () => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 3, max: 6 }),
    fc.integer(),
    fc.array(fc.oneof(
      fc.record({ kind: fc.constant('write' as const), node: fc.nat(), path: fc.constantFrom(...PATHS), text: fc.string({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant('split' as const), cut: fc.nat(), mode: fc.constantFrom('drop' as const, 'hold' as const) }),
      fc.record({ kind: fc.constant('heal' as const) }),
      fc.record({ kind: fc.constant('deliver' as const), n: fc.nat({ max: 40 }) }),
    ), { minLength: 1, maxLength: 14 }),
    async (n, seed, events) => {
      const net = await MemoryNetwork.create({ nodes: n, seed });
      net.connectAll();
      const writes: Written[] = [];
      for (const e of events) {
        if (e.kind === 'write') writes.push(await writeFiles(net, net.nodes[e.node % n]!, { [e.path]: `${e.text}\n` }));
        else if (e.kind === 'split') {
          const cut = 1 + (e.cut % (n - 1));
          net.partition([[...Array(cut).keys()], [...Array(n - cut).keys()].map((i) => i + cut)], e.mode);
        } else if (e.kind === 'heal') net.heal();
        else await net.deliver(e.n);
      }
      net.heal();
      await net.settle();
      await checkConverged(net, writes);
      clean(net);
    },
  ), { numRuns: Number(process.env.SYNC_RUNS ?? 8), ...(process.env.SYNC_RUNS ? {} : { seed: 99 }) });
});

for (const mode of ['drop', 'hold'] as const) {
  test(`a partition (${mode}) heals: both sides wrote, every write is present, conflicts recorded`, async () => {
    const net = await MemoryNetwork.create({ nodes: 5, seed: 7 });
    net.connectAll();
    const writes: Written[] = [await writeFiles(net, net.nodes[0]!, { 'a.txt': 'base\n', 'keep.txt': 'k\n' })];
    await net.settle();
    net.partition([[0, 1], [2, 3, 4]], mode);
    const left = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'left\n', 'l.txt': 'only left\n' });
    const right = await writeFiles(net, net.nodes[3]!, { 'a.txt': 'right\n', 'r.txt': 'only right\n' });
    writes.push(left, right, await writeFiles(net, net.nodes[4]!, { 'd/r2.txt': 'more right\n' }));
    await net.settle();
    // Each side agrees within itself, and neither has the other's writes.
    assert.equal(getBranch(net.nodes[1]!.store, net.arena, 'main'), getBranch(net.nodes[0]!.store, net.arena, 'main'));
    assert.equal(getBranch(net.nodes[2]!.store, net.arena, 'main'), getBranch(net.nodes[3]!.store, net.arena, 'main'));
    assert.equal(net.nodes[2]!.store.objects.has(left.commit), false);
    net.heal();
    await net.settle();
    const head = await checkConverged(net, writes);
    for (const node of net.nodes) {
      const tree = (await node.store.typed.getCommit(head)).tree;
      const entry = await lookupPath(node.store, tree, 'a.txt');
      assert.equal(entry.kind, 'conflict', `node ${node.index}`);
      const sides = await readConflict(node.store, entry as never);
      const blobs = [sides.ours, sides.theirs].map((s) => (s?.kind === 'file' ? s.blob : undefined)).sort();
      assert.deepEqual(blobs, [left.blobs[0], right.blobs[0]].sort());
      for (const p of ['l.txt', 'r.txt', 'd/r2.txt', 'keep.txt']) assert.equal((await lookupPath(node.store, tree, p)).kind, 'file');
    }
    clean(net);
  });
}

test('a node that joins late catches up by reconciliation', async () => {
  const net = await MemoryNetwork.create({ nodes: 4, seed: 3 });
  net.connect(0, 1);
  net.connect(1, 2);
  net.connect(0, 2);
  const writes = [await writeFiles(net, net.nodes[0]!, { 'a.txt': 'a\n' }), await writeFiles(net, net.nodes[1]!, { 'b.txt': 'b\n' })];
  await net.settle();
  assert.equal(getBranch(net.nodes[3]!.store, net.arena, 'main'), undefined);
  net.connect(3, 2);
  await net.settle();
  assert.equal(listHeadEntries(net.nodes[3]!.store, net.arena).length, listHeadEntries(net.nodes[2]!.store, net.arena).length);
  net.connectAll();
  await net.settle();
  await checkConverged(net, writes);
  clean(net);
});

test('a peer that sends wrong bytes is reported and the objects come from another peer', async () => {
  let victim = '';
  const net = await MemoryNetwork.create({
    nodes: 3, seed: 13,
    tamper: (from, to, bytes) => {
      if (from !== 1 || to !== victim) return bytes;
      const m = decodeSyncMessage(bytes);
      if (m.type !== 'objects') return bytes;
      for (const o of m.objects) if (o.bytes.length > 0) o.bytes[0]! ^= 0xff;
      return encodeSyncMessage(m);
    },
  });
  victim = net.nodes[2]!.id;
  net.connect(0, 1);
  const w = await writeFiles(net, net.nodes[1]!, { 'a.txt': 'by node one\n', 'big.bin': new Uint8Array(700_000).map((_, i) => (i * 7919) % 251) });
  await net.settle();
  // The liar first, so the victim surely asks it (with both up, it may ask node 0 first: entries sort by author).
  net.connect(1, 2);
  await net.settle();
  net.connectAll();
  await net.settle();
  await checkConverged(net, [w]);
  const reports = net.nodes[2]!.badPeers;
  assert.ok(reports.length > 0, 'the liar was caught');
  assert.deepEqual(new Set(reports.map((r) => `${r.peer}:${r.code}`)), new Set([`${net.nodes[1]!.id}:BAD_OBJECT`]));
  clean(net, net.nodes.slice(0, 2));
});

function forge(fields: HeadEntryFields, authorSecret: Uint8Array, arenaSecret: Uint8Array): Uint8Array {
  const message = headEntrySigningBytes(fields);
  return encodeHeadEntry({ ...fields, sig: new Uint8Array(signBytes(authorSecret, message)), arenaSig: new Uint8Array(signBytes(arenaSecret, message)) });
}

test('forged, replayed and future head entries are rejected and change nothing', async () => {
  const net = await MemoryNetwork.create({ nodes: 3, seed: 5 });
  net.connectAll();
  await writeFiles(net, net.nodes[0]!, { 'a.txt': 'one\n' });
  await net.settle();
  const old = listHeadEntries(net.nodes[0]!.store, net.arena).find((e) => e.entry.author === net.nodes[0]!.id)!;
  const second = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'two\n' });
  await net.settle();
  const [, victim, attacker] = net.nodes as [NetNodeUnderTest, NetNodeUnderTest, NetNodeUnderTest];
  const before = listHeadEntries(victim.store, net.arena).map((e) => e.bytes);
  const heads = (entries: Uint8Array[]) => encodeSyncMessage({ type: 'heads', arena: net.arena, entries });

  // Replay: the older, validly signed entry of node 0.
  victim.sync.receive(attacker.id, heads([old.bytes]));
  // Forged: node 0's entry pointing at another commit, signatures copied.
  const tampered = { ...old.entry, commit: second.commit, time: old.entry.time + 100_000 };
  victim.sync.receive(attacker.id, heads([encodeHeadEntry(tampered)]));
  // Future: properly signed by a writer, stamped an hour ahead.
  const arenaSecret = listArenas(attacker.store)[0]!.secretKey!;
  const future = signHeadEntry({ arena: net.arena, author: attacker.id as never, key: branchKey('main'), commit: second.commit, time: Date.now() + 3_600_000 }, attacker.store.identity.secretKey, arenaSecret);
  victim.sync.receive(attacker.id, heads([encodeHeadEntry(future)]));
  await net.settle();

  assert.deepEqual(victim.badPeers.map((b) => b.code).sort(), ['BAD_SIGNATURE', 'FUTURE_ENTRY']);
  assert.ok(victim.badPeers.every((b) => b.peer === attacker.id));
  assert.deepEqual(listHeadEntries(victim.store, net.arena).map((e) => e.bytes), before);
  assert.equal(getBranch(victim.store, net.arena, 'main'), second.commit);
});

test("a read-only member replicates, and its attempt to write is rejected by every peer", async () => {
  const unpublishable: string[] = [];
  const net = await MemoryNetwork.create({
    nodes: 4, seed: 9, readOnly: [3],
    syncOptionsFor: (i) => (i === 3 ? { onCannotPublish: (_arena, branch, commit) => void unpublishable.push(`${branch}@${commit}`) } : {}),
  });
  net.connectAll();
  const w = await writeFiles(net, net.nodes[1]!, { 'a.txt': 'from a writer\n' });
  await net.settle();
  await checkConverged(net, [w]);
  const reader = net.nodes[3]!;
  // Its own commit, announced with an entry it can only sign with a key that is not the arena's.
  const own = await writeFiles(net, reader, { 'a.txt': 'from the reader\n' });
  await net.settle();
  assert.equal(listHeadEntries(reader.store, net.arena).some((e) => e.entry.author === reader.id), false, 'a read-only node publishes nothing');
  assert.deepEqual(unpublishable, [`main@${own.commit}`], 'the read-only node says once that it cannot publish its commit');
  const fake = forge({ arena: net.arena, author: reader.id as never, key: branchKey('main'), commit: own.commit, time: Date.now() }, reader.store.identity.secretKey, generateKeypair().secretKey);
  for (const peer of net.nodes.slice(0, 3)) peer.sync.receive(reader.id, encodeSyncMessage({ type: 'heads', arena: net.arena, entries: [fake] }));
  await net.settle();
  for (const peer of net.nodes.slice(0, 3)) {
    assert.deepEqual(peer.badPeers, [{ peer: reader.id, code: 'BAD_SIGNATURE' }]);
    assert.equal(getBranch(peer.store, net.arena, 'main'), w.commit);
    assert.equal(peer.store.objects.has(own.commit), false);
  }
  for (const n of net.nodes) assert.deepEqual([n.errors, n.refused], [[], []]);
});

test('an arena left out of a node\'s arenas() is neither offered, taken, published nor fetched by it', async () => {
  // Node 1 holds the arena (it joined it) but does not replicate it; nodes 0 and 2 do.
  const net = await MemoryNetwork.create({ nodes: 3, seed: 21, syncOptionsFor: (i) => (i === 1 ? { arenas: () => new Set() } : {}) });
  net.connectAll();
  const outsider = net.nodes[1]!;
  const w = await writeFiles(net, net.nodes[0]!, { 'a.txt': 'not for node 1\n' });
  await net.settle();
  assert.equal(getBranch(net.nodes[2]!.store, net.arena, 'main'), w.commit, 'a replicating node takes the write');
  assert.equal(getBranch(outsider.store, net.arena, 'main'), undefined);
  assert.deepEqual(listHeadEntries(outsider.store, net.arena), [], 'no head entry of the arena reaches node 1');
  assert.equal(outsider.store.objects.has(w.commit), false);
  // Entries pushed at it directly are skipped, not reported as an offence.
  const entries = listHeadEntries(net.nodes[0]!.store, net.arena).map((e) => e.bytes);
  outsider.sync.receive(net.nodes[0]!.id, encodeSyncMessage({ type: 'heads', arena: net.arena, entries }));
  await net.settle();
  assert.deepEqual(listHeadEntries(outsider.store, net.arena), []);
  // Its own write to the arena stays with it, and its HELLO does not list the arena.
  const local = await writeFiles(net, outsider, { 'b.txt': 'node 1 only\n' });
  await net.settle();
  for (const peer of [net.nodes[0]!, net.nodes[2]!]) {
    assert.equal(peer.store.objects.has(local.commit), false);
    assert.equal(getBranch(peer.store, net.arena, 'main'), w.commit);
  }
  const sent: Uint8Array[] = [];
  const lone = new SyncNode({ store: outsider.store, send: (_p, b) => void sent.push(b), arenas: () => new Set() });
  lone.peerConnected(net.nodes[0]!.id);
  await lone.idle();
  assert.deepEqual(decodeSyncMessage(sent[0]!), { type: 'hello', arenas: [] });
  clean(net);
});

test('transfers() shows the commit being fetched per arena and branch, with objects received and outstanding', async () => {
  const net = await MemoryNetwork.create({ nodes: 2, seed: 5 });
  net.connectAll();
  await net.settle();
  const big = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const w = await writeFiles(net, net.nodes[0]!, { 'big.bin': big });
  const reader = net.nodes[1]!;
  const seen: ReturnType<SyncNode['transfers']> = [];
  for (let i = 0; i < 10_000 && seen.length === 0; i++) {
    await net.deliver(1);
    const t = reader.sync.transfers();
    if (t.length > 0 && t[0]!.objectsReceived > 0 && t[0]!.outstanding > 0) seen.push(...t);
  }
  assert.equal(seen.length, 1, 'a transfer was seen while it ran');
  assert.deepEqual({ arena: seen[0]!.arena, branch: seen[0]!.branch, commit: seen[0]!.commit }, { arena: net.arena, branch: 'main', commit: w.commit });
  await net.settle();
  assert.deepEqual(reader.sync.transfers(), []);
  assert.equal(getBranch(reader.store, net.arena, 'main'), w.commit);
  assert.ok(reader.sync.received.objects >= 4 && reader.sync.received.bytes > big.length, `received ${JSON.stringify(reader.sync.received)}`);
  clean(net);
});

test('garbage and truncated messages throw a coded SyncError and change nothing', async () => {
  const net = await MemoryNetwork.create({ nodes: 2, seed: 11 });
  net.connectAll();
  await writeFiles(net, net.nodes[0]!, { 'a.txt': 'x\n' });
  await net.settle();
  const node = net.nodes[1]!;
  const entries = listHeadEntries(node.store, net.arena).map((e) => e.bytes);
  const valid = encodeSyncMessage({ type: 'heads', arena: net.arena, entries });
  const snapshot = () => ({ heads: listHeadEntries(node.store, net.arena).map((e) => Buffer.from(e.bytes).toString('hex')), main: getBranch(node.store, net.arena, 'main'), objects: [...node.store.objects.ids()].length });
  const before = snapshot();
  const codes = new Set(['BAD_MESSAGE', 'TOO_LARGE', 'UNKNOWN_MESSAGE']);
  const refuses = (bytes: Uint8Array): void => {
    assert.throws(() => node.sync.receive(net.nodes[0]!.id, bytes), (e: unknown) => e instanceof Error && e.name === 'SyncError' && codes.has((e as unknown as { code: string }).code));
  };
  for (let cut = 0; cut < valid.length; cut += Math.max(1, Math.floor(valid.length / 40))) refuses(valid.subarray(0, cut));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    try {
      node.sync.receive(net.nodes[0]!.id, bytes);
    } catch (e) {
      assert.ok(e instanceof Error && e.name === 'SyncError' && codes.has((e as unknown as { code: string }).code), String(e));
    }
  }), { numRuns: 300, seed: 1 });
  refuses(new Uint8Array(64 * 1024 * 1024));
  await net.settle();
  assert.deepEqual(snapshot(), before);
});
