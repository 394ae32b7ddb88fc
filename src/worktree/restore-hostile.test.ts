// Hostile and damaged input to restore: symlinks that escape the target, symlinks already in the
// target, a tree that reuses a name, and corrupt data. Nothing may be written outside the target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { encodeCbor, hashToBytes, treeId, type BlobId, type ChunkId, type Mtime, type TreeEntry, type TreeId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { isContainedSymlink, restoreTree, type Problem } from './index.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';

const mtime: Mtime = { sec: 1_700_000_000, nsec: 0 };
const codes = (ps: Problem[]) => ps.map((p) => [p.path, p.code]).sort();

async function fileEntry(store: ReturnType<typeof memoryStore>, name: string, text: string): Promise<TreeEntry> {
  const r = await store.blobs.write((async function* () { yield Buffer.from(text); })());
  return { kind: 'file', name, mode: 0o644, mtime, size: r.size, blob: r.id };
}

const link = (name: string, target: string): TreeEntry => ({ kind: 'symlink', name, mode: 0o777, mtime, target });
const dir = (name: string, tree: TreeId): TreeEntry => ({ kind: 'dir', name, mode: 0o755, mtime, tree });

function setup(t: { after(fn: () => void): void }) {
  const base = tempDir('hostile');
  t.after(() => removeDir(base));
  const target = path.join(base, 'target');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(target);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'victim'), 'original');
  return { base, target, outside };
}

const symlinkCases: { target: string; depth: number; safe: boolean }[] = [
  { target: 'sibling', depth: 0, safe: true },
  { target: './a/b', depth: 0, safe: true },
  { target: '..', depth: 1, safe: true },
  { target: '../x', depth: 0, safe: false },
  { target: '../../x', depth: 1, safe: false },
  { target: '/etc/passwd', depth: 3, safe: false },
  { target: 'a/../../x', depth: 0, safe: false },
  // Lexically inside, but `s` may itself be a link to `../..`: a `..` after a name is refused.
  { target: 's/../x', depth: 2, safe: false },
  { target: '', depth: 0, safe: false },
];
for (const c of symlinkCases) {
  test(`symlink ${JSON.stringify(c.target)} at depth ${c.depth} is ${c.safe ? 'contained' : 'refused'}`, () => {
    assert.equal(isContainedSymlink(c.target, c.depth), c.safe);
  });
}

test('escaping symlinks in a hand-built tree are refused and not created', async (t) => {
  const { target, outside } = setup(t);
  const store = memoryStore();
  const sub = await store.typed.putTree({ entries: [link('up1', '../ok.txt'), link('up2', '../../x')] });
  const root = await store.typed.putTree({ entries: [link('abs', path.join(outside, 'victim')), await fileEntry(store, 'ok.txt', 'ok'), dir('sub', sub)] });
  const r = await restoreTree(store, { tree: root, target });
  assert.deepEqual(codes(r.problems), [['abs', 'UNSAFE_SYMLINK'], ['sub/up2', 'UNSAFE_SYMLINK']]);
  assert.ok(!fs.existsSync(path.join(target, 'abs')) && !fs.existsSync(path.join(target, 'sub/up2')));
  assert.equal(fs.readlinkSync(path.join(target, 'sub/up1')), '../ok.txt');

  const allowed = await restoreTree(store, { tree: root, target: path.join(target, '..', 'allowed'), allowUnsafeSymlinks: true });
  assert.deepEqual(allowed.problems, []);
  assert.equal(allowed.stats.symlinks, 3);
});

test('restore never writes through symlinks already in the target', async (t) => {
  const { target, outside } = setup(t);
  const store = memoryStore();
  const inner = await store.typed.putTree({ entries: [await fileEntry(store, 'victim', 'written by restore')] });
  const root = await store.typed.putTree({ entries: [dir('d', inner), await fileEntry(store, 'f', 'new file')] });
  // The target already holds d -> outside (a directory) and f -> outside/victim (a file).
  fs.symlinkSync(outside, path.join(target, 'd'));
  fs.symlinkSync(path.join(outside, 'victim'), path.join(target, 'f'));
  const r = await restoreTree(store, { tree: root, target });
  assert.deepEqual(r.problems, []);
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  assert.ok(fs.lstatSync(path.join(target, 'd')).isDirectory());
  assert.ok(fs.lstatSync(path.join(target, 'f')).isFile());
  assert.equal(fs.readFileSync(path.join(target, 'd', 'victim'), 'utf8'), 'written by restore');
});

test('a symlink a -> outside followed by an entry under a/ cannot write outside', async (t) => {
  const { target, outside } = setup(t);
  const store = memoryStore();
  // First restore plants a -> outside (allowed by the user), a second restore then brings a/victim.
  const first = await store.typed.putTree({ entries: [link('a', outside)] });
  await restoreTree(store, { tree: first, target, allowUnsafeSymlinks: true });
  assert.equal(fs.readlinkSync(path.join(target, 'a')), outside);
  const inner = await store.typed.putTree({ entries: [await fileEntry(store, 'victim', 'pwned')] });
  const second = await store.typed.putTree({ entries: [dir('a', inner)] });
  await restoreTree(store, { tree: second, target });
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');

  // One tree cannot hold both: a hand-encoded tree reusing the name `a` is refused when decoded.
  const hostile = encodeCbor({ t: 'tree', v: 1, e: [
    { n: 'a', k: 2, m: 0o777, t: [mtime.sec, mtime.nsec], l: outside },
    { n: 'a', k: 1, m: 0o755, t: [mtime.sec, mtime.nsec], id: hashToBytes(inner) },
  ] });
  const hostileId = treeId(hostile);
  await store.objects.put('tree', hostileId, hostile);
  const wrapper = await store.typed.putTree({ entries: [dir('w', hostileId)] });
  const target2 = path.join(target, '..', 'second');
  const r = await restoreTree(store, { tree: wrapper, target: target2 });
  assert.deepEqual(codes(r.problems), [['w', 'CORRUPT']]);
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  assert.deepEqual(fs.readdirSync(path.join(target2, 'w')), []);
});

test('a corrupt blob is a CORRUPT problem, leaves nothing under its name, and the rest is restored', async (t) => {
  const { target } = setup(t);
  const store = memoryStore();
  const good = await fileEntry(store, 'good', 'fine content');
  const bad = await fileEntry(store, 'bad', 'this chunk will rot');
  // A multi-chunk blob with one rotten chunk in the middle.
  const big = Buffer.alloc(6 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const bigBlob = await store.blobs.write((async function* () { yield big; })());
  const manifest = await store.blobs.manifest(bigBlob.id);
  assert.ok(manifest.chunks.length > 1);
  store.objects.corrupt(bad.kind === 'file' ? bad.blob : ('' as BlobId));
  store.objects.corrupt(manifest.chunks[1]!.id as ChunkId);
  const root = await store.typed.putTree({ entries: [
    bad, { kind: 'file', name: 'big', mode: 0o644, mtime, size: bigBlob.size, blob: bigBlob.id }, good,
  ] });
  fs.writeFileSync(path.join(target, 'bad'), 'the old file of that name');
  const r = await restoreTree(store, { tree: root, target });
  assert.deepEqual(codes(r.problems), [['bad', 'CORRUPT'], ['big', 'CORRUPT']]);
  assert.equal(fs.readFileSync(path.join(target, 'bad'), 'utf8'), 'the old file of that name', 'the old file was not replaced by bad bytes');
  assert.ok(!fs.existsSync(path.join(target, 'big')));
  assert.equal(fs.readFileSync(path.join(target, 'good'), 'utf8'), 'fine content');
  assert.deepEqual(fs.readdirSync(target).sort(), ['bad', 'good'], 'no temporary file is left');
});

test('a file already in the target is replaced by a new inode, never written through (a hard link to outside stays intact)', async (t) => {
  const { target, outside } = setup(t);
  const store = memoryStore();
  const entry = { ...(await fileEntry(store, 'f', 'restored bytes')), mode: 0o640 };
  const root = await store.typed.putTree({ entries: [entry, await fileEntry(store, 'fresh', 'new name')] });
  fs.linkSync(path.join(outside, 'victim'), path.join(target, 'f'));
  const r = await restoreTree(store, { tree: root, target });
  assert.deepEqual(r.problems, []);
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  assert.equal(fs.readFileSync(path.join(target, 'f'), 'utf8'), 'restored bytes');
  assert.equal(fs.readFileSync(path.join(target, 'fresh'), 'utf8'), 'new name');
  for (const name of ['f', 'fresh']) {
    const st = fs.lstatSync(path.join(target, name));
    assert.equal(st.nlink, 1);
    assert.equal(st.mtimeMs, mtime.sec * 1000);
  }
  assert.equal(fs.lstatSync(path.join(target, 'f')).mode & 0o7777, 0o640);
  assert.deepEqual(fs.readdirSync(target).sort(), ['f', 'fresh'], 'no temporary file is left');
});
