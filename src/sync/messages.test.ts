import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCbor, type ArenaId, type Hash } from '../core/index.ts';
import { decodeSyncMessage, encodeSyncMessage, MAX_OBJECT_BYTES, MAX_WANT_IDS, type SyncMessage } from './messages.ts';

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
];

for (const m of samples) {
  test(`${m.type} round-trips`, () => {
    assert.deepEqual(decodeSyncMessage(encodeSyncMessage(m)), m);
  });
}

test('version 1 fixtures still decode', () => {
  const hello = Buffer.from('a361746568656c6c6f617601666172656e6173815820abababababababababababababababababababababababababababababababab', 'hex');
  assert.deepEqual(decodeSyncMessage(hello), { type: 'hello', arenas: ['ab'.repeat(32)] });
  const objects = Buffer.from('a36174676f626a65637473617601676f626a656374738183005820abababababababababababababababababababababababababababababababab43010203', 'hex');
  assert.deepEqual(decodeSyncMessage(objects), { type: 'objects', objects: [{ kind: 'chunk', id: ID, bytes: Uint8Array.of(1, 2, 3) }] });
});

const code = (expected: string) => (e: unknown): boolean => (e as { name?: string }).name === 'SyncError' && (e as { code?: string }).code === expected;

test('strict decoding: unknown type, wrong version, extra or missing fields, bad kinds', () => {
  const raw = (m: Record<string, unknown>) => encodeCbor(m);
  const idBytes = Buffer.from(ID, 'hex');
  assert.throws(() => decodeSyncMessage(raw({ t: 'gossip', v: 1 })), code('UNKNOWN_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 2, ids: [] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 1, ids: [], extra: 1 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 1 })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'want', v: 1, ids: [idBytes.subarray(1)] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'objects', v: 1, objects: [[4, idBytes, Uint8Array.of(1)]] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'objects', v: 1, objects: [[0, idBytes]] })), code('BAD_MESSAGE'));
  assert.throws(() => decodeSyncMessage(raw({ t: 'reconcile', v: 1, arena: idBytes, role: 2, body: Uint8Array.of(0x61) })), code('BAD_MESSAGE'));
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
