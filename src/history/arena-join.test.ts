import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeypair, toHex, type ArenaId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { createArena, decodeArenaRecord, encodeArenaRecord, findArena, joinArena, listArenas } from './arenas.ts';

test('joinArena adds a read-only or a writable arena under the given id', async () => {
  const origin = await createArena(memoryStore(), 'photos');
  const store = memoryStore();
  const readOnly = await joinArena(store, 'photos', origin.id);
  assert.equal(readOnly.id, origin.id);
  assert.equal(readOnly.secretKey, undefined);
  assert.deepEqual(findArena(store, origin.id), readOnly);
  const other = memoryStore();
  const writable = await joinArena(other, 'pics', origin.id, origin.secretKey, { path: '/home/me/Photos' });
  assert.deepEqual(writable.secretKey, origin.secretKey);
  assert.equal(findArena(other, 'pics')!.path, '/home/me/Photos');
});

test('joinArena refuses a used name, an id already held, and a secret that is not the id\'s key', async () => {
  const origin = await createArena(memoryStore(), 'photos');
  const store = memoryStore();
  await createArena(store, 'photos');
  await assert.rejects(joinArena(store, 'photos', origin.id), { code: 'ARENA_EXISTS' });
  await joinArena(store, 'theirs', origin.id);
  await assert.rejects(joinArena(store, 'again', origin.id, origin.secretKey), { code: 'ARENA_EXISTS' });
  await assert.rejects(joinArena(store, 'x', toHex(generateKeypair().publicKey) as ArenaId, origin.secretKey), { code: 'BAD_TICKET' });
  await assert.rejects(joinArena(store, 'y', 'not-an-id' as ArenaId), { code: 'BAD_TICKET' });
  await assert.rejects(joinArena(store, '.bad', toHex(generateKeypair().publicKey) as ArenaId), { code: 'BAD_ARENA_NAME' });
  assert.deepEqual(listArenas(store).map((a) => a.name), ['photos', 'theirs']);
});

test('arena record: the optional path round-trips; records without it keep their bytes', () => {
  const record = { name: 'photos', id: 'ab'.repeat(32) as ArenaId, created: 1, path: '/w' };
  assert.deepEqual(decodeArenaRecord(encodeArenaRecord(record)), record);
  const plain = { name: 'photos', id: 'ab'.repeat(32) as ArenaId, created: 1 };
  assert.equal(toHex(encodeArenaRecord(plain)).includes(Buffer.from('path').toString('hex')), false);
});
