// Blobs.writeFile: a codec worker reads, cuts and hashes an open file; the result must be exactly what
// the streaming write gives for the same bytes (ids, chunk boundaries), and a failed read must say why.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blake3, toHex, StoreError } from '../core/index.ts';
import { openStore } from './disk-store.ts';
import { createBlobs } from './blobs.ts';
import { CHUNK_MIN, chunkStream } from './chunker.ts';
import type { ObjectStore } from './ports.ts';
import { tempDir } from './testing/disk-harness.ts';

/** Random runs mixed with repeated text, so some chunks compress and some do not. */
function content(size: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const part = i % 2 === 0 ? randomBytes(700_000 + i * 1000) : Buffer.from('lode chunk text '.repeat(60_000 + i * 100));
    parts.push(part);
    n += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

describe('Blobs.writeFile', () => {
  for (const size of [0, 300_000, 1_500_000, 4 * 1024 * 1024, 13_000_123]) {
    it(`stores a file of ${size} bytes exactly as the streaming write does`, async () => {
      const dir = await tempDir();
      try {
        const bytes = content(size);
        const file = join(dir, 'f.bin');
        writeFileSync(file, bytes);
        const a = await openStore(join(dir, 'a'));
        const b = await openStore(join(dir, 'b'));
        assert.ok(a.blobs.writeFile, 'the disk store has worker threads here');
        const fd = openSync(file, 'r');
        let viaWorker;
        try {
          viaWorker = await a.blobs.writeFile(fd);
          // The worker read to the end of the file, through this descriptor's position.
          assert.equal(readSync(fd, Buffer.alloc(1), 0, 1, null), 0);
        } finally {
          closeSync(fd);
        }
        const streamed = await b.blobs.write((async function* () {
          for (let at = 0; at < bytes.length; at += 3_000_000) yield bytes.subarray(at, at + 3_000_000);
        })());
        assert.deepEqual(viaWorker, streamed);
        assert.equal(viaWorker.id, toHex(blake3(bytes)), 'the blob id is BLAKE3 of the whole content');
        assert.deepEqual(await a.blobs.manifest(viaWorker.id), await b.blobs.manifest(streamed.id));
        await a.objects.flush();
        assert.ok((await collect(a.blobs.read(viaWorker.id))).equals(bytes));
        await a.close();
        await b.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  for (const saysWhen of [true, false]) {
    it(saysWhen
      ? 'frees each cut buffer once the store has written it, and the blob reads back whole'
      : 'never frees the bytes of a store that does not say when it let go of them', async () => {
      const dir = await tempDir();
      try {
        const bytes = content(9_000_000);
        const file = join(dir, 'f.bin');
        writeFileSync(file, bytes);
        const s = await openStore(join(dir, 'store'));
        const given: Uint8Array[] = [];
        const disk = s.objects;
        const spy: ObjectStore = {
          has: (id) => disk.has(id), kind: (id) => disk.kind(id), get: (id) => disk.get(id), ids: () => disk.ids(), flush: () => disk.flush(),
          put: (kind, id, b) => { given.push(b); return disk.put(kind, id, b); },
          ...(saysWhen ? { released: (id: string) => disk.released(id as never) } : {}),
        };
        const blobs = createBlobs(spy, chunkStream, CHUNK_MIN);
        const fd = openSync(file, 'r');
        let written;
        try {
          written = await blobs.writeFile!(fd);
        } finally {
          closeSync(fd);
        }
        await disk.flush();
        const chunks = given.filter((b) => b !== given.at(-1)); // the last put is the manifest
        assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
        if (saysWhen) assert.deepEqual(chunks.map((b) => b.buffer.byteLength), chunks.map(() => 0), 'every chunk buffer detached');
        else assert.ok(chunks.every((b) => b.length > 0), 'no chunk buffer detached');
        assert.ok((await collect(s.blobs.read(written.id))).equals(bytes));
        await s.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('rejects with SOURCE_READ and the system error code when the file cannot be read', async () => {
    const dir = await tempDir();
    try {
      const s = await openStore(join(dir, 'store'));
      mkdirSync(join(dir, 'd'));
      const fd = openSync(join(dir, 'd'), 'r');
      try {
        await assert.rejects(s.blobs.writeFile!(fd), (e: unknown) => {
          assert.ok(e instanceof StoreError);
          assert.equal(e.code, 'SOURCE_READ');
          assert.equal((e.cause as { code?: string }).code, 'EISDIR');
          return true;
        });
      } finally {
        closeSync(fd);
      }
      await s.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
