import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCbor } from './cbor.ts';
import {
  decodeHeadEntry, encodeHeadEntry, headEntrySigningBytes, signHeadEntry, verifyHeadEntry, compareHeadEntries,
  MAX_FUTURE_MS, type HeadEntry, type HeadEntryFields,
} from './head-entry.ts';
import { hashToBytes, toHex, type ArenaId, type CommitId, type NodeId } from './ids.ts';
import { generateKeypair, publicKeyOf, signBytes } from './keys.ts';

const AUTHOR_SECRET = new Uint8Array(32).fill(1);
const ARENA_SECRET = new Uint8Array(32).fill(2);
const FIELDS: HeadEntryFields = {
  arena: toHex(publicKeyOf(ARENA_SECRET)) as ArenaId,
  author: toHex(publicKeyOf(AUTHOR_SECRET)) as NodeId,
  key: 'branch/main',
  commit: 'cc'.repeat(32) as CommitId,
  time: 1_700_000_000_000,
};
const NOW = FIELDS.time;

// Version 1 of the head entry (docs/format.md, "Head entry"). If these change, the format changed.
const SIGNING_HEX =
  'a761746468656164617601636b65796b6272616e63682f6d61696e6474696d651b0000018bcfe56800656172656e6158208139770ea87d175f' +
  '56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39466617574686f7258208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3' +
  '748801b40f6f5c66636f6d6d69745820cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc';
const ENTRY_HEX =
  'a961746468656164617601636b65796b6272616e63682f6d61696e637369675840630457d1951fe8bb4e2d8125b4deeaa1669ac126d3bf454d' +
  '610399f7c9ad2d0117ec11095c10a3a35922c14087f7d3289e359b13f5577f04b4c4fcda97055e0d64617369675840f01d873c8b6389f73327' +
  '9f4516bd306fcbc253768fdda39570975354de143acf27e3e5357fdfe785d9951a8589970c09cf752acfd7c47669b68bed7f1fc63a0a6474696d' +
  '651b0000018bcfe56800656172656e6158208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39466617574686f72' +
  '58208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c66636f6d6d69745820cccccccccccccccccccccccccccccc' +
  'cccccccccccccccccccccccccccccccccc';

function entryMap(e: HeadEntry): Record<string, unknown> {
  return {
    t: 'head', v: 1, arena: hashToBytes(e.arena), author: hashToBytes(e.author), key: e.key,
    commit: hashToBytes(e.commit), time: e.time, sig: e.sig, asig: e.arenaSig,
  };
}

test('head entry: fixture bytes of version 1, round trip, verification', () => {
  assert.equal(toHex(headEntrySigningBytes(FIELDS)), SIGNING_HEX);
  const entry = signHeadEntry(FIELDS, AUTHOR_SECRET, ARENA_SECRET);
  const bytes = encodeHeadEntry(entry);
  assert.equal(toHex(bytes), ENTRY_HEX);
  // The hand-assembled map encodes to the same bytes: the codec writes nothing beyond the documented keys.
  assert.equal(toHex(encodeCbor(entryMap(entry))), ENTRY_HEX);
  const decoded = decodeHeadEntry(Buffer.from(ENTRY_HEX, 'hex'));
  assert.deepEqual({ ...decoded, sig: toHex(decoded.sig), arenaSig: toHex(decoded.arenaSig) }, { ...entry, sig: toHex(entry.sig), arenaSig: toHex(entry.arenaSig) });
  verifyHeadEntry(decoded, { now: NOW });
});

test('head entry: a single changed byte anywhere breaks decoding or verification', () => {
  const bytes = Buffer.from(ENTRY_HEX, 'hex');
  fc.assert(fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, mask) => {
    const hostile = Buffer.from(bytes);
    hostile[pos]! ^= mask;
    assert.throws(() => verifyHeadEntry(decodeHeadEntry(hostile), { now: NOW }), (e: { name?: string; code?: string }) =>
      e.name === 'FormatError' && ['BAD_ENCODING', 'BAD_FIELD', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'NON_CANONICAL', 'TOO_LARGE', 'BAD_HEAD_KEY', 'BAD_ID', 'BAD_SIGNATURE', 'FUTURE_ENTRY'].includes(e.code ?? ''));
  }), { numRuns: 400 });
  // Every position is covered at least once with one mask, not only a random sample.
  for (let pos = 0; pos < bytes.length; pos++) {
    const hostile = Buffer.from(bytes);
    hostile[pos]! ^= 0x01;
    assert.throws(() => verifyHeadEntry(decodeHeadEntry(hostile), { now: NOW }), { name: 'FormatError' }, `byte ${pos}`);
  }
});

test('head entry: forged signatures are BAD_SIGNATURE', () => {
  const good = signHeadEntry(FIELDS, AUTHOR_SECRET, ARENA_SECRET);
  const message = headEntrySigningBytes(FIELDS);
  const stranger = generateKeypair();
  const forgeries: [string, HeadEntry][] = [
    ['arena signature by a non-member key', { ...good, arenaSig: signBytes(stranger.secretKey, message) }],
    ['author signature by another node', { ...good, sig: signBytes(stranger.secretKey, message) }],
    ['signed by the author only (author key in both slots)', { ...good, arenaSig: signBytes(AUTHOR_SECRET, message) }],
    ['the two signatures swapped', { ...good, sig: good.arenaSig, arenaSig: good.sig }],
    ['zero signatures', { ...good, sig: new Uint8Array(64), arenaSig: new Uint8Array(64) }],
    ['another commit under the same signatures', { ...good, commit: 'dd'.repeat(32) as CommitId }],
    ['a later time under the same signatures', { ...good, time: good.time + 1 }],
    ['claimed by a stranger as author', { ...good, author: toHex(stranger.publicKey) as NodeId }],
    ['an author id that is not a curve point', { ...good, author: 'ff'.repeat(32) as NodeId }],
  ];
  for (const [what, forged] of forgeries) {
    assert.throws(() => verifyHeadEntry(forged, { now: NOW }), { name: 'FormatError', code: 'BAD_SIGNATURE' }, what);
    // Encoding and decoding do not launder a forgery.
    assert.throws(() => verifyHeadEntry(decodeHeadEntry(encodeHeadEntry(forged)), { now: NOW }), { code: 'BAD_SIGNATURE' }, what);
  }
  // A whole entry signed by strangers for this arena: both keys must be the ones it names.
  const mine = { ...FIELDS, author: toHex(stranger.publicKey) as NodeId };
  const other = generateKeypair();
  assert.throws(() => signHeadEntry(mine, stranger.secretKey, other.secretKey), { code: 'WRONG_SECRET' });
  assert.throws(() => signHeadEntry(FIELDS, stranger.secretKey, ARENA_SECRET), { code: 'WRONG_SECRET' });
});

test('head entry: more than 10 minutes in the future is FUTURE_ENTRY; up to 10 minutes and any past time pass', () => {
  const at = (time: number) => signHeadEntry({ ...FIELDS, time }, AUTHOR_SECRET, ARENA_SECRET);
  verifyHeadEntry(at(NOW + MAX_FUTURE_MS), { now: NOW });
  verifyHeadEntry(at(0), { now: NOW });
  assert.throws(() => verifyHeadEntry(at(NOW + MAX_FUTURE_MS + 1), { now: NOW }), { name: 'FormatError', code: 'FUTURE_ENTRY' });
  assert.equal(MAX_FUTURE_MS, 600_000);
});

test('head entry: keys other than branch/<valid branch name> are BAD_HEAD_KEY, when signing and when decoding', () => {
  const good = signHeadEntry(FIELDS, AUTHOR_SECRET, ARENA_SECRET);
  for (const key of ['main', 'branch/', 'tag/v1', 'branch/a..b', 'branch/x@y', 'branch/-x', 'branch/a/', `branch/${'x'.repeat(256)}`, 'Branch/main']) {
    assert.throws(() => signHeadEntry({ ...FIELDS, key }, AUTHOR_SECRET, ARENA_SECRET), { code: 'BAD_HEAD_KEY' }, key);
    const bytes = encodeCbor(entryMap({ ...good, key }));
    assert.throws(() => decodeHeadEntry(bytes), (e: { code?: string }) => e.code === 'BAD_HEAD_KEY' || e.code === 'TOO_LARGE', key);
  }
  for (const key of ['branch/main', 'branch/feature/x', 'branch/v1.2']) signHeadEntry({ ...FIELDS, key }, AUTHOR_SECRET, ARENA_SECRET);
});

test('head entry: strict decoding names each fault', () => {
  const good = entryMap(signHeadEntry(FIELDS, AUTHOR_SECRET, ARENA_SECRET));
  const without = (k: string) => Object.fromEntries(Object.entries(good).filter(([key]) => key !== k));
  const cases: [string, Uint8Array, string][] = [
    ['an unknown field', encodeCbor({ ...good, x: 1 }), 'UNKNOWN_FIELD'],
    ['no author signature', encodeCbor(without('sig')), 'MISSING_FIELD'],
    ['no arena signature', encodeCbor(without('asig')), 'MISSING_FIELD'],
    ['another type', encodeCbor({ ...good, t: 'commit' }), 'BAD_FIELD'],
    ['another version', encodeCbor({ ...good, v: 2 }), 'BAD_FIELD'],
    ['a short arena id', encodeCbor({ ...good, arena: new Uint8Array(31) }), 'BAD_FIELD'],
    ['a negative time', encodeCbor({ ...good, time: -1 }), 'BAD_FIELD'],
    ['a short signature', encodeCbor({ ...good, sig: new Uint8Array(63) }), 'BAD_FIELD'],
    ['a list', encodeCbor([1, 2]), 'BAD_FIELD'],
    ['trailing bytes', Buffer.concat([Buffer.from(ENTRY_HEX, 'hex'), Buffer.of(0)]), 'BAD_ENCODING'],
    ['more than 1024 bytes', Buffer.alloc(1025), 'TOO_LARGE'],
    // A non-shortest integer head for the time: 1b 00000000 00000005 instead of 05.
    ['a long-form integer', Buffer.from(toHex(encodeCbor({ ...good, time: 5 })).replace('6474696d6505', '6474696d651b0000000000000005'), 'hex'), 'BAD_ENCODING'],
  ];
  for (const [what, bytes, code] of cases) assert.throws(() => decodeHeadEntry(bytes), { name: 'FormatError', code }, what);
});

test('head entries order by time, then commit id', () => {
  const e = (time: number, commit: string) => ({ ...FIELDS, time, commit: commit.repeat(32) as CommitId });
  assert.ok(compareHeadEntries(e(2, 'aa'), e(1, 'ff')) > 0);
  assert.ok(compareHeadEntries(e(1, 'ab'), e(1, 'aa')) > 0);
  assert.equal(compareHeadEntries(e(1, 'aa'), e(1, 'aa')), 0);
});
