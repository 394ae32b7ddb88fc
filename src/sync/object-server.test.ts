import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { blake3Hex, type Hash } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { MAX_OBJECT_BYTES, type SyncMessage } from './messages.ts';
import { serveObjects } from './object-server.ts';

const text = (n: number, seed: string): Buffer => Buffer.from(`${seed} and a line of text that repeats\n`.repeat(Math.ceil(n / 20))).subarray(0, n);

test('answers in the order asked: chunks as stored, other kinds raw, then one HAVE_NOT for the absent and the damaged', async () => {
  const store = memoryStore();
  const put = async (kind: 'chunk' | 'tree', bytes: Buffer): Promise<Hash> => {
    const id = blake3Hex(bytes);
    await store.objects.put(kind, id, bytes);
    return id;
  };
  const compressible = await put('chunk', text(100_000, 'a'));
  const random = await put('chunk', randomBytes(300_000));
  const tree = await put('tree', text(5000, 'tree'));
  const damaged = await put('chunk', text(20_000, 'd'));
  store.objects.corrupt(damaged);
  const absent = blake3Hex(Buffer.from('absent'));
  const sent: SyncMessage[] = [];
  const errors: unknown[] = [];
  await serveObjects(store, [compressible, absent, random, damaged, tree], (m) => sent.push(m), (e) => errors.push(e));
  assert.equal(sent.length, 2);
  const [objects, haveNot] = sent;
  assert.ok(objects?.type === 'objects' && haveNot?.type === 'have-not');
  assert.deepEqual(objects.objects.map((o) => o.id), [compressible, random, tree]);
  const [a, r, t] = objects.objects;
  assert.equal(a!.rawLength, 100_000);
  assert.deepEqual(zstdDecompressSync(a!.bytes), Buffer.from(await store.objects.get(compressible)));
  assert.equal(r!.rawLength, undefined, 'an incompressible chunk goes raw');
  assert.deepEqual(Buffer.from(r!.bytes), Buffer.from(await store.objects.get(random)));
  assert.equal(t!.kind, 'tree');
  assert.equal(t!.rawLength, undefined, 'only chunks go as stored');
  assert.deepEqual(haveNot.ids, [absent, damaged]);
  assert.deepEqual(errors.map((e) => (e as { code?: string }).code), ['CORRUPT']);
});

test('splits the answer into OBJECTS messages of at most MAX_OBJECT_BYTES each, keeping the order', async () => {
  const store = memoryStore();
  const ids: Hash[] = [];
  for (let i = 0; i < 12; i++) {
    const bytes = randomBytes(1_000_000);
    ids.push(blake3Hex(bytes));
    await store.objects.put('chunk', ids.at(-1)!, bytes);
  }
  const sent: SyncMessage[] = [];
  await serveObjects(store, ids, (m) => sent.push(m), () => assert.fail('no error expected'));
  assert.ok(sent.length >= 3);
  const got = sent.flatMap((m) => {
    assert.equal(m.type, 'objects');
    if (m.type !== 'objects') return [];
    assert.ok(m.objects.reduce((n, o) => n + o.bytes.length, 0) <= MAX_OBJECT_BYTES);
    return m.objects.map((o) => o.id);
  });
  assert.deepEqual(got, ids);
});
