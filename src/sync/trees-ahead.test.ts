import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake3Hex, encodeTree, type BlobId, type Hash, type TreeEntry, type TreeId } from '../core/index.ts';
import type { CheckedObject } from './object-check.ts';
import { TreesAhead } from './trees-ahead.ts';

const MTIME = { sec: 1, nsec: 0 };
/** Tree ids stand for names in these tests: the id of `name` is the hash of it. */
const names = new Map<Hash, string>();
const idOf = (name: string): Hash => {
  const id = blake3Hex(new TextEncoder().encode(name));
  names.set(id, name);
  return id;
};
const dir = (name: string): TreeEntry => ({ kind: 'dir', name, mode: 0o755, mtime: MTIME, tree: idOf(name) as TreeId });
const file = (name: string): TreeEntry => ({ kind: 'file', name, mode: 0o644, mtime: MTIME, size: 1, blob: idOf(`blob-${name}`) as BlobId });

/** Trees by name (the name is the path): r has a, b; a has a1, a2 and a file f; b has b1. */
const TREES: Record<string, TreeEntry[]> = {
  r: [dir('a'), dir('b')],
  a: [dir('a1'), dir('a2'), file('f')],
  b: [dir('b1')],
  a1: [], a2: [], b1: [],
};

function harness(limit: number, skip: (name: string) => boolean = () => false, entries = Infinity, trees = TREES) {
  const asked: string[] = [];
  const answers = new Map<string, (object: CheckedObject) => void>();
  const ahead = new TreesAhead({
    limit,
    entries,
    ask: (id) => {
      const name = names.get(id)!;
      asked.push(name);
      const { promise, resolve } = Promise.withResolvers<CheckedObject>();
      answers.set(name, resolve);
      return promise;
    },
    skip: (id) => skip(names.get(id)!),
  });
  const arrive = async (name: string) => {
    const tree = { entries: trees[name]! };
    answers.get(name)!({ kind: 'tree', id: idOf(name), bytes: encodeTree(tree), tree });
    await new Promise((r) => setImmediate(r));
  };
  const take = (name: string) => ahead.take(idOf(name));
  return { ahead, asked, arrive, take };
}

test('subtrees are asked in the order the walk reaches them, depth first, never more than the limit at once', async () => {
  const { ahead, asked, arrive, take } = harness(2);
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['a', 'b']);
  await arrive('b');
  await arrive('a');
  assert.deepEqual(asked, ['a', 'b'], 'no room until the walk takes one');
  assert.ok(take('a') !== undefined);
  // a's subtrees (positions [0, 0] and [0, 1]) come before b's ([1, 0]) in the walk.
  assert.deepEqual(asked, ['a', 'b', 'a1']);
  assert.ok(take('a1') !== undefined);
  assert.deepEqual(asked, ['a', 'b', 'a1', 'a2']);
  assert.equal(take('x'), undefined, 'a tree not asked ahead is the walk’s to ask');
});

test('trees the store has, or that are being walked, are not asked', () => {
  const { ahead, asked } = harness(10, (name) => name === 'a');
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['b']);
});

test('no more subtrees are asked once they hold the entry bound, those not arrived counted at the mean so far', async () => {
  const { ahead, asked, arrive, take } = harness(10, () => false, 5);
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['a'], 'a tree not arrived counts for 16 entries until one has arrived');
  await arrive('a');
  // a holds 3 entries, and 3 is now the mean: room for one more (a1, first in the walk's order).
  assert.deepEqual(asked, ['a', 'a1']);
  assert.ok(take('a') !== undefined);
  assert.deepEqual(asked, ['a', 'a1', 'a2'], 'taken by the walk, a frees its entries');
});

test('a tree taken after it arrived is decoded again from its bytes; one taken before is its answer', async () => {
  const { ahead, arrive, take } = harness(10);
  ahead.known(TREES.r!, []);
  await arrive('a');
  const a = await take('a')!;
  assert.equal(a.kind, 'tree');
  assert.deepEqual(a.kind === 'tree' && a.tree.entries, TREES.a);
  assert.deepEqual(a.bytes, encodeTree({ entries: TREES.a! }));
  const b = take('b')!;
  await arrive('b');
  const got = await b;
  assert.deepEqual(got.kind === 'tree' && got.tree.entries, TREES.b);
});

test('until trees arrive, only a few are asked on a guess, and more as each arrives', async () => {
  const wide: Record<string, TreeEntry[]> = { r: [] };
  for (let i = 0; i < 200; i++) {
    wide.r!.push(dir(`w${String(i).padStart(3, '0')}`));
    wide[`w${String(i).padStart(3, '0')}`] = [];
  }
  const { ahead, asked, arrive } = harness(4096, () => false, Infinity, wide);
  ahead.known(wide.r!, []);
  assert.equal(asked.length, 64, 'before any tree arrived');
  for (let i = 0; i < 10; i++) await arrive(asked[i]!);
  // 10 arrived (and wait for the walk): 54 still on their way, and room for 64 + 10 on their way.
  assert.equal(asked.length, 84);
});
