// Tests the three-way tree merge: one test per rule, then properties over random histories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConflictEntry, FileEntry, TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { readConflict, writeConflict, type ConflictSides, type PlainEntry } from './conflict-entry.ts';
import { listConflicts } from './conflicts.ts';
import { lookupPath, walkTree } from './paths.ts';
import { editTree } from './tree-edit.ts';
import { MAX_TEXT_MERGE_BYTES, mergeTrees } from './tree-merge.ts';

/** A leaf: text (a string), raw bytes, or a symlink; with a mode and an mtime in seconds. */
type Leaf = string | { bytes?: Uint8Array; text?: string; link?: string; mode?: number; mtime?: number };

async function leaf(store: Store, spec: Leaf): Promise<PlainEntry> {
  const s = typeof spec === 'string' ? { text: spec } : spec;
  const mtime = { sec: s.mtime ?? 1_700_000_000, nsec: 0 };
  if (s.link !== undefined) return { kind: 'symlink', name: 'x', mode: s.mode ?? 0o777, mtime, target: s.link };
  const bytes = s.bytes ?? Buffer.from(s.text ?? '');
  const { id, size } = await store.blobs.write((async function* () { yield bytes; })());
  return { kind: 'file', name: 'x', mode: s.mode ?? 0o644, mtime, size, blob: id };
}

async function build(store: Store, files: Record<string, Leaf>): Promise<TreeId> {
  const edits = new Map<string, TreeEntry | null>();
  for (const [path, spec] of Object.entries(files)) edits.set(path, await leaf(store, spec));
  return editTree(store, undefined, edits);
}

async function text(store: Store, e: TreeEntry | undefined): Promise<string> {
  assert.equal(e?.kind, 'file');
  const parts: Uint8Array[] = [];
  for await (const p of store.blobs.read((e as FileEntry).blob)) parts.push(p);
  return Buffer.concat(parts).toString('latin1');
}

async function at(store: Store, root: TreeId, path: string): Promise<TreeEntry | undefined> {
  try {
    const e = await lookupPath(store, root, path);
    return e.kind === 'dir' && e.name === '' ? undefined : e as TreeEntry;
  } catch (e) {
    if ((e as { code?: string }).code === 'NO_SUCH_PATH') return undefined;
    throw e;
  }
}

async function sidesAt(store: Store, root: TreeId, path: string): Promise<ConflictSides> {
  const e = await at(store, root, path);
  assert.equal(e?.kind, 'conflict', `${path} should be a conflict`);
  return readConflict(store, e as ConflictEntry);
}

/** Content without name and mtime, to compare entries by what they hold. */
function content(e: TreeEntry | undefined): unknown {
  if (e === undefined) return undefined;
  const { name: _n, mtime: _m, ...rest } = e;
  return rest;
}

/** A store that records which trees and how many blobs were read. */
function counting(inner: Store): { store: Store; trees: Set<string>; blobReads: () => number } {
  const trees = new Set<string>();
  let blobReads = 0;
  const store: Store = {
    ...inner,
    typed: {
      getTree: (id) => { trees.add(id); return inner.typed.getTree(id); },
      putTree: (t) => inner.typed.putTree(t),
      getCommit: (id) => inner.typed.getCommit(id),
      putCommit: (c) => inner.typed.putCommit(c),
    },
    blobs: {
      read: (id) => { blobReads++; return inner.blobs.read(id); },
      write: (s) => inner.blobs.write(s),
      manifest: (id) => inner.blobs.manifest(id),
    },
  };
  return { store, trees, blobReads: () => blobReads };
}

const lines = (...items: string[]): string => items.map((s) => `${s}\n`).join('');

test('a change on one side is taken, deletions included; the same change on both sides is taken once', async () => {
  const store = memoryStore();
  const base = await build(store, { keep: 'k\n', ours: 'o\n', theirs: 't\n', both: 'b\n', gone: 'g\n' });
  const ours = await build(store, { keep: 'k\n', ours: 'O\n', theirs: 't\n', both: { text: 'B\n', mtime: 5 } });
  const theirs = await build(store, { keep: 'k\n', ours: 'o\n', theirs: 'T\n', both: { text: 'B\n', mtime: 9 }, gone: 'g\n', added: 'a\n' });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, []);
  const got: Record<string, string> = {};
  for await (const { path, entry } of walkTree(store, tree)) got[path] = await text(store, entry);
  assert.deepEqual(got, { added: 'a\n', both: 'B\n', keep: 'k\n', ours: 'O\n', theirs: 'T\n' });
  assert.deepEqual((await at(store, tree, 'both'))?.mtime, { sec: 9, nsec: 0 }, 'the later mtime, whichever side has it');
});

test('text changed on both sides merges line by line: clean into a new blob with the later mtime', async () => {
  const store = memoryStore();
  const base = await build(store, { f: lines('1', '2', '3', '4', '5') });
  const ours = await build(store, { f: { text: lines('one', '2', '3', '4', '5'), mtime: 20 } });
  const theirs = await build(store, { f: { text: lines('1', '2', '3', '4', 'five'), mtime: 10 } });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, []);
  const f = await at(store, tree, 'f');
  assert.equal(await text(store, f), lines('one', '2', '3', '4', 'five'));
  assert.deepEqual(f?.mtime, { sec: 20, nsec: 0 });
});

test('overlapping text changes become a conflict entry: base, ours, theirs, and work with markers', async () => {
  const store = memoryStore();
  const base = await build(store, { d: { text: '' }, 'dir/f': lines('a', 'b', 'c') });
  const ours = await build(store, { d: { text: '' }, 'dir/f': { text: lines('a', 'OURS', 'c'), mtime: 3 } });
  const theirs = await build(store, { d: { text: '' }, 'dir/f': { text: lines('a', 'THEIRS', 'c'), mtime: 4 } });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs, { oursLabel: 'main', theirsLabel: 'peer' });
  assert.deepEqual(conflicts, ['dir/f']);
  const sides = await sidesAt(store, tree, 'dir/f');
  assert.deepEqual(sides.base, await at(store, base, 'dir/f'));
  assert.deepEqual(sides.ours, await at(store, ours, 'dir/f'));
  assert.deepEqual(sides.theirs, await at(store, theirs, 'dir/f'));
  assert.equal(await text(store, sides.work), 'a\n<<<<<<< main\nOURS\n=======\nTHEIRS\n>>>>>>> peer\nc\n');
  assert.deepEqual(sides.work.mtime, { sec: 4, nsec: 0 });
});

test('bytes that are not UTF-8 survive a text merge unchanged', async () => {
  const store = memoryStore();
  const raw = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  const base = await build(store, { f: { bytes: raw([0xff, 0xfe], '\n2\n3\n') } });
  const ours = await build(store, { f: { bytes: raw([0xff, 0xfe, 0xe9], '\n2\n3\n') } });
  const theirs = await build(store, { f: { bytes: raw([0xff, 0xfe], '\n2\n', [0xc3], '\n') } });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, []);
  assert.equal(await text(store, await at(store, tree, 'f')), raw([0xff, 0xfe, 0xe9], '\n2\n', [0xc3], '\n').toString('latin1'));
});

test('a mode change on one side is kept with the other side\'s content; different mode changes conflict', async () => {
  const store = memoryStore();
  const base = await build(store, { f: lines('1', '2', '3') });
  const ours = await build(store, { f: { text: lines('1', '2', '3'), mode: 0o755 } });
  const theirs = await build(store, { f: lines('1', '2', 'three') });
  const clean = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(clean.conflicts, []);
  const f = await at(store, clean.tree, 'f');
  assert.equal(f?.mode, 0o755);
  assert.equal(await text(store, f), lines('1', '2', 'three'));

  const theirs2 = await build(store, { f: { text: lines('one', '2', '3'), mode: 0o600 } });
  const ours2 = await build(store, { f: { text: lines('1', '2', 'three'), mode: 0o755 } });
  const clash = await mergeTrees(store, base, ours2, theirs2);
  assert.deepEqual(clash.conflicts, ['f']);
  const sides = await sidesAt(store, clash.tree, 'f');
  assert.equal(await text(store, sides.work), lines('one', '2', 'three'), 'work shows the merged content');
  assert.equal(sides.work.mode, 0o755, 'with ours\' mode');
  assert.equal(sides.theirs?.mode, 0o600);
});

test('binary files changed on both sides conflict, the work side keeping ours whole; no text merge is tried', async () => {
  const store = memoryStore();
  const base = await build(store, { b: { bytes: Uint8Array.of(1, 0, 2) } });
  const ours = await build(store, { b: { bytes: Uint8Array.of(1, 0, 3) } });
  const theirs = await build(store, { b: { bytes: Uint8Array.of(1, 0, 4) } });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, ['b']);
  const sides = await sidesAt(store, tree, 'b');
  assert.deepEqual(sides.work, await at(store, ours, 'b'));
  assert.deepEqual(sides.theirs, await at(store, theirs, 'b'));
});

test('files larger than the text-merge limit conflict without being read', async () => {
  const inner = memoryStore();
  const big = async (t: string): Promise<TreeId> => {
    const e = await leaf(inner, t);
    return editTree(inner, undefined, new Map([['big', { ...e, size: MAX_TEXT_MERGE_BYTES + 1 } as TreeEntry]]));
  };
  const [base, ours, theirs] = [await big('a\nb\n'), await big('A\nb\n'), await big('a\nB\n')];
  const { store, blobReads } = counting(inner);
  const { conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, ['big']);
  assert.equal(blobReads(), 0);
});

test('modify/delete, add/add, file against directory and symlink clashes keep both sides', async () => {
  const store = memoryStore();
  const base = await build(store, { md: 'm\n', dm: 'm\n', fd: 'f\n', link: { link: 'one' } });
  const ours = await build(store, { md: 'M\n', aa: 'ours\n', same: 'same\n', 'fd/inner': 'x\n', link: { link: 'two' } });
  const theirs = await build(store, { dm: 'M\n', aa: 'theirs\n', same: 'same\n', fd: 'F\n', link: { link: 'three' } });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, ['aa', 'dm', 'fd', 'link', 'md']);
  const md = await sidesAt(store, tree, 'md');
  assert.equal(md.theirs, undefined);
  assert.deepEqual(md.work, await at(store, ours, 'md'));
  const dm = await sidesAt(store, tree, 'dm');
  assert.equal(dm.ours, undefined);
  assert.deepEqual(dm.work, await at(store, theirs, 'dm'), 'with ours deleted, work keeps theirs');
  const aa = await sidesAt(store, tree, 'aa');
  assert.equal(aa.base, undefined);
  assert.equal(await text(store, aa.work), 'ours\n', 'add/add is not merged line by line');
  const fd = await sidesAt(store, tree, 'fd');
  assert.equal(fd.ours?.kind, 'dir');
  assert.equal(fd.theirs?.kind, 'file');
  assert.equal(fd.base?.kind, 'file');
  const link = await sidesAt(store, tree, 'link');
  assert.deepEqual([link.base, link.ours, link.theirs].map((e) => (e?.kind === 'symlink' ? e.target : e?.kind)), ['one', 'two', 'three']);
  assert.equal(await text(store, await at(store, tree, 'same')), 'same\n', 'identical additions never conflict');
});

test('a directory deleted on one side: files changed inside on the other conflict, the rest goes', async () => {
  const store = memoryStore();
  const base = await build(store, { 'd/changed': 'c\n', 'd/touched': 't\n', 'd/same': 's\n', 'e/x': 'x\n', keep: 'k\n' });
  const ours = await build(store, { 'd/changed': 'C\n', 'd/touched': { text: 't\n', mtime: 5 }, 'd/same': 's\n', 'e/x': { text: 'x\n', mtime: 5 }, keep: 'k\n' });
  const theirs = await build(store, { keep: 'k\n' });
  for (const [o, t] of [[ours, theirs], [theirs, ours]] as const) {
    const { tree, conflicts } = await mergeTrees(store, base, o, t);
    assert.deepEqual(conflicts, ['d/changed']);
    const paths: string[] = [];
    for await (const { path } of walkTree(store, tree)) paths.push(path);
    assert.deepEqual(paths, ['d', 'd/changed', 'keep'], 'a directory with only mtimes touched is deleted');
    const sides = await sidesAt(store, tree, 'd/changed');
    assert.equal(await text(store, (o === ours ? sides.ours : sides.theirs)), 'C\n');
    assert.equal(o === ours ? sides.theirs : sides.ours, undefined);
  }
});

test('a symlink changed on one side only is taken', async () => {
  const store = memoryStore();
  const base = await build(store, { l: { link: 'a' }, f: '1\n' });
  const ours = await build(store, { l: { link: 'b' }, f: '1\n' });
  const theirs = await build(store, { l: { link: 'a' }, f: '2\n' });
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, []);
  assert.deepEqual(content(await at(store, tree, 'l')), content(await at(store, ours, 'l')));
});

test('directories merge recursively; subtrees with the same id on two sides are never read', async () => {
  const inner = memoryStore();
  const shared = { 'big/a': 'a\n', 'big/deep/b': 'b\n' };
  const base = await build(inner, { ...shared, 'd/x': 'x\n', 'd/y': 'y\n', 'only-ours/z': 'z\n' });
  const ours = await build(inner, { ...shared, 'd/x': 'X\n', 'd/y': 'y\n', 'only-ours/z': 'Z\n' });
  const theirs = await build(inner, { ...shared, 'd/x': 'x\n', 'd/y': 'Y\n', 'd/new': 'n\n', 'only-ours/z': 'z\n' });
  const { store, trees, blobReads } = counting(inner);
  const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
  assert.deepEqual(conflicts, []);
  const big = await at(inner, base, 'big');
  const onlyOurs = await at(inner, ours, 'only-ours');
  assert.ok(big?.kind === 'dir' && !trees.has(big.tree), 'an unchanged subtree is not read');
  assert.ok(onlyOurs?.kind === 'dir' && !trees.has(onlyOurs.tree), 'a subtree changed on one side is taken unread');
  assert.equal(blobReads(), 0, 'no blob is read when no text merge is needed');
  const got: Record<string, string> = {};
  for await (const { path, entry } of walkTree(inner, tree)) if (entry.kind === 'file') got[path] = await text(inner, entry);
  assert.deepEqual(got, { 'big/a': 'a\n', 'big/deep/b': 'b\n', 'd/new': 'n\n', 'd/x': 'X\n', 'd/y': 'Y\n', 'only-ours/z': 'Z\n' });
});

test('directory mode changes merge like file modes; a clash takes the union of the bits', async () => {
  const store = memoryStore();
  const withMode = async (mode: number, file: string): Promise<TreeId> => {
    const f = await leaf(store, file);
    const inner = await editTree(store, undefined, new Map([['f', f]]));
    return editTree(store, undefined, new Map([['d', { kind: 'dir', name: 'd', mode, mtime: { sec: 0, nsec: 0 }, tree: inner } as TreeEntry]]));
  };
  const base = await withMode(0o755, 'b\n');
  const one = await mergeTrees(store, base, await withMode(0o700, 'b\n'), await withMode(0o755, 'c\n'));
  assert.equal((await at(store, one.tree, 'd'))?.mode, 0o700);
  const both = await mergeTrees(store, base, await withMode(0o700, 'b\n'), await withMode(0o750, 'c\n'));
  assert.equal((await at(store, both.tree, 'd'))?.mode, 0o750);
  assert.deepEqual(both.conflicts, []);
});

test('a conflict entry as a side is opaque: it becomes a side of the new conflict, work is its own work side', async () => {
  const store = memoryStore();
  const base = await build(store, { f: 'base\n' });
  const first = await mergeTrees(store, base, await build(store, { f: 'ours\n' }), await build(store, { f: 'theirs\n' }));
  const inner = await at(store, first.tree, 'f');
  const later = await build(store, { f: 'later\n' });
  const { tree, conflicts } = await mergeTrees(store, base, first.tree, later);
  assert.deepEqual(conflicts, ['f']);
  const sides = await sidesAt(store, tree, 'f');
  assert.deepEqual(sides.ours, inner);
  assert.deepEqual(sides.work, (await readConflict(store, inner as ConflictEntry)).work);
  // An unchanged conflict on one side stays as it is and is not reported as new.
  const untouched = await mergeTrees(store, base, first.tree, await build(store, { f: 'base\n', g: 'g\n' }));
  assert.deepEqual(untouched.conflicts, []);
  assert.deepEqual(await at(store, untouched.tree, 'f'), inner);
});

test('undefined trees stand for the empty tree', async () => {
  const store = memoryStore();
  const x = await build(store, { f: 'f\n' });
  assert.equal((await mergeTrees(store, undefined, undefined, x)).tree, x);
  assert.equal((await mergeTrees(store, undefined, x, undefined)).tree, x);
  const empty = (await mergeTrees(store, x, undefined, undefined)).tree;
  assert.deepEqual((await store.typed.getTree(empty)).entries, []);
  const addAdd = await mergeTrees(store, undefined, x, await build(store, { f: 'g\n' }));
  assert.deepEqual(addAdd.conflicts, ['f']);
});

// ---- Properties over random histories ----

const PATHS = ['a', 'b', 'c', 'a/a', 'a/b', 'c/a', 'c/a/b', 'c/b'];
const LINES = ['1\n', '2\n', '3\n', '4\n', '5\n'];

type Content = { text: string } | { bin: number } | { link: string };
type Model = Map<string, { content: Content; mode: number }>;
type Op =
  | { op: 'set'; path: string; content: Content; mode: number }
  | { op: 'delete'; path: string }
  | { op: 'edit'; pick: number; line: number; replacement: string | null };

const contentArb: fc.Arbitrary<Content> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...LINES), { maxLength: 6 }).map((l) => ({ text: l.join('') })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((bin) => ({ bin })) },
  { weight: 1, arbitrary: fc.constantFrom('x', 'y').map((link) => ({ link })) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...PATHS), content: contentArb, mode: fc.constantFrom(0o644, 0o644, 0o755) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('edit' as const), pick: fc.nat(), line: fc.nat(), replacement: fc.option(fc.constantFrom('6\n', '7\n', '8\n')) }) },
);
const opsArb = fc.array(opArb, { maxLength: 6 });

const under = (p: string, q: string): boolean => p === q || p.startsWith(`${q}/`);

function apply(model: Model, ops: Op[]): Model {
  const m: Model = new Map(model);
  for (const op of ops) {
    if (op.op === 'set') {
      for (const p of [...m.keys()]) if (under(p, op.path) || under(op.path, p)) m.delete(p);
      m.set(op.path, { content: op.content, mode: op.mode });
    } else if (op.op === 'delete') {
      for (const p of [...m.keys()]) if (under(p, op.path)) m.delete(p);
    } else {
      const texts = [...m.entries()].filter(([, v]) => 'text' in v.content);
      if (texts.length === 0) continue;
      const [path, v] = texts[op.pick % texts.length]!;
      const ls = (v.content as { text: string }).text.split(/(?<=\n)/).filter((l) => l !== '');
      const i = op.line % (ls.length + 1);
      if (op.replacement === null) ls.splice(i, 1);
      else ls.splice(i, 1, op.replacement);
      m.set(path, { ...v, content: { text: ls.join('') } });
    }
  }
  return m;
}

async function storeModel(store: Store, model: Model, mtime: number): Promise<TreeId> {
  const edits = new Map<string, TreeEntry | null>();
  for (const [path, { content: c, mode }] of model) {
    const spec: Leaf = 'text' in c ? { text: c.text, mode, mtime } : 'bin' in c ? { bytes: Uint8Array.of(0, c.bin, 0), mode, mtime } : { link: c.link, mtime };
    edits.set(path, await leaf(store, spec));
  }
  return editTree(store, undefined, edits);
}

const historyArb = fc.record({ base: opsArb, ours: opsArb, theirs: opsArb });

async function randomHistory(store: Store, h: { base: Op[]; ours: Op[]; theirs: Op[] }) {
  const seeds = PATHS.slice(0, 3).map((path): Op => ({ op: 'set', path, content: { text: '1\n2\n3\n4\n' }, mode: 0o644 }));
  const base = apply(new Map(), [...seeds, ...h.base]);
  const models = { base, ours: apply(base, h.ours), theirs: apply(base, h.theirs) };
  return {
    models,
    base: await storeModel(store, models.base, 100),
    ours: await storeModel(store, models.ours, 200),
    theirs: await storeModel(store, models.theirs, 300),
  };
}

/** What the model holds at and below `q`, to tell whether a side changed that part of the tree. */
function subtree(model: Model, q: string): string {
  return JSON.stringify([...model.entries()].filter(([p]) => under(p, q)).sort());
}

/**
 * The entry at `path` in the merged tree, or the conflict on the way to it (at the path or above).
 */
async function resolvePath(store: Store, root: TreeId, path: string): Promise<{ entry?: TreeEntry; conflictAt?: string; conflict?: ConflictEntry }> {
  const parts = path.split('/');
  let tree: TreeId | undefined = root;
  for (let i = 0; i < parts.length; i++) {
    if (tree === undefined) return {};
    const e: TreeEntry | undefined = (await store.typed.getTree(tree)).entries.find((x) => x.name === parts[i]);
    if (e === undefined) return {};
    if (e.kind === 'conflict') return { conflictAt: parts.slice(0, i + 1).join('/'), conflict: e };
    if (i === parts.length - 1) return { entry: e };
    tree = e.kind === 'dir' ? e.tree : undefined;
  }
  return {};
}

test('property: every change that does not conflict is kept, and untouched paths keep the base', async () => {
  await fc.assert(fc.asyncProperty(historyArb, async (h) => {
    const store = memoryStore();
    const { models, base, ours, theirs } = await randomHistory(store, h);
    const { tree } = await mergeTrees(store, base, ours, theirs);
    const all = new Set([...models.base.keys(), ...models.ours.keys(), ...models.theirs.keys()]);
    for (const path of all) {
      const [b, o, t] = [models.base, models.ours, models.theirs].map((m) => JSON.stringify(m.get(path)));
      const expectedFrom = o === t || t === b ? ours : o === b ? theirs : undefined;
      if (expectedFrom === undefined) continue;
      const got = await resolvePath(store, tree, path);
      if (got.conflictAt !== undefined) {
        // Allowed only where both sides changed the conflicted part of the tree; the side is still there.
        const q = got.conflictAt;
        assert.ok(subtree(models.ours, q) !== subtree(models.base, q) && subtree(models.theirs, q) !== subtree(models.base, q), `conflict at ${q} though one side left it alone`);
        continue;
      }
      // A directory where the path's file was is checked through the files below it.
      const leafContent = (e: TreeEntry | undefined): unknown => (e?.kind === 'dir' ? 'dir' : content(e));
      const want = await resolvePath(store, expectedFrom, path);
      assert.deepEqual(leafContent(got.entry), leafContent(want.entry), path);
    }
  }), { numRuns: 150 });
});

test('property: both sides of every conflict are retrievable exactly, with the base', async () => {
  await fc.assert(fc.asyncProperty(historyArb, async (h) => {
    const store = memoryStore();
    const { base, ours, theirs } = await randomHistory(store, h);
    const { tree, conflicts } = await mergeTrees(store, base, ours, theirs);
    const listed = await listConflicts(store, tree);
    assert.deepEqual(listed.map((c) => c.path), conflicts);
    for (const { path, sides } of listed) {
      assert.deepEqual(sides.ours, await at(store, ours, path));
      assert.deepEqual(sides.theirs, await at(store, theirs, path));
      assert.deepEqual(sides.base, await at(store, base, path));
      assert.notEqual(sides.work.kind, 'conflict');
    }
  }), { numRuns: 150 });
});

test('property: merging is symmetric up to the side labels', async () => {
  await fc.assert(fc.asyncProperty(historyArb, async (h) => {
    const store = memoryStore();
    const { base, ours, theirs } = await randomHistory(store, h);
    const forward = await mergeTrees(store, base, ours, theirs, { oursLabel: 'left', theirsLabel: 'right' });
    const backward = await mergeTrees(store, base, theirs, ours, { oursLabel: 'right', theirsLabel: 'left' });
    assert.deepEqual(backward.conflicts, forward.conflicts);
    const f: { path: string; entry: TreeEntry }[] = [];
    const b: { path: string; entry: TreeEntry }[] = [];
    for await (const x of walkTree(store, forward.tree)) f.push(x);
    for await (const x of walkTree(store, backward.tree)) b.push(x);
    assert.deepEqual(b.map((x) => x.path), f.map((x) => x.path));
    for (let i = 0; i < f.length; i++) {
      const [fe, be] = [f[i]!.entry, b[i]!.entry];
      if (fe.kind === 'dir' && be.kind === 'dir') {
        assert.deepEqual([be.mode, be.mtime], [fe.mode, fe.mtime]);
      } else if (fe.kind === 'conflict' && be.kind === 'conflict') {
        const [fs, bs] = [await readConflict(store, fe), await readConflict(store, be)];
        assert.deepEqual([bs.base, bs.ours, bs.theirs], [fs.base, fs.theirs, fs.ours]);
        const wholeOurs = JSON.stringify(content(fs.work)) === JSON.stringify(content(fs.ours ?? fs.theirs))
          && JSON.stringify(content(bs.work)) === JSON.stringify(content(bs.ours ?? bs.theirs));
        const { mode: _fm, ...fw } = content(fs.work) as { mode: number };
        const { mode: _bm, ...bw } = content(bs.work) as { mode: number };
        assert.ok(wholeOurs || JSON.stringify(fw) === JSON.stringify(bw), `work sides differ at ${f[i]!.path}`);
      } else {
        assert.deepEqual(be, fe);
      }
    }
  }), { numRuns: 150 });
});

test('property: identical sides give that side; a side equal to the base gives the other', async () => {
  await fc.assert(fc.asyncProperty(historyArb, async (h) => {
    const store = memoryStore();
    const { base, ours, theirs } = await randomHistory(store, h);
    assert.equal((await mergeTrees(store, base, ours, ours)).tree, ours);
    assert.equal((await mergeTrees(store, base, base, theirs)).tree, theirs);
    assert.equal((await mergeTrees(store, base, ours, base)).tree, ours);
    // The same content built with other mtimes: no conflict, and the later mtimes.
    const { models } = await randomHistory(store, h);
    const later = await storeModel(store, models.ours, 900);
    const same = await mergeTrees(store, base, ours, later);
    assert.deepEqual(same.conflicts, []);
    assert.equal(same.tree, later);
  }), { numRuns: 100 });
});

test('writeConflict sides built by hand round-trip through the merge as opaque entries', async () => {
  const store = memoryStore();
  const a = await leaf(store, 'a\n');
  const b = await leaf(store, 'b\n');
  const c = await writeConflict(store, 'f', { ours: a, theirs: b, work: a });
  const withConflict = await editTree(store, undefined, new Map([['f', c]]));
  const result = await mergeTrees(store, undefined, withConflict, withConflict);
  assert.equal(result.tree, withConflict);
  assert.deepEqual(result.conflicts, []);
});
