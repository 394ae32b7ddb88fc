// Snapshot then restore, on both store kinds: byte-identical content, modes, mtimes, symlinks, empty
// directories and unicode names; and restores of one subtree or one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { blake3Hex, compareNames, type ArenaId } from '../core/index.ts';
import { restoreTree, snapshotTree } from './index.ts';
import { buildSampleTree, compareDirs, removeDir, storeKinds, tempDir, isRoot } from './testing/fixtures.ts';

const arena = 'a'.repeat(64) as ArenaId;

for (const kind of storeKinds) {
  test(`round trip through the ${kind.name} store`, async (t) => {
    const src = tempDir('src');
    const dst = tempDir('dst');
    const { store, cleanup } = await kind.open();
    t.after(async () => { await cleanup(); removeDir(src); removeDir(dst); });
    buildSampleTree(src);

    const progress: unknown[] = [];
    const snap = await snapshotTree(store, { source: src, arena, onProgress: (p) => progress.push(p) });
    assert.deepEqual(snap.problems, []);
    assert.equal(snap.stats.files, isRoot ? 11 : 10);
    assert.equal(snap.stats.symlinks, 3);
    assert.equal(snap.stats.dirs, 10); // root, bin, a, a/b, a/b/c, a/empty-inner, é, é/日本, empty-dir, ro-dir
    assert.ok(snap.stats.newBytes < snap.stats.bytes, 'the duplicate 9 MiB file is stored once');
    assert.ok(progress.length >= 1);

    // Entries are sorted by UTF-8 bytes, and the root records what the source holds.
    const rootTree = await store.typed.getTree(snap.tree);
    const names = rootTree.entries.map((e) => e.name);
    assert.deepEqual(names, [...names].sort(compareNames));
    const hello = rootTree.entries.find((e) => e.name === 'hello.txt');
    assert.ok(hello && hello.kind === 'file');
    assert.equal(hello.blob, blake3Hex(fs.readFileSync(path.join(src, 'hello.txt'))), 'blob id is b3sum of the content');
    assert.deepEqual(hello.mtime, { sec: 1_600_000_000, nsec: Number(fs.lstatSync(path.join(src, 'hello.txt'), { bigint: true }).mtimeNs % 1_000_000_000n) });
    const secret = rootTree.entries.find((e) => e.name === 'secret');
    assert.equal(secret?.mode, 0o600);

    const rest = await restoreTree(store, { tree: snap.tree, target: dst });
    assert.deepEqual(rest.problems, []);
    assert.equal(rest.stats.files, snap.stats.files);
    assert.equal(rest.stats.symlinks, 3);
    assert.deepEqual(compareDirs(src, dst), []);
    assert.deepEqual(fs.readdirSync(dst).filter((n) => n.startsWith('.lode-tmp')), [], 'no temporary files left');
  });

  test(`restore of one subtree and of one file (${kind.name} store)`, async (t) => {
    const src = tempDir('src');
    const dst = tempDir('dst');
    const { store, cleanup } = await kind.open();
    t.after(async () => { await cleanup(); removeDir(src); removeDir(dst); });
    buildSampleTree(src);
    const { tree } = await snapshotTree(store, { source: src, arena });

    const sub = path.join(dst, 'sub');
    const r1 = await restoreTree(store, { tree, target: sub, path: 'a/b' });
    // up-link points two levels up: inside the whole tree, but outside this restore's target.
    assert.deepEqual(r1.problems.map((p) => [p.path, p.code]), [['a/b/up-link', 'UNSAFE_SYMLINK']]);
    assert.deepEqual(compareDirs(path.join(src, 'a/b'), sub), [{ path: 'up-link', what: 'missing in second' }]);

    const one = path.join(dst, 'one');
    const r = await restoreTree(store, { tree, target: one, path: '/é/日本/🎉.txt' });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(fs.readdirSync(one), ['🎉.txt']);
    assert.equal(fs.readFileSync(path.join(one, '🎉.txt'), 'utf8'), 'unicode ✓\n');

    await assert.rejects(restoreTree(store, { tree, target: one, path: 'a/nope' }), { code: 'NO_SUCH_PATH' });
    await assert.rejects(restoreTree(store, { tree, target: one, path: 'hello.txt/x' }), { code: 'NO_SUCH_PATH' });
    await assert.rejects(restoreTree(store, { tree, target: path.join(one, '🎉.txt') }), { code: 'NOT_A_DIRECTORY' });
  });
}

for (const kind of storeKinds) {
  test(`restore overwrites files already in the target (${kind.name} store)`, async (t) => {
    const src = tempDir('src');
    const dst = tempDir('dst');
    const { store, cleanup } = await kind.open();
    t.after(async () => { await cleanup(); removeDir(src); removeDir(dst); });
    fs.writeFileSync(path.join(src, 'f'), 'new content');
    const { tree } = await snapshotTree(store, { source: src, arena });
    fs.writeFileSync(path.join(dst, 'f'), 'old content that is longer');
    fs.writeFileSync(path.join(dst, 'other'), 'kept');
    await restoreTree(store, { tree, target: dst });
    assert.equal(fs.readFileSync(path.join(dst, 'f'), 'utf8'), 'new content');
    assert.equal(fs.readFileSync(path.join(dst, 'other'), 'utf8'), 'kept');

    // A directory where the tree has a file is not removed: a problem, and no temporary file left.
    const dst2 = path.join(dst, 'second');
    fs.mkdirSync(path.join(dst2, 'f'), { recursive: true });
    fs.writeFileSync(path.join(dst2, 'f', 'precious'), 'keep me');
    const r = await restoreTree(store, { tree, target: dst2 });
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['f', 'TARGET_CONFLICT']]);
    assert.deepEqual(fs.readdirSync(dst2), ['f']);
    assert.equal(fs.readFileSync(path.join(dst2, 'f', 'precious'), 'utf8'), 'keep me');
  });
}

test('snapshot refuses a missing source and a file as source', async (t) => {
  const dir = tempDir('src');
  const { store, cleanup } = await storeKinds[0]!.open();
  t.after(async () => { await cleanup(); removeDir(dir); });
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  await assert.rejects(snapshotTree(store, { source: path.join(dir, 'missing'), arena }), { code: 'NO_SUCH_SOURCE' });
  await assert.rejects(snapshotTree(store, { source: path.join(dir, 'f'), arena }), { code: 'NOT_A_DIRECTORY' });
  fs.symlinkSync(dir, path.join(dir, 'link-to-root'));
  const viaLink = await snapshotTree(store, { source: path.join(dir, 'link-to-root'), arena });
  assert.deepEqual((await store.typed.getTree(viaLink.tree)).entries.map((e) => [e.name, e.kind]), [['f', 'file'], ['link-to-root', 'symlink']]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(snapshotTree(store, { source: dir, arena, signal: ac.signal }), { code: 'ABORTED' });
});
