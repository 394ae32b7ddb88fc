// The conformance suite of the store's ports: every Store implementation (the real one and the in-memory
// fake) must pass it. Call it from a test file with a factory for fresh stores.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { blake3Hex, commitSigningBytes, signBytes, type BlobId, type Commit, type Hash, type Tree } from '../../core/index.ts';
import type { ObjectKind, Store } from '../ports.ts';

export interface StoreHarness {
  store: Store;
  /** Damages the stored bytes of an object (flips one byte), as a bad disk would. */
  corrupt(id: Hash): Promise<void>;
  /** Closes and reopens the store, when the implementation persists; undefined for fakes. */
  reopen?: () => Promise<Store>;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

async function* from(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of src) parts.push(p);
  return Buffer.concat(parts);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

/** Compressible bytes: text-like, so zstd shrinks them. */
function textBytes(n: number): Buffer {
  const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n');
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += line.length) line.copy(b, i);
  return b;
}

export function storeConformance(name: string, factory: StoreFactory): void {
  async function withStore(fn: (h: StoreHarness) => Promise<void>): Promise<void> {
    const h = await factory();
    try {
      await fn(h);
    } finally {
      await h.cleanup();
    }
  }

  describe(`${name}: ObjectStore`, () => {
    it('stores, deduplicates and returns verified bytes of every kind', () => withStore(async ({ store }) => {
      const o = store.objects;
      const kinds: ObjectKind[] = ['chunk', 'tree', 'commit', 'manifest'];
      const stored: [Hash, ObjectKind, Buffer][] = kinds.map((k, i) => {
        const bytes = i % 2 ? randomBytes(100 + i) : textBytes(70_000 + i);
        return [blake3Hex(bytes), k, bytes];
      });
      for (const [id, kind, bytes] of stored) {
        assert.equal(o.has(id), false);
        assert.equal(await o.put(kind, id, bytes), true);
        assert.equal(await o.put(kind, id, bytes), false, 'a second put is deduplicated');
        assert.equal(o.has(id), true);
        assert.equal(o.kind(id), kind);
      }
      for (const [id, kind, bytes] of stored) {
        if (kind === 'manifest') continue; // manifests are checked by decoding; these bytes are not one
        assert.deepEqual(Buffer.from(await o.get(id)), bytes, 'readable before flush');
      }
      await o.flush();
      for (const [id, kind, bytes] of stored) if (kind !== 'manifest') assert.deepEqual(Buffer.from(await o.get(id)), bytes);
      assert.deepEqual([...o.ids()], stored.map(([id]) => id).sort());
    }));

    it('round-trips empty, large incompressible and large compressible chunks', () => withStore(async ({ store }) => {
      for (const bytes of [Buffer.alloc(0), randomBytes(4 << 20), textBytes(4 << 20), Buffer.alloc(1 << 20)]) {
        const id = blake3Hex(bytes);
        await store.objects.put('chunk', id, bytes);
        await store.objects.flush();
        assert.deepEqual(Buffer.from(await store.objects.get(id)), bytes);
      }
    }));

    it('deduplicates concurrent puts of one id', () => withStore(async ({ store }) => {
      const bytes = randomBytes(300_000);
      const id = blake3Hex(bytes);
      const results = await Promise.all([1, 2, 3, 4].map(() => store.objects.put('chunk', id, bytes)));
      assert.deepEqual(results.filter(Boolean).length, 1);
      await store.objects.flush();
      assert.deepEqual([...store.objects.ids()], [id]);
    }));

    it('is not changed by callers mutating what get returned', () => withStore(async ({ store }) => {
      // put may keep the caller's bytes until they are written (ports.ts): callers never change them.
      const bytes = randomBytes(5000);
      const copy = Buffer.from(bytes);
      const id = blake3Hex(bytes);
      await store.objects.put('chunk', id, bytes);
      const got = await store.objects.get(id);
      assert.deepEqual(Buffer.from(got), copy);
      got.fill(1);
      await store.objects.flush();
      assert.deepEqual(Buffer.from(await store.objects.get(id)), copy);
    }));

    it('throws NOT_FOUND for an unknown id and CORRUPT for damaged bytes', () => withStore(async (h) => {
      const o = h.store.objects;
      const unknown = blake3Hex(Buffer.from('nothing'));
      assert.equal(o.kind(unknown), undefined);
      await rejectsWith(o.get(unknown), 'NOT_FOUND');
      const bytes = randomBytes(10_000);
      const id = blake3Hex(bytes);
      await o.put('chunk', id, bytes);
      await o.flush();
      await h.corrupt(id);
      await rejectsWith(o.get(id), 'CORRUPT');
    }));

    it('gives objects as stored, and another store takes them back as they are', () => withStore(async ({ store }) => {
      const other = await factory();
      try {
        const a = store.objects;
        const b = other.store.objects;
        assert.ok(a.getStored && b.putStored && b.getStored, 'both ends of the stored form are implemented');
        const objects: [ObjectKind, Buffer, boolean][] = [
          ['chunk', textBytes(200_000), true], ['chunk', randomBytes(100_000), false], ['chunk', Buffer.alloc(0), false], ['tree', textBytes(3000), true],
        ];
        for (const [kind, bytes] of objects) await a.put(kind, blake3Hex(bytes), bytes);
        for (const [kind, bytes, compressible] of objects) {
          const id = blake3Hex(bytes);
          const stored = await a.getStored(id);
          assert.equal(stored.kind, kind);
          assert.equal(stored.rawLength, bytes.length);
          assert.equal(stored.compressed, compressible);
          if (compressible) assert.ok(stored.bytes.length < bytes.length / 2, 'a compressible object is stored compressed');
          const inflated = stored.compressed ? zstdDecompressSync(stored.bytes) : Buffer.from(stored.bytes);
          assert.deepEqual(inflated, bytes);
          assert.equal(await b.putStored(id, stored), true);
          assert.equal(await b.putStored(id, stored), false, 'a second putStored is deduplicated');
          assert.equal(b.kind(id), kind);
          assert.deepEqual(Buffer.from(await b.get(id)), bytes, 'readable before flush');
        }
        await b.flush();
        for (const [, bytes] of objects) {
          const id = blake3Hex(bytes);
          assert.deepEqual(Buffer.from(await b.get(id)), bytes);
          const again = await b.getStored(id);
          assert.deepEqual(Buffer.from(again.compressed ? zstdDecompressSync(again.bytes) : again.bytes), bytes);
        }
      } finally {
        await other.cleanup();
      }
    }));

    it('getStored throws NOT_FOUND for an unknown id and CORRUPT for damaged bytes', () => withStore(async (h) => {
      const o = h.store.objects;
      assert.ok(o.getStored);
      await rejectsWith(o.getStored(blake3Hex(Buffer.from('nothing'))), 'NOT_FOUND');
      for (const bytes of [textBytes(50_000), randomBytes(50_000), randomBytes(300_000)]) {
        const id = blake3Hex(bytes);
        await o.put('chunk', id, bytes);
        await o.flush();
        await h.corrupt(id);
        await rejectsWith(o.getStored(id), 'CORRUPT');
      }
    }));

    it('completes thousands of concurrent puts, more than its staging room holds at once', () => withStore(async ({ store }) => {
      const all = Array.from({ length: 2000 }, (_, i) => Buffer.concat([Buffer.from(`${i}:`), randomBytes(9000)]));
      const results = await Promise.all(all.map((bytes) => store.objects.put('chunk', blake3Hex(bytes), bytes)));
      assert.equal(results.filter(Boolean).length, all.length);
      await store.objects.flush();
      assert.equal([...store.objects.ids()].length, all.length);
    }));
  });

  describe(`${name}: MetaStore`, () => {
    it('writes atomically and reads ranges in byte order', () => withStore(async ({ store }) => {
      const t = store.meta.table('refs');
      assert.equal(t.get('a'), undefined);
      const keys = ['b', 'a/z', 'a/é', 'a/b', 'a/', 'ab', 'a/b/c'];
      await store.meta.write((w) => {
        keys.forEach((k, i) => w.put('refs', k, new Uint8Array([i])));
        w.put('other', 'a/b', new Uint8Array([99]));
      });
      assert.deepEqual([...t.range('a/')].map(([k]) => k), ['a/', 'a/b', 'a/b/c', 'a/z', 'a/é']);
      assert.deepEqual([...t.range('')].map(([k]) => k), ['a/', 'a/b', 'a/b/c', 'a/z', 'a/é', 'ab', 'b']);
      assert.deepEqual([...t.range('zz')], []);
      assert.deepEqual(t.get('a/b'), new Uint8Array([3]));
      assert.deepEqual(store.meta.table('other').get('a/b'), new Uint8Array([99]));
      await store.meta.write((w) => {
        w.delete('refs', 'a/b');
        w.delete('refs', 'never-there');
        w.put('refs', 'b', new Uint8Array([7, 7]));
      });
      assert.equal(t.get('a/b'), undefined);
      assert.deepEqual(t.get('b'), new Uint8Array([7, 7]));
    }));

    it('runs the write function exclusively: reads inside it see every earlier write', () => withStore(async ({ store }) => {
      const t = store.meta.table('counters');
      const bump = () => store.meta.write((w) => {
        const cur = t.get('n');
        w.put('counters', 'n', new Uint8Array([(cur?.[0] ?? 0) + 1]));
      });
      await Promise.all(Array.from({ length: 20 }, bump));
      assert.deepEqual(t.get('n'), new Uint8Array([20]), 'no increment was lost');
    }));

    it('writes nothing when the write function throws, and copies values', () => withStore(async ({ store }) => {
      await assert.rejects(store.meta.write((w) => {
        w.put('refs', 'x', new Uint8Array([1]));
        throw new RangeError('caller bug');
      }));
      assert.equal(store.meta.table('refs').get('x'), undefined);
      const v = Buffer.from([1, 2, 3]);
      await store.meta.write((w) => w.put('refs', 'x', v));
      v[0] = 9;
      const got = store.meta.table('refs').get('x')!;
      got[1] = 9;
      assert.deepEqual(store.meta.table('refs').get('x'), new Uint8Array([1, 2, 3]));
    }));
  });

  describe(`${name}: Blobs and Objects`, () => {
    it('writes and reads blobs whose id is BLAKE3 of the content', () => withStore(async ({ store }) => {
      const big = Buffer.concat([randomBytes(3 << 20), textBytes(2 << 20)]);
      for (const content of [Buffer.alloc(0), Buffer.from('hello\n'), big]) {
        const r = await store.blobs.write(from(content.subarray(0, 1000), content.subarray(1000)));
        assert.equal(r.id, blake3Hex(content));
        assert.equal(r.size, content.length);
        await store.objects.flush();
        assert.deepEqual(await collect(store.blobs.read(r.id)), content);
        const m = await store.blobs.manifest(r.id);
        assert.equal(m.size, content.length);
        const again = await store.blobs.write(from(content));
        assert.equal(again.newBytes, 0, 'a second write stores nothing new');
      }
      assert.ok((await store.blobs.manifest(blake3Hex<BlobId>(big))).chunks.length > 1);
    }));

    it('reading a blob with a damaged chunk fails with CORRUPT', () => withStore(async (h) => {
      const content = randomBytes(6 << 20);
      const r = await h.store.blobs.write(from(content));
      await h.store.objects.flush();
      const m = await h.store.blobs.manifest(r.id);
      await h.corrupt(m.chunks[m.chunks.length - 1]!.id);
      await rejectsWith(collect(h.store.blobs.read(r.id)), 'CORRUPT');
      await rejectsWith(collect(h.store.blobs.read(blake3Hex<BlobId>(Buffer.from('absent')))), 'NOT_FOUND');
    }));

    it('stores trees and commits by the hash of their encoding', () => withStore(async ({ store }) => {
      const blob = await store.blobs.write(from(Buffer.from('x')));
      const tree: Tree = { entries: [{ kind: 'file', name: 'x', mode: 0o644, mtime: { sec: 1, nsec: 2 }, size: 1, blob: blob.id }] };
      const treeId = await store.typed.putTree(tree);
      assert.deepEqual(await store.typed.getTree(treeId), tree);
      const unsigned = { tree: treeId, parents: [], author: store.identity.nodeId, time: 5, message: 'm' };
      const commit: Commit = { ...unsigned, sig: Uint8Array.from(signBytes(store.identity.secretKey, commitSigningBytes(unsigned))) };
      const commitId = await store.typed.putCommit(commit);
      assert.deepEqual(await store.typed.getCommit(commitId), commit);
      await rejectsWith(store.typed.getTree(commitId as unknown as typeof treeId), 'WRONG_KIND');
      await rejectsWith(store.typed.getCommit(blake3Hex(Buffer.from('none'))), 'NOT_FOUND');
    }));
  });

  describe(`${name}: persistence`, () => {
    it('keeps flushed objects and metadata across a reopen', () => withStore(async (h) => {
      if (!h.reopen) return;
      const bytes = randomBytes(2000);
      const id = blake3Hex(bytes);
      await h.store.objects.put('chunk', id, bytes);
      await h.store.objects.flush();
      await h.store.meta.write((w) => w.put('refs', 'main', new Uint8Array([4])));
      const nodeId = h.store.identity.nodeId;
      const s = await h.reopen();
      assert.equal(s.identity.nodeId, nodeId);
      assert.deepEqual(Buffer.from(await s.objects.get(id)), bytes);
      assert.deepEqual(s.meta.table('refs').get('main'), new Uint8Array([4]));
    }));
  });
}
