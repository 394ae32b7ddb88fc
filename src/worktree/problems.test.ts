// What a snapshot reports and goes on past: unreadable files and directories, names that are not
// UTF-8, sockets, files that change or vanish while the walk runs; and what stops it: abort, store failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { blake3Hex, StoreError, type ArenaId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { snapshotTree, type Problem } from './index.ts';
import { readFileBlob } from './file-reader.ts';
import { isRoot, removeDir, tempDir, treePaths } from './testing/fixtures.ts';
import { spyStore } from './testing/spy-store.ts';

const arena = '1'.repeat(64) as ArenaId;
const child = path.join(import.meta.dirname, 'testing', 'snapshot-child.ts');

const codes = (ps: Problem[]) => ps.map((p) => [p.path, p.code]).sort();

function hasSetpriv(): boolean {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Root reads a chmod 000 file regardless, so as root the walk runs in a child process as `nobody`.
test('unreadable files and directories are reported and left out', { skip: isRoot && !hasSetpriv() ? 'SKIPPED LOUDLY: running as root without setpriv, cannot drop privileges to make a file unreadable' : false }, () => {
  const src = tempDir('src');
  try {
    fs.chmodSync(src, 0o755);
    fs.writeFileSync(path.join(src, 'ok.txt'), 'fine');
    fs.writeFileSync(path.join(src, 'secret.txt'), 'hidden');
    fs.mkdirSync(path.join(src, 'locked'));
    fs.writeFileSync(path.join(src, 'locked', 'x'), 'x');
    fs.mkdirSync(path.join(src, 'sub'));
    fs.writeFileSync(path.join(src, 'sub', 'fine.txt'), 'fine');
    fs.chmodSync(path.join(src, 'secret.txt'), 0o000);
    fs.chmodSync(path.join(src, 'locked'), 0o000);
    const cmd = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, child, src] : [process.execPath, child, src];
    const out = JSON.parse(execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' })) as { uid: number; problems: Problem[]; paths: string[] };
    assert.notEqual(out.uid, 0, 'the walk ran unprivileged');
    assert.deepEqual(codes(out.problems), [['locked', 'UNREADABLE'], ['secret.txt', 'UNREADABLE']]);
    assert.deepEqual(out.paths, ['ok.txt', 'sub', 'sub/fine.txt']);
  } finally {
    removeDir(src);
  }
});

test('names that are not UTF-8 and sockets are skipped with a problem', async (t) => {
  const src = tempDir('src');
  const server = net.createServer();
  t.after(() => { server.close(); removeDir(src); });
  fs.writeFileSync(path.join(src, 'good-\uFFFD-name'), 'a valid name with U+FFFD in it');
  fs.writeFileSync(Buffer.concat([Buffer.from(path.join(src, 'bad-')), Buffer.from([0xff, 0xfe])]), 'x');
  await new Promise<void>((resolve) => server.listen(path.join(src, 'sock'), resolve));
  const store = memoryStore();
  const r = await snapshotTree(store, { source: src, arena });
  assert.deepEqual(codes(r.problems), [['bad-\uFFFD\uFFFD', 'BAD_NAME'], ['sock', 'UNSUPPORTED_TYPE']]);
  assert.deepEqual(await treePaths(store, r.tree), ['good-\uFFFD-name']);
});

const changes: { name: string; change: (file: string) => void; size: (old: number) => number }[] = [
  { name: 'grows', change: (f) => fs.appendFileSync(f, ' and more'), size: (old) => old + ' and more'.length },
  { name: 'is touched', change: (f) => fs.utimesSync(f, new Date(1e12), new Date(1e12)), size: (old) => old },
  { name: 'shrinks', change: (f) => fs.truncateSync(f, 2), size: () => 2 },
];
// Small files are read in one synchronous read, large ones streamed: both paths check.
const sizes = [{ label: 'small', bytes: 5 }, { label: 'large', bytes: 3 * 1024 * 1024 }];

for (const c of changes) {
  for (const sz of sizes) {
    test(`a ${sz.label} file that ${c.name} after its lstat is read as it is now and flagged as changed`, async (t) => {
      const src = tempDir('src');
      t.after(() => removeDir(src));
      const file = path.join(src, 'f');
      fs.writeFileSync(file, Buffer.alloc(sz.bytes, 0x61));
      const before = fs.lstatSync(file, { bigint: true });
      c.change(file);
      const r = await readFileBlob(memoryStore().blobs, file, before);
      assert.equal(r.changed, true);
      assert.equal(r.blob.size, c.size(sz.bytes));
      assert.equal(r.blob.id, blake3Hex(fs.readFileSync(file)));
      const unchanged = await readFileBlob(memoryStore().blobs, file, fs.lstatSync(file, { bigint: true }));
      assert.equal(unchanged.changed, false);
    });
  }
}

test('a file that changes while it is read is a problem, what was read is stored, and it gets no cache row', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  const file = path.join(src, 'f');
  fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 0x61));
  // A large file's blob write starts after open and before the first read: the moment to change it.
  let armed = true;
  const spy = spyStore(memoryStore(), { beforeBlobWrite: () => { if (armed) fs.appendFileSync(file, 'more'); armed = false; } });
  const r = await snapshotTree(spy.store, { source: src, arena });
  assert.deepEqual(codes(r.problems), [['f', 'CHANGED_DURING_READ']]);
  const entry = (await spy.store.typed.getTree(r.tree)).entries[0];
  assert.ok(entry && entry.kind === 'file');
  assert.equal(entry.size, 3 * 1024 * 1024 + 4, 'what was read is recorded');
  spy.blobWrites = 0;
  const again = await snapshotTree(spy.store, { source: src, arena });
  assert.deepEqual(again.problems, []);
  assert.equal(spy.blobWrites, 1, 'read again: no stat cache row was kept for it');
});

test('a file that vanishes between listing and lstat is reported as VANISHED', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  fs.writeFileSync(path.join(src, 'stays'), 's');
  fs.writeFileSync(path.join(src, 'goes'), 'g');
  // The walk reads the directory's stat cache record after listing it and before the lstat of its entries.
  const spy = spyStore(memoryStore(), { onRead: () => fs.rmSync(path.join(src, 'goes'), { force: true }) });
  const r = await snapshotTree(spy.store, { source: src, arena });
  assert.deepEqual(codes(r.problems), [['goes', 'VANISHED']]);
  assert.deepEqual(await treePaths(spy.store, r.tree), ['stays']);
});

test('an abort during the walk stops it with ABORTED and leaves no task running', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(src, `f${i}`), `file ${i}`);
  const ac = new AbortController();
  const spy = spyStore(memoryStore(), { beforeBlobWrite: (n) => { if (n === 3) ac.abort(); } });
  await assert.rejects(snapshotTree(spy.store, { source: src, arena, signal: ac.signal, concurrency: 2 }), { code: 'ABORTED' });
  const writes = spy.blobWrites;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(spy.blobWrites, writes, 'nothing was written after the call returned');
  assert.ok(writes < 50);
});

test('a store failure fails the snapshot (it is not a per-file problem) and writes no stat cache rows', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(src, `f${i}`), `file ${i}`);
  const spy = spyStore(memoryStore(), { beforeBlobWrite: (n) => { if (n === 5) throw new StoreError('DISK_FULL', 'simulated full disk'); } });
  await assert.rejects(snapshotTree(spy.store, { source: src, arena }), { code: 'DISK_FULL' });
  assert.ok(!spy.log.includes('write'), 'no stat cache row was written');
});
