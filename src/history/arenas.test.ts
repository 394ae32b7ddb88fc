import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCbor, publicKeyOf, toHex, type ArenaId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { withDeferredMeta } from './testing/fixtures.ts';
import { createArena, listArenas, findArena, requireArena, encodeArenaRecord, decodeArenaRecord, type ArenaRecord } from './arenas.ts';

test('createArena makes an arena with its own keypair; list is sorted by name; find by name or id', async () => {
  const store = memoryStore();
  const before = Date.now();
  const photos = await createArena(store, 'photos');
  const etc = await createArena(store, 'etc-backup');
  assert.match(photos.id, /^[0-9a-f]{64}$/);
  assert.notEqual(photos.id, etc.id);
  assert.notEqual(photos.id, store.identity.nodeId);
  assert.equal(toHex(publicKeyOf(photos.secretKey!)), photos.id);
  assert.ok(photos.created >= before && photos.created <= Date.now());
  assert.deepEqual(listArenas(store).map((a) => a.name), ['etc-backup', 'photos']);
  assert.deepEqual(findArena(store, 'photos'), photos);
  assert.deepEqual(findArena(store, photos.id), photos);
  assert.equal(findArena(store, 'nope'), undefined);
  assert.equal(findArena(store, 'ff'.repeat(32)), undefined);
  assert.deepEqual(requireArena(store, etc.id), etc);
  assert.throws(() => requireArena(store, 'nope'), { code: 'NO_SUCH_ARENA' });
});

test('createArena refuses a duplicate name, also when two creates race', async () => {
  const store = memoryStore();
  await createArena(store, 'photos');
  await assert.rejects(createArena(store, 'photos'), { code: 'ARENA_EXISTS' });
  // The deferred store commits after an await, like the disk store: both creates would pass a naive check.
  const deferred = withDeferredMeta(store);
  const results = await Promise.allSettled([createArena(deferred, 'twin'), createArena(deferred, 'twin')]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const winner = results.find((r) => r.status === 'fulfilled')!.value;
  assert.equal(findArena(store, 'twin')!.id, winner.id);
});

for (const name of ['', '.hidden', '-flag', 'a/b', 'a b', 'é', 'x'.repeat(65), 'a\0', '0123456789abcdef'.repeat(4)]) {
  test(`createArena refuses the name ${JSON.stringify(name.length > 20 ? name.slice(0, 20) + '…' : name)}`, async () => {
    await assert.rejects(createArena(memoryStore(), name), { code: 'BAD_ARENA_NAME' });
  });
}

test('createArena accepts names at the edges of the rules', async () => {
  const store = memoryStore();
  for (const name of ['a', 'x'.repeat(64), '_x', 'A.b-c_9', '0']) await createArena(store, name);
  assert.equal(listArenas(store).length, 5);
});

const FIXTURE: ArenaRecord = { name: 'photos', id: 'ab'.repeat(32) as ArenaId, secretKey: new Uint8Array(32).fill(1), created: 1_700_000_000_000 };
// Version 1 of the arena record. If this changes, the format changed: add a version and a migration.
const FIXTURE_HEX =
  'a56176016269645820abababababababababababababababababababababababababababababababab62736b58200101010101010101010101' +
  '010101010101010101010101010101010101010101646e616d656670686f746f7367637265617465641b0000018bcfe56800';
const FIXTURE_PUBLIC_HEX =
  'a46176016269645820abababababababababababababababababababababababababababababababab646e616d656670686f746f73676372' +
  '65617465641b0000018bcfe56800';

test('arena record: fixture bytes of version 1, round trip', () => {
  assert.equal(Buffer.from(encodeArenaRecord(FIXTURE)).toString('hex'), FIXTURE_HEX);
  assert.deepEqual(decodeArenaRecord(Buffer.from(FIXTURE_HEX, 'hex')), FIXTURE);
  const { secretKey: _, ...publicOnly } = FIXTURE;
  assert.equal(Buffer.from(encodeArenaRecord(publicOnly)).toString('hex'), FIXTURE_PUBLIC_HEX);
  assert.deepEqual(decodeArenaRecord(Buffer.from(FIXTURE_PUBLIC_HEX, 'hex')), publicOnly);
});

test('arena record: strict decoding', () => {
  const good = { v: 1, name: 'photos', id: new Uint8Array(32), created: 1 };
  assert.throws(() => decodeArenaRecord(encodeCbor({ ...good, extra: 1 })), { code: 'UNKNOWN_FIELD' });
  assert.throws(() => decodeArenaRecord(encodeCbor({ ...good, v: 2 })), { code: 'BAD_FIELD' });
  assert.throws(() => decodeArenaRecord(encodeCbor({ ...good, id: new Uint8Array(31) })), { code: 'BAD_FIELD' });
  assert.throws(() => decodeArenaRecord(encodeCbor({ ...good, created: -1 })), { code: 'BAD_FIELD' });
  const { created: _, ...missing } = good;
  assert.throws(() => decodeArenaRecord(encodeCbor(missing)), { code: 'MISSING_FIELD' });
  assert.throws(() => decodeArenaRecord(Buffer.concat([encodeCbor(good), Buffer.from([0])])), { code: 'BAD_ENCODING' });
});
