import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCbor, type ArenaId, type Hash } from '../core/index.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_HEAD_ENTRIES, MAX_OBJECT_BYTES, MAX_WANT_IDS, type SyncMessage } from './messages.ts';

const ID = 'ab'.repeat(32) as Hash;
const ARENA = 'cd'.repeat(32) as ArenaId;

const samples: SyncMessage[] = [
  { type: 'hello', arenas: [ARENA] },
  { type: 'hello', arenas: [] },
  { type: 'heads', arena: ARENA, entries: [Uint8Array.of(1, 2), new Uint8Array(1024)] },
  { type: 'want-heads', arena: ARENA, ids: [new Uint8Array(32).fill(7)] },
  { type: 'want', ids: [ID, 'ef'.repeat(32) as Hash] },
  { type: 'have-not', ids: [ID] },
  { type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: Uint8Array.of(1, 2, 3) }, { kind: 'manifest', id: ID, bytes: new Uint8Array(0) }] },
  { type: 'reconcile', arena: ARENA, role: 'initiator', body: Uint8Array.of(0x61) },
  { type: 'reconcile', arena: ARENA, role: 'responder', body: Uint8Array.of(0x61, 0) },
  { type: 'log', serial: 1, through: 7, entries: [Uint8Array.of(1, 2), new Uint8Array(1024)] },
  { type: 'log', serial: 0, through: 0, entries: [] },
  { type: 'ack', serial: 1, through: 0 },
  { type: 'ack', serial: Number.MAX_SAFE_INTEGER, through: Number.MAX_SAFE_INTEGER },
];

for (const m of samples) {
  test(`${m.type} round-trips`, () => {
    assert.deepEqual(decodeSyncMessage(encodeSyncMessage(m)), m);
  });
}

test('version 2 fixtures decode; version 1 is refused', () => {
  const hello = Buffer.from('a361746568656c6c6f617602666172656e6173815820abababababababababababababababababababababababababababababababab', 'hex');
  assert.deepEqual(decodeSyncMessage(hello), { type: 'hello', arenas: ['ab'.repeat(32)] });
  const objects = Buffer.from('a36174676f626a65637473617602676f626a656374738183005820abababababababababababababababababababababababababababababababab43010203', 'hex');
  assert.deepEqual(decodeSyncMessage(objects), { type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: Uint8Array.of(1, 2, 3) }] });
  const ack = Buffer.from('a461746361636b6176026673657269616c05677468726f75676819012c', 'hex');
  assert.deepEqual(decodeSyncMessage(ack), { type: 'ack', serial: 5, through: 300 });
  const log = Buffer.from('a56174636c6f676176026673657269616c0467656e747269657381420102677468726f75676807', 'hex');
  assert.deepEqual(decodeSyncMessage(log), { type: 'log', serial: 4, through: 7, entries: [Uint8Array.of(1, 2)] });
  // A chunk as stored: a zstd frame (here 3 bytes, not a real one) and the raw length, 256.
  const stored = Buffer.from('a36174676f626a65637473617602676f626a656374738184005820abababababababababababababababababababababababababababababababab43010203190100', 'hex');
  assert.deepEqual(decodeSyncMessage(stored), { type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: Uint8Array.of(1, 2, 3), rawLength: 256 }] });
  assert.deepEqual(Buffer.from(encodeSyncMessage({ type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: Uint8Array.of(1, 2, 3), rawLength: 256 }] })), stored);
  const v1 = Buffer.from('a461746361636b6176016673657269616c05677468726f75676819012c', 'hex');
  assert.throws(() => decodeSyncMessage(v1), code('BAD_MESSAGE'));
});

test('ACK and LOG decode strictly: garbage, truncation, wrong fields and bounds are coded SyncErrors', () => {
  const raw = (m: Record<string, unknown>) => encodeCbor(m);
  const ack = encodeSyncMessage({ type: 'ack', serial: 5, through: 300 });
  for (let n = 0; n < ack.length; n++) assert.throws(() => decodeSyncMessage(ack.subarray(0, n)), code('BAD_MESSAGE'), `ack cut at ${n}`);
  assert.throws(() => decodeSyncMessage(Uint8Array.from([...ack, 0])), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, through: 3 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, serial: 1, through: -1 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, serial: -1, through: 1 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, serial: 1, through: 1.5 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, serial: 1, through: '3' })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 2, serial: 1, through: 3, entries: [] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'ack', v: 1, serial: 1, through: 3 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'log', v: 2, serial: 1, through: 3 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'log', v: 2, serial: 1, through: 3, entries: ['x'] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'log', v: 2, serial: 1, through: 3, entries: [new Uint8Array(1025)] })), code('TOO_LARGE'));
  assert.throws(() => encodeSyncMessage({ type: 'log', serial: 1, through: 1, entries: Array.from({ length: MAX_HEAD_ENTRIES + 1 }, () => Uint8Array.of(1)) }), code('TOO_LARGE'));
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  assert.throws(() => decodeSyncMessage(garbage), (e: unknown) => (e as { name?: string }).name === 'SyncError');
});

const code = (expected: string) => (e: unknown): boolean => (e as { name?: string }).name === 'SyncError' && (e as { code?: string }).code === expected;

test('strict decoding: unknown type, wrong version, extra or missing fields, bad kinds', () => {
  const raw = (m: Record<string, unknown>) => encodeCbor(m);
  const idBytes = Buffer.from(ID, 'hex');
  assert.throws(() => decodeSyncMessage(raw({ t: 'gossip', v: 2 })), code('UNKNOWN_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 1, ids: [] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 2, ids: [], extra: 1 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 2 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 2, ids: [idBytes.subarray(1)] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'objects', v: 2, objects: [[4, idBytes, Uint8Array.of(1)]] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'objects', v: 2, objects: [[0, idBytes]] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'reconcile', v: 2, arena: idBytes, role: 2, body: Uint8Array.of(0x61) })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(Uint8Array.of(0xa0, 0x00)), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(new Uint8Array(0)), code('BAD_MESSAGE'));
});

test('sizes are bounded on both sides', () => {
  const ids = Array.from({ length: MAX_WANT_IDS + 1 }, () => ID);
  assert.throws(() => encodeSyncMessage({ type: 'want', ids }), code('TOO_LARGE'));
  const big = new Uint8Array(MAX_OBJECT_BYTES / 2 + 1);
  assert.throws(() => encodeSyncMessage({ type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: big }, { kind: 'chunk', id: ID, bytes: big }] }), code('TOO_LARGE'));
  assert.doesNotThrow(() => encodeSyncMessage({ type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: new Uint8Array(MAX_OBJECT_BYTES) }] }));
  assert.throws(() => encodeSyncMessage({ type: 'heads', arena: ARENA, entries: [new Uint8Array(1025)] }), code('TOO_LARGE'));
  assert.throws(() => decodeSyncMessage(new Uint8Array(MAX_OBJECT_BYTES + 512 * 1024)), code('TOO_LARGE'));
});
