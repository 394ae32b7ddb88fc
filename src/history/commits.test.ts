import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCommit, encodeCommit, generateKeypair, toHex, LIMITS, type CommitId, type NodeId, type TreeId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { createCommit, verifyCommit } from './commits.ts';
import { commit, tree } from './testing/fixtures.ts';

test('createCommit signs with the node key; the stored commit verifies', async () => {
  const store = memoryStore();
  const root = await tree(store, []);
  const parent = await commit(store, 'parent');
  const id = await createCommit(store, { tree: root, parents: [parent], message: 'hello ✓', time: 1234 });
  assert.equal(store.objects.kind(id), 'commit');
  const c = await store.typed.getCommit(id);
  assert.deepEqual({ ...c, sig: undefined }, { tree: root, parents: [parent], author: store.identity.nodeId, time: 1234, message: 'hello ✓', sig: undefined });
  assert.equal(verifyCommit(c), true);
});

test('createCommit defaults the time to now', async () => {
  const store = memoryStore();
  const before = Date.now();
  const id = await createCommit(store, { tree: await tree(store, []), parents: [], message: '' });
  const { time } = await store.typed.getCommit(id);
  assert.ok(time >= before && time <= Date.now());
});

test('a commit fails verification after any one byte of its stored bytes is tampered with', async () => {
  const store = memoryStore();
  const id = await createCommit(store, { tree: await tree(store, []), parents: [], message: 'original message', time: 99 });
  const bytes = await store.objects.get(id);
  assert.equal(verifyCommit(decodeCommit(bytes)), true);
  // Flip one byte inside the message, the time and the signature: each still decodes, none verifies.
  const msgAt = Buffer.from(bytes).indexOf('original');
  const sigAt = Buffer.from(bytes).indexOf(Buffer.from([0x63, 0x73, 0x69, 0x67, 0x58, 0x40])) + 6; // "sig", 64 bytes
  const timeAt = Buffer.from(bytes).indexOf(Buffer.from([0x64, 0x74, 0x69, 0x6d, 0x65, 0x18])) + 6; // "time", then 99 as 0x18 0x63
  assert.ok(msgAt > 0 && timeAt > 6 && sigAt > 6);
  for (const at of [msgAt, timeAt, sigAt]) {
    const tampered = Uint8Array.from(bytes);
    tampered[at]! ^= 0x01;
    assert.equal(verifyCommit(decodeCommit(tampered)), false, `byte ${at}`);
  }
  // And a commit claiming another author does not verify either.
  const c = decodeCommit(bytes);
  assert.equal(verifyCommit({ ...c, author: toHex(generateKeypair().publicKey) as NodeId }), false);
  assert.equal(verifyCommit(decodeCommit(encodeCommit(c))), true);
  // The store itself refuses bytes that no longer match the id.
  store.objects.corrupt(id);
  await assert.rejects(store.typed.getCommit(id), { code: 'CORRUPT' });
});

test('createCommit refuses missing trees and parents, duplicate parents, and oversize messages', async () => {
  const store = memoryStore();
  const root = await tree(store, []);
  const p = await commit(store, 'p');
  const missing = 'ee'.repeat(32);
  await assert.rejects(createCommit(store, { tree: missing as TreeId, parents: [], message: '' }), { code: 'NO_SUCH_OBJECT' });
  await assert.rejects(createCommit(store, { tree: p as unknown as TreeId, parents: [], message: '' }), { code: 'NO_SUCH_OBJECT' });
  await assert.rejects(createCommit(store, { tree: root, parents: [missing as CommitId], message: '' }), { code: 'NO_SUCH_OBJECT' });
  await assert.rejects(createCommit(store, { tree: root, parents: [root as unknown as CommitId], message: '' }), { code: 'NO_SUCH_OBJECT' });
  await assert.rejects(createCommit(store, { tree: root, parents: [p, p], message: '' }), { code: 'BAD_COMMIT' });
  await assert.rejects(createCommit(store, { tree: root, parents: [], message: 'x'.repeat(LIMITS.message + 1) }), { code: 'BAD_COMMIT' });
  await assert.rejects(createCommit(store, { tree: root, parents: [], message: '', time: 1.5 }), { code: 'BAD_COMMIT' });
});
