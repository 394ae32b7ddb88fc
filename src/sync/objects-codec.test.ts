import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeCbor, hashToBytes, type Hash } from '../core/index.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_MESSAGE_BYTES, MAX_OBJECT_BYTES, MAX_WANT_IDS, SYNC_MESSAGE_VERSION } from './messages.ts';
import { OBJECT_KINDS, readObjectsMessage, writeObjectsMessage, type ObjectsRecord } from './objects-codec.ts';

const BOUNDS = { maxRecords: MAX_WANT_IDS, maxObjectBytes: MAX_OBJECT_BYTES, maxMessageBytes: MAX_MESSAGE_BYTES, maxRawLength: MAX_OBJECT_BYTES };

function generic(records: readonly ObjectsRecord[]): Uint8Array {
  return encodeCbor({ t: 'objects', v: SYNC_MESSAGE_VERSION, objects: records.map((o) => [OBJECT_KINDS.indexOf(o.kind), hashToBytes(o.id), o.bytes, ...(o.rawLength === undefined ? [] : [o.rawLength])]) });
}

function record(i: number, size: number): ObjectsRecord {
  return { kind: OBJECT_KINDS[i % 4]!, id: randomBytes(32).toString('hex') as Hash, bytes: new Uint8Array(randomBytes(size)) };
}

/** A chunk record as stored: `size` bytes said to inflate to `rawLength`. */
function stored(size: number, rawLength: number): ObjectsRecord {
  return { ...record(0, size), rawLength };
}

test('the direct encoding is byte for byte the generic canonical one, at every head size', () => {
  const cases: ObjectsRecord[][] = [[], [record(0, 0)], [23, 24, 255, 256, 65_535, 65_536, 1_000_000].map((n, i) => record(i, n)), Array.from({ length: 30 }, (_, i) => record(i, i)),
    [0, 23, 24, 255, 256, 65_535, 65_536, MAX_OBJECT_BYTES].map((n, i) => stored(i * 10, n)), [record(1, 5), stored(7, 100), record(0, 9)]];
  for (const records of cases) {
    const direct = writeObjectsMessage(SYNC_MESSAGE_VERSION, records);
    assert.deepEqual(Buffer.from(direct), Buffer.from(generic(records)));
    assert.deepEqual(readObjectsMessage(SYNC_MESSAGE_VERSION, direct, BOUNDS), records);
    assert.deepEqual(decodeSyncMessage(encodeSyncMessage({ type: 'objects', objects: records })), { type: 'objects', objects: records });
  }
});

test('large object bytes are views of the message, small ones copies', () => {
  const records = [record(0, 1_000_000), record(1, 100)];
  const bytes = writeObjectsMessage(SYNC_MESSAGE_VERSION, records);
  const read = readObjectsMessage(SYNC_MESSAGE_VERSION, bytes, BOUNDS)!;
  assert.equal(read[0]!.bytes.buffer, bytes.buffer);
  assert.notEqual(read[1]!.bytes.buffer, bytes.buffer);
  assert.equal(Object.getPrototypeOf(read[0]!.bytes), Uint8Array.prototype);
  // A small chunk sent as stored stays a view: the store copies or writes it while the fetch window holds it.
  const withStored = writeObjectsMessage(SYNC_MESSAGE_VERSION, [record(0, 1_000_000), stored(100, 400)]);
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, withStored, BOUNDS)![1]!.bytes.buffer, withStored.buffer);
});

test('a non-canonical or out-of-bounds OBJECTS message leaves the fast path and is refused', () => {
  const records = [record(0, 30)];
  const good = Buffer.from(writeObjectsMessage(SYNC_MESSAGE_VERSION, records));
  // The byte-string head of the object (0x58 0x1e, 30 bytes) rewritten in a longer form: 0x59 0x00 0x1e.
  const at = good.length - 30 - 2;
  assert.equal(good[at], 0x58);
  const long = Buffer.concat([good.subarray(0, at), Buffer.from([0x59, 0x00, 0x1e]), good.subarray(at + 2)]);
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, long, BOUNDS), undefined);
  assert.throws(() => decodeSyncMessage(long), (e: unknown) => (e as { code?: string }).code === 'BAD_MESSAGE');
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, Buffer.concat([good, Buffer.from([0])]), BOUNDS), undefined);
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, good, { ...BOUNDS, maxObjectBytes: 29 }), undefined);
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, good.subarray(0, good.length - 1), BOUNDS), undefined);
  const tooMuch = [record(0, MAX_OBJECT_BYTES), record(0, 1)];
  assert.throws(() => decodeSyncMessage(generic(tooMuch)), (e: unknown) => (e as { code?: string }).code === 'TOO_LARGE');
  assert.throws(() => encodeSyncMessage({ type: 'objects', objects: tooMuch }), (e: unknown) => (e as { code?: string }).code === 'TOO_LARGE');
});

test('only a chunk may come compressed, with a raw length within the bound', () => {
  const code = (expected: string) => (e: unknown): boolean => (e as { code?: string }).code === expected;
  const tree = { ...record(1, 10), rawLength: 100 };
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, generic([tree]), BOUNDS), undefined);
  assert.throws(() => decodeSyncMessage(generic([tree])), code('BAD_MESSAGE'));
  assert.throws(() => encodeSyncMessage({ type: 'objects', objects: [tree] }), code('BAD_MESSAGE'));
  const huge = stored(10, MAX_OBJECT_BYTES + 1);
  assert.equal(readObjectsMessage(SYNC_MESSAGE_VERSION, generic([huge]), BOUNDS), undefined);
  assert.throws(() => decodeSyncMessage(generic([huge])), code('BAD_MESSAGE'));
  const id = hashToBytes(record(0, 0).id);
  const five = encodeCbor({ t: 'objects', v: SYNC_MESSAGE_VERSION, objects: [[0, id, Uint8Array.of(1), 1, 1]] });
  assert.throws(() => decodeSyncMessage(five), code('TOO_LARGE'));
  const textLength = encodeCbor({ t: 'objects', v: SYNC_MESSAGE_VERSION, objects: [[0, id, Uint8Array.of(1), '1']] });
  assert.throws(() => decodeSyncMessage(textLength), code('BAD_MESSAGE'));
});
