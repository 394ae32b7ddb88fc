// .lodeignore rules: each rule kind on its own, then nested files and the store directory in a real walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, TreeId } from '../core/index.ts';
import { memoryStore, openStore, type Store } from '../store/index.ts';
import { loadIgnore, snapshotTree } from './index.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';

const arena = 'c'.repeat(64) as ArenaId;

function rules(text: string) {
  const dir = tempDir('ign');
  fs.writeFileSync(path.join(dir, '.lodeignore'), text);
  const m = loadIgnore(dir);
  removeDir(dir);
  return m;
}

const cases: { rule: string; path: string; dir?: boolean; ignored: boolean; why: string }[] = [
  { rule: '*.log', path: 'a.log', ignored: true, why: '* glob' },
  { rule: '*.log', path: 'deep/er/a.log', ignored: true, why: 'no slash: matches a component at any depth' },
  { rule: '*.log', path: 'a.log.txt', ignored: false, why: 'glob is anchored to the whole name' },
  { rule: 'file?.txt', path: 'file1.txt', ignored: true, why: '? matches one character' },
  { rule: 'file?.txt', path: 'file12.txt', ignored: false, why: '? matches exactly one character' },
  { rule: 'build', path: 'x/build', dir: true, ignored: true, why: 'a bare name matches a directory anywhere' },
  { rule: 'docs/*.md', path: 'docs/a.md', ignored: true, why: 'with a slash: the full relative path' },
  { rule: 'docs/*.md', path: 'sub/docs/a.md', ignored: false, why: 'with a slash: anchored at the root' },
  { rule: 'docs/*.md', path: 'docs/deeper/a.md', ignored: false, why: '* does not cross a slash' },
  { rule: '/top.txt', path: 'top.txt', ignored: true, why: 'leading slash anchors' },
  { rule: '/top.txt', path: 'sub/top.txt', ignored: false, why: 'leading slash anchors' },
  { rule: 'cache/', path: 'cache', dir: true, ignored: true, why: 'trailing slash: directories' },
  { rule: 'cache/', path: 'cache', dir: false, ignored: false, why: 'trailing slash: not files' },
  { rule: '*.log\n!keep.log', path: 'keep.log', ignored: false, why: 'negation re-includes' },
  { rule: '*.log\n!keep.log', path: 'drop.log', ignored: true, why: 'negation is specific' },
  { rule: '# a comment\n\n', path: '# a comment', ignored: false, why: 'comments and blank lines are not rules' },
  { rule: 'Case.txt', path: 'case.txt', ignored: false, why: 'case-sensitive, like Linux names' },
];

for (const c of cases) {
  test(`ignore rule ${JSON.stringify(c.rule)} on ${c.path}: ${c.why}`, () => {
    assert.equal(rules(c.rule).ignores(c.path, c.dir ?? false), c.ignored);
  });
}

test('no .lodeignore ignores nothing', () => {
  const dir = tempDir('ign');
  assert.equal(loadIgnore(dir).ignores('anything', false), false);
  removeDir(dir);
});

async function listPaths(store: Store, tree: TreeId, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await store.typed.getTree(tree)).entries) {
    const p = prefix + e.name;
    out.push(e.kind === 'dir' ? `${p}/` : p);
    if (e.kind === 'dir') out.push(...(await listPaths(store, e.tree, `${p}/`)));
  }
  return out;
}

test('a snapshot honours root and nested .lodeignore files', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  const w = (rel: string) => {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), rel);
  };
  fs.writeFileSync(path.join(src, '.lodeignore'), '*.tmp\nnode_modules/\n/only-top\n!important.tmp\n');
  for (const f of ['a.tmp', 'important.tmp', 'keep.txt', 'node_modules/x.js', 'only-top', 'sub/only-top', 'sub/b.tmp', 'sub/c.txt', 'sub/inner/d.txt', 'sub/inner/e.bak']) w(f);
  fs.writeFileSync(path.join(src, 'sub/.lodeignore'), 'inner/*.bak\n!b.tmp\n');
  const store = memoryStore();
  const r = await snapshotTree(store, { source: src, arena });
  assert.deepEqual(await listPaths(store, r.tree), [
    '.lodeignore', 'important.tmp', 'keep.txt',
    'sub/', 'sub/.lodeignore', 'sub/b.tmp', 'sub/c.txt', 'sub/inner/', 'sub/inner/d.txt', 'sub/only-top',
  ]);
  assert.equal(r.stats.ignored, 4); // a.tmp, node_modules/, only-top, sub/inner/e.bak
});

test('the store directory inside the source is never stored', async (t) => {
  const src = tempDir('src');
  t.after(() => removeDir(src));
  fs.writeFileSync(path.join(src, 'data.txt'), 'data');
  const store = await openStore(path.join(src, 'nested/.lode-store'));
  t.after(() => store.close());
  const r = await snapshotTree(store, { source: src, arena });
  assert.deepEqual(await listPaths(store, r.tree), ['data.txt', 'nested/']);
  assert.equal(r.stats.ignored, 1);
  await assert.rejects(snapshotTree(store, { source: path.join(src, 'nested/.lode-store'), arena }), { code: 'SOURCE_IS_STORE' });
});
