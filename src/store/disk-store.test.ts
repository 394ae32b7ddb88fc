// openStore: first use creates the layout, config and node identity (key mode 0600); later opens keep
// the identity; a store of another format version is refused.
import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { publicKeyOf, toHex } from '../core/index.ts';
import { openStore } from './disk-store.ts';
import { tempDir } from './testing/disk-harness.ts';
import { startChild } from './testing/child.ts';

describe('openStore', () => {
  it('keeps the cache where it is told, and in memory for this run when that place cannot be used', async () => {
    const dir = await tempDir();
    try {
      const cacheDir = join(dir, 'elsewhere', 'cache');
      const s = await openStore(join(dir, 'store'), { cacheDir });
      assert.equal(s.cacheProblem, undefined);
      await s.cache.write((w) => w.put('statcache', 'k', new Uint8Array([1])));
      await s.close();
      assert.ok((await stat(join(cacheDir, 'data.mdb'))).isFile(), 'the cache is an LMDB env at cacheDir');
      // A file where the cache directory should be: the store still opens, with a memory cache.
      await writeFile(join(dir, 'blocked'), 'not a directory');
      const t = await openStore(join(dir, 'store'), { cacheDir: join(dir, 'blocked', 'cache') });
      assert.match(t.cacheProblem ?? '', /cannot open the cache/);
      await t.cache.write((w) => w.put('statcache', 'k', new Uint8Array([2])));
      assert.deepEqual(t.cache.table('statcache').get('k'), new Uint8Array([2]));
      await t.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates the store and the node identity on first use, and keeps them', async () => {
    const dir = join(await tempDir(), 'nested', 'store');
    try {
      const s = await openStore(dir);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'node.key'))).mode & 0o777, 0o600);
      assert.equal((await readFile(join(dir, 'node_id'), 'utf8')).trim(), s.identity.nodeId);
      assert.equal(toHex(publicKeyOf(s.identity.secretKey)), s.identity.nodeId);
      assert.deepEqual(JSON.parse(await readFile(join(dir, 'config'), 'utf8')), { format: 'lode-store', version: 1 });
      await s.close();
      await writeFile(join(dir, 'node_id'), 'stale\n');
      const again = await openStore(dir);
      assert.equal(again.identity.nodeId, s.identity.nodeId);
      assert.equal((await readFile(join(dir, 'node_id'), 'utf8')).trim(), s.identity.nodeId, 'node_id is rewritten on open');
      await again.close();
      await again.close(); // closing twice is harmless
    } finally {
      await rm(join(dir, '..', '..'), { recursive: true, force: true });
    }
  });

  it('refuses an unknown format version and a directory that is not a lode store', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir, 'config'), JSON.stringify({ format: 'lode-store', version: 2 }));
      await assert.rejects(openStore(dir), { code: 'UNSUPPORTED_VERSION' });
      await writeFile(join(dir, 'config'), JSON.stringify({ format: 'something-else', version: 1 }));
      await assert.rejects(openStore(dir), { code: 'BAD_CONFIG' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes read-check-write in MetaStore.write atomic across processes', async () => {
    const dir = await tempDir();
    try {
      const children = [startChild(dir, 'count'), startChild(dir, 'count')];
      await Promise.all(children.map((c) => c.waitFor('counted')));
      await Promise.all(children.map((c) => c.exited));
      const s = await openStore(dir);
      assert.equal(Buffer.from(s.meta.table('counters').get('n')!).readUInt32BE(0), 100, 'no increment was lost');
      await s.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
