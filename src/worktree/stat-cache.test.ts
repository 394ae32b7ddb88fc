// The stat cache: an unchanged file is not read again and an unchanged directory is not stored again, a
// changed one is (new size, new mtime, same-size edit, a name added under an unchanged directory mtime),
// a cached object that left the store is read again, records follow the tree, damaged records are misses,
// files written just before the snapshot are not trusted (racy git), and records are written only after
// their data is flushed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, TreeId } from '../core/index.ts';
import { lookupPath } from '../history/index.ts';
import { memoryStore, openStore, type Store } from '../store/index.ts';
import { snapshotTree, STAT_CACHE_TABLE, type SnapshotOptions } from './index.ts';
import { DirRecord } from './dir-record.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';
import { spyStore } from './testing/spy-store.ts';

const arena = 'd'.repeat(64) as ArenaId;
const otherArena = 'e'.repeat(64) as ArenaId;

function makeSource(): string {
  const src = tempDir('src');
  for (const rel of ['a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/d.txt', 'gone/x.txt', 'gone/y/z.txt']) {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), `content of ${rel}\n`);
  }
  return src;
}

/** A snapshot that trusts files written just before it (the tests write them just before). */
function snap(store: Store, source: string, more: Partial<SnapshotOptions> = {}): ReturnType<typeof snapshotTree> {
  return snapshotTree(store, { source, arena, racyWindowMs: 0, ...more });
}

/** The directories that have a record, relative to the root ('' is the root). */
function recordDirs(store: Store): string[] {
  return [...store.cache.table(STAT_CACHE_TABLE).range('')].map(([k]) => k.split('\0')[2]!).sort();
}

async function blobAt(store: Store, tree: TreeId, p: string): Promise<string> {
  const e = await lookupPath(store, tree, p);
  assert.ok(e && e.kind === 'file');
  return e.blob;
}

for (const kind of ['memory', 'disk'] as const) {
  test(`an unchanged re-snapshot reads no file and stores no tree (${kind} store)`, async (t) => {
    const src = makeSource();
    const storeDir = tempDir('store');
    const inner = kind === 'memory' ? memoryStore() : await openStore(storeDir);
    t.after(async () => { await inner.close(); removeDir(src); removeDir(storeDir); });
    const spy = spyStore(inner);
    const first = await snap(spy.store, src);
    assert.equal(spy.blobWrites, 6);
    assert.equal(first.stats.unchangedFiles, 0);
    // Records are written after the flush that makes their blobs and trees durable.
    assert.deepEqual(spy.log.slice(-2), ['flush', 'write']);
    assert.deepEqual(recordDirs(inner), ['', 'gone', 'gone/y', 'sub', 'sub/deeper']);
    for (const [, v] of inner.cache.table(STAT_CACHE_TABLE).range('')) {
      const r = DirRecord.decode(v);
      assert.ok(r?.tree !== undefined && inner.objects.has(r.tree));
    }

    spy.blobWrites = 0;
    spy.log.length = 0;
    const second = await snap(spy.store, src);
    assert.equal(spy.blobWrites, 0, 'no file was read');
    assert.deepEqual(spy.log.filter((l) => l !== 'flush'), [], 'no tree was stored, no record written');
    assert.equal(second.stats.unchangedFiles, 6);
    assert.deepEqual([second.stats.files, second.stats.dirs, second.stats.newBytes], [6, 5, 0]);
    assert.equal(second.tree, first.tree);

    // Another arena, or the same arena from another root, has its own records.
    spy.blobWrites = 0;
    await snap(spy.store, src, { arena: otherArena });
    assert.equal(spy.blobWrites, 6);
  });
}

test('changes are found: a new mtime, a same-size edit with the old mtime (ctime), a name added under an unchanged directory mtime', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  const r0 = await snap(spy.store, src);

  // Same content, new mtime: read again, and the tree records the new mtime.
  const a = path.join(src, 'a.txt');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(a, later, later);
  spy.blobWrites = 0;
  const r1 = await snap(spy.store, src);
  assert.equal(spy.blobWrites, 1);
  assert.equal(r1.stats.unchangedFiles, 5);
  assert.notEqual(r1.tree, r0.tree);

  // Same size, new content, the old mtime put back: ctime still tells.
  const d = path.join(src, 'sub', 'deeper', 'd.txt');
  const before = fs.statSync(d);
  const oldBlob = await blobAt(spy.store, r1.tree, 'sub/deeper/d.txt');
  fs.writeFileSync(d, fs.readFileSync(d, 'utf8').toUpperCase());
  fs.utimesSync(d, before.atime, before.mtime);
  spy.blobWrites = 0;
  const r2 = await snap(spy.store, src);
  assert.equal(spy.blobWrites, 1);
  assert.notEqual(await blobAt(spy.store, r2.tree, 'sub/deeper/d.txt'), oldBlob);

  // Same size, new content, new mtime (a plain write).
  fs.writeFileSync(d, 'CONTENT OF SUB/DEEPER/D.TXt\n');
  const r3 = await snap(spy.store, src);
  assert.notEqual(await blobAt(spy.store, r3.tree, 'sub/deeper/d.txt'), await blobAt(spy.store, r2.tree, 'sub/deeper/d.txt'));

  // A new file in a directory whose mtime is put back: the names are compared, not the directory's mtime.
  const sub = path.join(src, 'sub');
  const subStat = fs.statSync(sub);
  fs.writeFileSync(path.join(sub, 'new.txt'), 'new\n');
  fs.utimesSync(sub, subStat.atime, subStat.mtime);
  const r4 = await snap(spy.store, src);
  assert.ok(await lookupPath(spy.store, r4.tree, 'sub/new.txt'));
  // And a removed one, mtime put back again.
  fs.rmSync(path.join(sub, 'c.txt'));
  fs.utimesSync(sub, subStat.atime, subStat.mtime);
  const r5 = await snap(spy.store, src);
  const subEntry = await lookupPath(spy.store, r5.tree, 'sub');
  assert.ok(subEntry?.kind === 'dir');
  assert.deepEqual((await spy.store.typed.getTree(subEntry.tree)).entries.map((e) => e.name), ['deeper', 'new.txt']);
  assert.equal((await snap(spy.store, src)).tree, r5.tree);
});

test('a changed symlink target is found; an unchanged one keeps the directory unchanged', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  fs.symlinkSync('a.txt', path.join(src, 'sub', 'link'));
  const r0 = await snap(spy.store, src);
  spy.log.length = 0;
  assert.equal((await snap(spy.store, src)).tree, r0.tree);
  assert.ok(!spy.log.includes('put tree'));
  fs.rmSync(path.join(src, 'sub', 'link'));
  fs.symlinkSync('b.txt', path.join(src, 'sub', 'link'));
  const r1 = await snap(spy.store, src);
  const link = await lookupPath(spy.store, r1.tree, 'sub/link');
  assert.ok(link?.kind === 'symlink' && link.target === 'b.txt');
});

test('files written just before a snapshot are stored but read again next time (racy git)', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  const r0 = await snapshotTree(spy.store, { source: src, arena, racyWindowMs: 60_000 });
  spy.blobWrites = 0;
  const r1 = await snapshotTree(spy.store, { source: src, arena, racyWindowMs: 60_000 });
  assert.equal(spy.blobWrites, 6, 'none of the six was trusted');
  assert.equal(r1.tree, r0.tree);
  // Once the window has passed (here: a window of 0), what the next read sees is trusted.
  await snap(spy.store, src);
  spy.blobWrites = 0;
  await snap(spy.store, src);
  assert.equal(spy.blobWrites, 0);
});

test('a cached blob or tree that is no longer in the store is stored again', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  const r = await snap(spy.store, src);
  // The root tree gone: the root is stored again from its record, no file read.
  spy.hidden.add(r.tree);
  spy.blobWrites = 0;
  spy.log.length = 0;
  assert.equal((await snap(spy.store, src)).tree, r.tree);
  assert.equal(spy.blobWrites, 0);
  assert.equal(spy.log.filter((l) => l === 'put tree').length, 1);
  // A blob gone too: that file is read again.
  spy.hidden.add(await blobAt(spy.store, r.tree, 'a.txt'));
  spy.blobWrites = 0;
  const r2 = await snap(spy.store, src);
  assert.equal(spy.blobWrites, 1);
  assert.equal(r2.stats.unchangedFiles, 5);
  assert.equal(r2.tree, r.tree);
});

test('a damaged record is a cache miss, then rewritten', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  const r = await snap(spy.store, src);
  const key = `${arena}\0${path.resolve(src)}\0sub`;
  const good = spy.store.cache.table(STAT_CACHE_TABLE).get(key)!;
  await spy.store.cache.write((w) => w.put(STAT_CACHE_TABLE, key, good.subarray(0, good.length - 3)));
  spy.blobWrites = 0;
  assert.equal((await snap(spy.store, src)).tree, r.tree);
  assert.equal(spy.blobWrites, 1, 'sub/c.txt is read again');
  assert.deepEqual(spy.store.cache.table(STAT_CACHE_TABLE).get(key), good);
});

for (const kind of ['memory', 'disk'] as const) test(`records of vanished and ignored directories are removed (${kind} store)`, async (t) => {
  const src = makeSource();
  const storeDir = tempDir('store');
  const store = kind === 'memory' ? memoryStore() : await openStore(storeDir);
  t.after(async () => { await store.close(); removeDir(src); removeDir(storeDir); });
  // Rows of the previous layout (one per file) are deleted with the root's first record.
  const oldKey = `${arena}\0${path.resolve(src)}\0\0a.txt`;
  await store.cache.write((w) => w.put('statcache', oldKey, Uint8Array.of(2, 1)));
  await snap(store, src);
  assert.equal(store.cache.table('statcache').get(oldKey), undefined);
  assert.deepEqual(recordDirs(store), ['', 'gone', 'gone/y', 'sub', 'sub/deeper']);

  fs.rmSync(path.join(src, 'gone'), { recursive: true });
  fs.writeFileSync(path.join(src, 'sub', '.lodeignore'), 'deeper/\n');
  await snap(store, src);
  assert.deepEqual(recordDirs(store), ['', 'sub']);
});

test('a path too long for a meta key is snapshotted, just not cached', async (t) => {
  const src = tempDir('src');
  const storeDir = tempDir('store');
  const store = await openStore(storeDir);
  t.after(async () => { await store.close(); removeDir(src); removeDir(storeDir); });
  let deep = src;
  for (let i = 0; i < 6; i++) deep = path.join(deep, String(i).repeat(200));
  fs.mkdirSync(deep, { recursive: true });
  fs.writeFileSync(path.join(deep, 'f'), 'deep');
  fs.writeFileSync(path.join(src, 'shallow'), 'shallow');
  const spy = spyStore(store);
  const r = await snap(spy.store, src);
  assert.deepEqual(r.problems, []);
  assert.equal(r.stats.files, 2);
  spy.blobWrites = 0;
  assert.equal((await snap(spy.store, src)).tree, r.tree);
  assert.equal(spy.blobWrites, 1, 'only the deep file is read again');
});

test('a file replaced by a directory and back keeps the cache consistent', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  await snap(spy.store, src);
  fs.rmSync(path.join(src, 'a.txt'));
  fs.mkdirSync(path.join(src, 'a.txt'));
  fs.writeFileSync(path.join(src, 'a.txt', 'inner'), 'inner');
  await snap(spy.store, src);
  assert.ok(recordDirs(spy.store).includes('a.txt'));
  fs.rmSync(path.join(src, 'a.txt'), { recursive: true });
  fs.writeFileSync(path.join(src, 'a.txt'), 'back to a file');
  spy.blobWrites = 0;
  const r = await snap(spy.store, src);
  assert.equal(spy.blobWrites, 1);
  assert.equal(r.stats.files, 6);
  assert.ok(!recordDirs(spy.store).includes('a.txt'), 'the record of the old directory is gone');
});
