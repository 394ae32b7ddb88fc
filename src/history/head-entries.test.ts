import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blake3, decodeHeadEntry, encodeHeadEntry, generateKeypair, headEntrySigningBytes, signBytes, signHeadEntry, toHex,
  type CommitId, type NodeId,
} from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { createArena, joinArena } from './arenas.ts';
import { acceptHeadEntry, headEntryItems, listHeadEntries, publishHead, HEADS_TABLE } from './head-entries.ts';
import { commit, withDeferredMeta } from './testing/fixtures.ts';

const NOW = 1_700_000_000_000;

/** A writer with an arena and a commit, and a read-only member that joined it. */
async function pair() {
  const writer = memoryStore();
  const arena = await createArena(writer, 'photos');
  const c1 = await commit(writer, 'one');
  const c2 = await commit(writer, 'two', [c1]);
  const reader = memoryStore();
  await joinArena(reader, 'photos', arena.id);
  return { writer, reader, arena, c1, c2 };
}

function rows(store: Store): [string, string][] {
  return [...store.meta.table(HEADS_TABLE).range('')].map(([k, v]) => [k, toHex(v)]);
}

test('publishHead signs with the node key and the arena key; a member accepts it; listHeadEntries and items agree', async () => {
  const { writer, reader, arena, c1 } = await pair();
  const { entry, bytes } = await publishHead(writer, arena.id, 'main', c1, { now: NOW });
  assert.deepEqual(
    { arena: entry.arena, author: entry.author, key: entry.key, commit: entry.commit, time: entry.time },
    { arena: arena.id, author: writer.identity.nodeId, key: 'branch/main', commit: c1, time: NOW },
  );
  assert.deepEqual(decodeHeadEntry(bytes), entry);
  assert.equal(await acceptHeadEntry(reader, bytes, { now: NOW }), 'accepted');
  assert.deepEqual(rows(reader), rows(writer));
  assert.deepEqual(rows(reader).map(([k]) => k), [`${arena.id}/${writer.identity.nodeId}/branch/main`]);
  const listed = listHeadEntries(reader, arena.id);
  assert.equal(listed.length, 1);
  assert.deepEqual(listed[0]!.bytes, bytes);
  assert.deepEqual(headEntryItems(reader, arena.id), [{ timestamp: NOW, id: blake3(bytes) }]);
  assert.deepEqual(listHeadEntries(reader, generateKeypairId()), []);
});

function generateKeypairId() {
  return toHex(generateKeypair().publicKey) as Parameters<typeof listHeadEntries>[1];
}

test('a replayed or older entry is stale and changes nothing; a newer one replaces it', async () => {
  const { writer, reader, arena, c1, c2 } = await pair();
  const first = await publishHead(writer, arena.id, 'main', c1, { now: NOW });
  const second = await publishHead(writer, arena.id, 'main', c2, { now: NOW + 5 });
  assert.equal(await acceptHeadEntry(reader, second.bytes, { now: NOW + 5 }), 'accepted');
  const before = rows(reader);
  assert.equal(await acceptHeadEntry(reader, second.bytes, { now: NOW + 5 }), 'stale', 'a replay of the same entry');
  assert.equal(await acceptHeadEntry(reader, first.bytes, { now: NOW + 5 }), 'stale', 'a replay of an older entry');
  assert.deepEqual(rows(reader), before);
  assert.equal(listHeadEntries(reader, arena.id)[0]!.entry.commit, c2);
  // The writer's own table moved on too: one row per (arena, author, key).
  assert.equal(listHeadEntries(writer, arena.id).length, 1);
  assert.equal(listHeadEntries(writer, arena.id)[0]!.entry.commit, c2);
});

test('equal times are ordered by commit id; two racing accepts of one key keep the newer', async () => {
  const { writer, reader, arena, c1, c2 } = await pair();
  const sign = (c: CommitId) => encodeHeadEntry(signHeadEntry(
    { arena: arena.id, author: writer.identity.nodeId, key: 'branch/main', commit: c, time: NOW }, writer.identity.secretKey, arena.secretKey!,
  ));
  const [low, high] = c1 < c2 ? [sign(c1), sign(c2)] : [sign(c2), sign(c1)];
  const deferred = withDeferredMeta(reader);
  const results = await Promise.all([acceptHeadEntry(deferred, high, { now: NOW }), acceptHeadEntry(deferred, low, { now: NOW })]);
  assert.deepEqual(results, ['accepted', 'stale']);
  assert.deepEqual(listHeadEntries(reader, arena.id)[0]!.bytes, high);
  // The other order: low first, then high replaces it.
  const other = memoryStore();
  await joinArena(other, 'photos', arena.id);
  assert.equal(await acceptHeadEntry(other, low, { now: NOW }), 'accepted');
  assert.equal(await acceptHeadEntry(other, high, { now: NOW }), 'accepted');
  assert.deepEqual(rows(other), rows(reader));
});

test('forged entries are refused and nothing is stored', async () => {
  const { writer, reader, arena, c1 } = await pair();
  const stranger = generateKeypair();
  const fields = { arena: arena.id, author: toHex(stranger.publicKey) as NodeId, key: 'branch/main', commit: c1, time: NOW };
  const message = headEntrySigningBytes(fields);
  // A non-member signs as itself, with its own key standing in for the arena's.
  const nonMember = encodeHeadEntry({ ...fields, sig: signBytes(stranger.secretKey, message), arenaSig: signBytes(stranger.secretKey, message) });
  // A real author of the household, but without the arena's write key (a read-only member trying to write).
  const readerFields = { ...fields, author: reader.identity.nodeId };
  const readerMessage = headEntrySigningBytes(readerFields);
  const noArenaKey = encodeHeadEntry({ ...readerFields, sig: signBytes(reader.identity.secretKey, readerMessage), arenaSig: signBytes(reader.identity.secretKey, readerMessage) });
  // The arena key, but claiming to be the writer without its node key.
  const writerFields = { ...fields, author: writer.identity.nodeId };
  const writerMessage = headEntrySigningBytes(writerFields);
  const impersonation = encodeHeadEntry({ ...writerFields, sig: signBytes(stranger.secretKey, writerMessage), arenaSig: signBytes(arena.secretKey!, writerMessage) });
  for (const [what, bytes] of [['non-member', nonMember], ['no arena key', noArenaKey], ['impersonation', impersonation]] as const) {
    await assert.rejects(acceptHeadEntry(reader, bytes, { now: NOW }), { code: 'BAD_SIGNATURE' }, what);
    await assert.rejects(acceptHeadEntry(writer, bytes, { now: NOW }), { code: 'BAD_SIGNATURE' }, what);
  }
  await assert.rejects(acceptHeadEntry(reader, Buffer.from('garbage'), { now: NOW }), { name: 'FormatError' });
  assert.deepEqual(rows(reader), []);
  assert.deepEqual(rows(writer), []);
});

test('an entry from the future is refused; one for an arena not in the store is NO_SUCH_ARENA', async () => {
  const { writer, reader, arena, c1 } = await pair();
  const { bytes } = await publishHead(writer, arena.id, 'main', c1, { now: NOW + 10 * 60_000 + 1 });
  await assert.rejects(acceptHeadEntry(reader, bytes, { now: NOW }), { code: 'FUTURE_ENTRY' });
  assert.equal(await acceptHeadEntry(reader, bytes, { now: NOW + 1 }), 'accepted', 'accepted once the clock catches up');
  await assert.rejects(acceptHeadEntry(memoryStore(), bytes, { now: NOW + 1 }), { code: 'NO_SUCH_ARENA' });
});

test('publishHead: read-only arenas, unknown arenas, missing commits and bad branch names are refused', async () => {
  const { writer, reader, arena, c1 } = await pair();
  await assert.rejects(publishHead(reader, arena.id, 'main', c1, { now: NOW }), { code: 'READ_ONLY_ARENA' });
  await assert.rejects(publishHead(writer, generateKeypairId(), 'main', c1, { now: NOW }), { code: 'NO_SUCH_ARENA' });
  await assert.rejects(publishHead(writer, arena.id, 'main', 'ee'.repeat(32) as CommitId, { now: NOW }), { code: 'NO_SUCH_COMMIT' });
  await assert.rejects(publishHead(writer, arena.id, 'a..b', c1, { now: NOW }), { code: 'BAD_BRANCH_NAME' });
  assert.deepEqual(rows(reader), []);
  assert.deepEqual(rows(writer), []);
});

test('publishHead stays ahead of its previous entry when the clock goes back', async () => {
  const { writer, arena, c1, c2 } = await pair();
  await publishHead(writer, arena.id, 'main', c1, { now: NOW });
  const { entry } = await publishHead(writer, arena.id, 'main', c2, { now: NOW - 60_000 });
  assert.equal(entry.time, NOW + 1);
  assert.equal(listHeadEntries(writer, arena.id)[0]!.entry.commit, c2);
});

test('headEntryItems: one item per (author, key), sorted by (timestamp, id), ids are BLAKE3 of the entry bytes', async () => {
  const { writer, reader, arena, c1, c2 } = await pair();
  // A second writer that joined with the secret.
  const second = memoryStore();
  await joinArena(second, 'photos', arena.id, arena.secretKey);
  const s1 = await commit(second, 'second');
  const published = [
    await publishHead(writer, arena.id, 'main', c1, { now: NOW + 2 }),
    await publishHead(writer, arena.id, 'dev', c2, { now: NOW }),
    await publishHead(second, arena.id, 'main', s1, { now: NOW + 1 }),
    await publishHead(second, arena.id, 'other', s1, { now: NOW + 1 }),
  ];
  for (const p of published) assert.equal(await acceptHeadEntry(reader, p.bytes, { now: NOW }), 'accepted');
  const items = headEntryItems(reader, arena.id);
  assert.equal(items.length, 4);
  assert.deepEqual(items.map((i) => i.timestamp), [NOW, NOW + 1, NOW + 1, NOW + 2]);
  assert.ok(Buffer.compare(items[1]!.id, items[2]!.id) < 0);
  assert.deepEqual(new Set(items.map((i) => toHex(i.id))), new Set(published.map((p) => toHex(blake3(p.bytes)))));
});

test('a replay of the very entry stored is stale at once: it was checked when stored, and nothing is written', async () => {
  const { writer, reader, arena, c1 } = await pair();
  const { bytes } = await publishHead(writer, arena.id, 'main', c1, { now: NOW });
  assert.equal(await acceptHeadEntry(reader, bytes, { now: NOW }), 'accepted');
  let writes = 0;
  const write = reader.meta.write.bind(reader.meta);
  reader.meta.write = (fn) => { writes++; return write(fn); };
  // An hour earlier, the entry would be refused as stamped in the future; as a replay it changes nothing.
  assert.equal(await acceptHeadEntry(reader, bytes, { now: NOW - 3_600_000 }), 'stale');
  assert.equal(writes, 0);
  // Other bytes for the same row are still checked.
  const forged = decodeHeadEntry(bytes);
  await assert.rejects(acceptHeadEntry(reader, encodeHeadEntry({ ...forged, time: forged.time + 1 }), { now: NOW }), { code: 'BAD_SIGNATURE' });
});
