import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeCbor, hashToBytes, type Hash } from '../core/index.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_WANT_IDS, SYNC_MESSAGE_VERSION } from './messages.ts';
import { readIdsMessage, writeIdsMessage, type IdsMessageType } from './ids-codec.ts';

const ids = (n: number): Hash[] => Array.from({ length: n }, () => randomBytes(32).toString('hex') as Hash);

function generic(type: IdsMessageType, list: readonly Hash[]): Uint8Array {
  return encodeCbor({ t: type, v: SYNC_MESSAGE_VERSION, ids: list.map((id) => hashToBytes(id)) });
}

test('the direct encoding is byte for byte the generic canonical one, at every head size', () => {
  for (const type of ['want', 'have-not'] as const) {
    for (const n of [0, 1, 23, 24, 255, 256, MAX_WANT_IDS]) {
      const list = ids(n);
      const direct = writeIdsMessage(type, SYNC_MESSAGE_VERSION, list);
      assert.deepEqual(Buffer.from(direct), Buffer.from(generic(type, list)));
      assert.deepEqual(readIdsMessage(SYNC_MESSAGE_VERSION, direct, MAX_WANT_IDS), { type, ids: list });
      assert.deepEqual(decodeSyncMessage(encodeSyncMessage({ type, ids: list })), { type, ids: list });
    }
  }
});

test('anything off the one canonical shape leaves the fast path, and the strict decoder judges it', () => {
  const good = generic('want', ids(3));
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, Buffer.concat([good, Buffer.from([0])]), MAX_WANT_IDS), undefined);
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, good.subarray(0, good.length - 1), MAX_WANT_IDS), undefined);
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, good, 2), undefined);
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION + 1, good, MAX_WANT_IDS), undefined);
  // An id of 31 bytes, and a list head in a longer form than needed: both refused by the strict decoder too.
  const short = encodeCbor({ t: 'want', v: SYNC_MESSAGE_VERSION, ids: [randomBytes(31)] });
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, short, MAX_WANT_IDS), undefined);
  assert.throws(() => decodeSyncMessage(short), { code: 'BAD_MESSAGE' });
  const long = Buffer.from(good);
  const at = long.indexOf(0x83, 10); // the array head of three ids, after the prefix
  const padded = Buffer.concat([long.subarray(0, at), Buffer.from([0x98, 3]), long.subarray(at + 1)]);
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, padded, MAX_WANT_IDS), undefined);
  assert.throws(() => decodeSyncMessage(padded), { code: 'BAD_MESSAGE' });
  // Too many ids: the strict decoder names it.
  const tooMany = generic('have-not', ids(MAX_WANT_IDS + 1));
  assert.equal(readIdsMessage(SYNC_MESSAGE_VERSION, tooMany, MAX_WANT_IDS), undefined);
  assert.throws(() => decodeSyncMessage(tooMany), { code: 'TOO_LARGE' });
});

test('an id that is not 32 bytes of hex is refused when writing', () => {
  assert.throws(() => writeIdsMessage('want', SYNC_MESSAGE_VERSION, ['zz'.repeat(32) as Hash]), RangeError);
  assert.throws(() => writeIdsMessage('want', SYNC_MESSAGE_VERSION, ['ab'.repeat(31) as Hash]), RangeError);
});
