import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitSigningBytes, generateKeypair, hashToBytes, signBytes, verifyBytes, type CommitId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { verifyCommit } from './commits.ts';
import { checkSignatures, requireGoodSignature, signatureStatus } from './verify.ts';
import { commit, tree } from './testing/fixtures.ts';

test('a zeroed signature is unsigned, a foreign one is bad, and fsck-style checks name the commit', async () => {
  const store = memoryStore();
  const good = await commit(store, 'good');
  const unsigned = { tree: await tree(store, []), parents: [good], author: store.identity.nodeId, time: 2, message: 'zeroed' };
  const zeroed = await store.typed.putCommit({ ...unsigned, sig: new Uint8Array(64) });
  const other = generateKeypair();
  const forged = { ...unsigned, parents: [zeroed], message: 'forged' };
  const bad = await store.typed.putCommit({ ...forged, sig: signBytes(other.secretKey, commitSigningBytes(forged)) });

  assert.equal(signatureStatus(await store.typed.getCommit(good)), 'good');
  assert.equal(signatureStatus(await store.typed.getCommit(zeroed)), 'unsigned');
  assert.equal(signatureStatus(await store.typed.getCommit(bad)), 'bad');
  assert.throws(() => requireGoodSignature(bad, { ...forged, sig: signBytes(other.secretKey, commitSigningBytes(forged)) }), { code: 'BAD_SIGNATURE' });

  const report = await checkSignatures(store, [bad]);
  assert.equal(report.checked, 3);
  assert.deepEqual(report.problems.map((p) => [p.id, p.code, p.status]).sort(), ([[zeroed, 'BAD_SIGNATURE', 'unsigned'], [bad, 'BAD_SIGNATURE', 'bad']] as [CommitId, string, string][]).sort());
  assert.deepEqual((await checkSignatures(store, [good])).problems, []);
});

test('flipping any single byte of the signing bytes fails verification', async () => {
  const store = memoryStore();
  const id = await commit(store, 'some message', [], 42);
  const c = await store.typed.getCommit(id);
  const signing = commitSigningBytes({ tree: c.tree, parents: c.parents, author: c.author, time: c.time, message: c.message });
  assert.equal(verifyCommit(c), true);
  for (let at = 0; at < signing.length; at++) {
    const tampered = Uint8Array.from(signing);
    tampered[at]! ^= 0x01;
    assert.equal(verifyBytes(hashToBytes(c.author), tampered, c.sig), false, `byte ${at}`);
  }
});
