// The stat cache: an unchanged file is not read again, a changed one is, a cached blob that left the
// store is read again, rows follow the tree, and rows are written only after their data is flushed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, TreeId } from '../core/index.ts';
import { memoryStore, openStore, type Store } from '../store/index.ts';
import { snapshotTree, STAT_CACHE_TABLE } from './index.ts';
import { decodeRow, encodeRow, type FileRow } from './stat-cache.ts';
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

function rowKeys(store: Store): string[] {
  return [...store.cache.table(STAT_CACHE_TABLE).range('')].map(([k]) => k);
}

async function blobOf(store: Store, tree: TreeId, name: string): Promise<string> {
  const e = (await store.typed.getTree(tree)).entries.find((x) => x.name === name);
  assert.ok(e && e.kind === 'file');
  return e.blob;
}

for (const kind of ['memory', 'disk'] as const) {
  test(`an unchanged re-snapshot reads no file content (${kind} store)`, async (t) => {
    const src = makeSource();
    const storeDir = tempDir('store');
    const inner = kind === 'memory' ? memoryStore() : await openStore(storeDir);
    t.after(async () => { await inner.close(); removeDir(src); removeDir(storeDir); });
    const spy = spyStore(inner);
    const first = await snapshotTree(spy.store, { source: src, arena });
    assert.equal(spy.blobWrites, 6);
    assert.equal(first.stats.unchangedFiles, 0);
    // Rows are written after the flush that makes their blobs durable.
    assert.deepEqual(spy.log.slice(-2), ['flush', 'write']);
    for (const [, v] of inner.cache.table(STAT_CACHE_TABLE).range('')) {
      const row = decodeRow(v);
      assert.ok(row);
      if (!row.dir) assert.ok(inner.objects.has(row.file.blob));
    }

    spy.blobWrites = 0;
    const second = await snapshotTree(spy.store, { source: src, arena });
    assert.equal(spy.blobWrites, 0, 'no file was read');
    assert.equal(second.stats.unchangedFiles, 6);
    assert.equal(second.stats.newBytes, 0);
    assert.equal(second.tree, first.tree);

    // Another arena, or the same arena from another root, has its own rows.
    spy.blobWrites = 0;
    await snapshotTree(spy.store, { source: src, arena: otherArena });
    assert.equal(spy.blobWrites, 6);
  });
}

test('a touched file is read again; a same-size edit with the old mtime is caught by ctime', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  await snapshotTree(spy.store, { source: src, arena });

  const a = path.join(src, 'a.txt');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(a, later, later);
  spy.blobWrites = 0;
  const r1 = await snapshotTree(spy.store, { source: src, arena });
  assert.equal(spy.blobWrites, 1);
  assert.equal(r1.stats.unchangedFiles, 5);

  const b = path.join(src, 'b.txt');
  const before = fs.statSync(b);
  const oldBlob = await blobOf(spy.store, r1.tree, 'b.txt');
  fs.writeFileSync(b, fs.readFileSync(b, 'utf8').toUpperCase()); // same size
  fs.utimesSync(b, before.atime, before.mtime);
  spy.blobWrites = 0;
  const r2 = await snapshotTree(spy.store, { source: src, arena });
  assert.equal(spy.blobWrites, 1);
  assert.notEqual(await blobOf(spy.store, r2.tree, 'b.txt'), oldBlob);
});

test('a cached blob that is no longer in the store is read again', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  const r = await snapshotTree(spy.store, { source: src, arena });
  spy.hidden.add(await blobOf(spy.store, r.tree, 'a.txt'));
  spy.blobWrites = 0;
  const r2 = await snapshotTree(spy.store, { source: src, arena });
  assert.equal(spy.blobWrites, 1);
  assert.equal(r2.stats.unchangedFiles, 5);
});

for (const kind of ['memory', 'disk'] as const) test(`rows of vanished files and directories are removed (${kind} store)`, async (t) => {
  const src = makeSource();
  const storeDir = tempDir('store');
  const store = kind === 'memory' ? memoryStore() : await openStore(storeDir);
  t.after(async () => { await store.close(); removeDir(src); removeDir(storeDir); });
  await snapshotTree(store, { source: src, arena });
  const root = path.resolve(src);
  assert.ok(rowKeys(store).includes(`${arena}\0${root}\0gone/y\0z.txt`));
  assert.ok(rowKeys(store).includes(`${arena}\0${root}\0\0a.txt`));

  fs.rmSync(path.join(src, 'gone'), { recursive: true });
  fs.rmSync(path.join(src, 'a.txt'));
  fs.writeFileSync(path.join(src, 'sub', '.lodeignore'), 'deeper/\n');
  await snapshotTree(store, { source: src, arena });
  const keys = rowKeys(store).map((k) => k.split('\0').slice(2).join(' '));
  assert.deepEqual(keys.sort(), [' b.txt', ' sub', 'sub .lodeignore', 'sub c.txt'].sort());
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
  const r = await snapshotTree(spy.store, { source: src, arena });
  assert.deepEqual(r.problems, []);
  assert.equal(r.stats.files, 2);
  spy.blobWrites = 0;
  await snapshotTree(spy.store, { source: src, arena });
  assert.equal(spy.blobWrites, 1, 'only the deep file is read again');
});

test('a file replaced by a directory and back keeps the cache consistent', async (t) => {
  const src = makeSource();
  const spy = spyStore(memoryStore());
  t.after(() => removeDir(src));
  await snapshotTree(spy.store, { source: src, arena });
  fs.rmSync(path.join(src, 'a.txt'));
  fs.mkdirSync(path.join(src, 'a.txt'));
  fs.writeFileSync(path.join(src, 'a.txt', 'inner'), 'inner');
  await snapshotTree(spy.store, { source: src, arena });
  fs.rmSync(path.join(src, 'a.txt'), { recursive: true });
  fs.writeFileSync(path.join(src, 'a.txt'), 'back to a file');
  spy.blobWrites = 0;
  const r = await snapshotTree(spy.store, { source: src, arena });
  assert.equal(spy.blobWrites, 1);
  assert.equal(r.stats.files, 6);
  const keys = rowKeys(spy.store).map((k) => k.split('\0').slice(2).join(' '));
  assert.ok(!keys.includes('a.txt inner'), 'rows below the old directory are gone');
});

test('stat cache rows have one fixed binary layout (fixture bytes); any other bytes are no row', () => {
  const file: FileRow = { size: 1234, mtime: [1_700_000_000, 123_456_789], ctime: [-5, 999_999_999], ino: 2n ** 40n + 7n, blob: 'ab'.repeat(32) as never };
  const bytes = encodeRow({ dir: false, file });
  assert.equal(Buffer.from(bytes).toString('hex'),
    '0200' + '409348000000000041d954fc40000000' + '075bcd15' + 'c014000000000000' + '3b9ac9ff' + '0000010000000007' + 'ab'.repeat(32));
  assert.deepEqual(decodeRow(bytes), { dir: false, file });
  assert.deepEqual(Buffer.from(encodeRow({ dir: true })).toString('hex'), '0201');
  assert.deepEqual(decodeRow(Uint8Array.of(2, 1)), { dir: true });
  // A version-1 (CBOR) row, a truncated row, a wrong kind and an unsafe size are all "read the file again".
  for (const bad of [Buffer.from('a2617601636469720f5', 'hex'), bytes.subarray(0, 73), Uint8Array.of(2, 7), Uint8Array.of(2, 1, 0)]) assert.equal(decodeRow(bad), undefined);
  const huge = Uint8Array.from(bytes);
  new DataView(huge.buffer).setFloat64(2, 2 ** 60);
  assert.equal(decodeRow(huge), undefined);
});
