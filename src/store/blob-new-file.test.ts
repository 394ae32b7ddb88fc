// Blobs.writeNewFile: a codec worker writes one-chunk blobs into new files, in batches; each chunk is
// verified before its file is created, a name that exists is left alone, and a failed write removes what
// it created and says why.
import assert from 'node:assert/strict';
import { constants, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StoreError, type BlobId } from '../core/index.ts';
import { openStore, type DiskStore } from './disk-store.ts';
import { flipPackByte, tempDir } from './testing/disk-harness.ts';

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const MTIME = 1_700_000_000.5;

async function withStore(fn: (s: DiskStore, dir: string, put: (text: string) => Promise<BlobId>) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    const s = await openStore(join(dir, 'store'));
    const put = async (text: string): Promise<BlobId> => {
      const r = await s.blobs.write((async function* () { yield Buffer.from(text); })());
      await s.objects.flush();
      return r.id;
    };
    await fn(s, dir, put);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const meta = (size: number) => ({ size, mode: 0o640, mtime: MTIME, createFlags: CREATE });

describe('Blobs.writeNewFile', () => {
  it('writes a batch of files with their bytes, mode and mtime', async () => {
    await withStore(async (s, dir, put) => {
      const texts = Array.from({ length: 150 }, (_, i) => `file ${i} `.repeat(i + 1));
      const ids = await Promise.all(texts.map(put));
      const out = join(dir, 'out');
      mkdirSync(out);
      // Started together: they go to the workers in batches.
      const results = await Promise.all(ids.map((id, i) => s.blobs.writeNewFile!(join(out, `f${i}`), id, meta(texts[i]!.length))));
      assert.deepEqual(new Set(results), new Set(['written']));
      for (let i = 0; i < texts.length; i++) {
        const p = join(out, `f${i}`);
        assert.equal(readFileSync(p, 'utf8'), texts[i]);
        const st = lstatSync(p);
        assert.equal(st.mode & 0o777, 0o640);
        assert.equal(st.mtimeMs, MTIME * 1000);
      }
    });
  });

  it('leaves a name that exists alone, and declines what it cannot take', async () => {
    await withStore(async (s, dir, put) => {
      const id = await put('new bytes');
      const p = join(dir, 'there');
      writeFileSync(p, 'old bytes');
      assert.equal(await s.blobs.writeNewFile!(p, id, meta(9)), 'exists');
      assert.equal(readFileSync(p, 'utf8'), 'old bytes');
      // A multi-chunk blob is readInto's work.
      const big = await s.blobs.write((async function* () { yield Buffer.alloc(9_000_000, 7); })());
      await s.objects.flush();
      assert.equal(await s.blobs.writeNewFile!(join(dir, 'big'), big.id, meta(9_000_000)), undefined);
      assert.equal(existsSync(join(dir, 'big')), false);
    });
  });

  it('refuses a damaged chunk or a wrong size with CORRUPT, creating nothing', async () => {
    await withStore(async (s, dir, put) => {
      const id = await put('bytes that will be damaged on disk');
      const good = await put('good');
      await assert.rejects(s.blobs.writeNewFile!(join(dir, 'wrong-size'), good, meta(5)), (e: unknown) => e instanceof StoreError && e.code === 'CORRUPT');
      await flipPackByte(s, id as never);
      await assert.rejects(s.blobs.writeNewFile!(join(dir, 'damaged'), id, meta(34)), (e: unknown) => e instanceof StoreError && e.code === 'CORRUPT');
      assert.deepEqual(readdirSync(dir).filter((n) => n !== 'store'), []);
    });
  });

  it('reports a failed create as TARGET_WRITE with the system error code', async () => {
    await withStore(async (s, dir, put) => {
      const id = await put('bytes');
      await assert.rejects(s.blobs.writeNewFile!(join(dir, 'no-such-dir', 'f'), id, meta(5)), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'TARGET_WRITE');
        assert.equal((e.cause as { code?: string }).code, 'ENOENT');
        return true;
      });
    });
  });
});
