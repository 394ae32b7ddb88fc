import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hash, TreeEntry } from '../core/index.ts';
import type { CheckedObject } from './object-check.ts';
import { TreesAhead } from './trees-ahead.ts';

const MTIME = { sec: 1, nsec: 0 };
const dir = (name: string): TreeEntry => ({ kind: 'dir', name, mode: 0o755, mtime: MTIME, tree: name as Hash } as TreeEntry);
const file = (name: string): TreeEntry => ({ kind: 'file', name, mode: 0o644, mtime: MTIME, size: 1, blob: `blob-${name}` as Hash } as TreeEntry);

/** Trees by id (the id is the path): r has a, b; a has a1, a2 and a file; b has b1. */
const TREES: Record<string, TreeEntry[]> = {
  r: [dir('a'), dir('b')],
  a: [dir('a1'), file('f'), dir('a2')],
  b: [dir('b1')],
  a1: [], a2: [], b1: [],
};

function harness(limit: number, skip: (id: Hash) => boolean = () => false, entries = Infinity) {
  const asked: string[] = [];
  const answers = new Map<string, (object: CheckedObject) => void>();
  const ahead = new TreesAhead({
    limit,
    entries,
    ask: (id) => {
      asked.push(id);
      const { promise, resolve } = Promise.withResolvers<{ object: CheckedObject }>();
      answers.set(id, (object) => resolve({ object }));
      return promise;
    },
    skip,
  });
  const arrive = async (id: string) => {
    answers.get(id)!({ kind: 'tree', id: id as Hash, bytes: new Uint8Array(), tree: { entries: TREES[id]! } } as unknown as CheckedObject);
    await new Promise((r) => setImmediate(r));
  };
  return { ahead, asked, arrive };
}

test('subtrees are asked in the order the walk reaches them, depth first, never more than the limit at once', async () => {
  const { ahead, asked, arrive } = harness(2);
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['a', 'b']);
  await arrive('b');
  await arrive('a');
  assert.deepEqual(asked, ['a', 'b'], 'no room until the walk takes one');
  assert.ok(ahead.take('a' as Hash) !== undefined);
  // a's subtrees (positions [0, 0] and [0, 2]) come before b's ([1, 0]) in the walk.
  assert.deepEqual(asked, ['a', 'b', 'a1']);
  assert.ok(ahead.take('a1' as Hash) !== undefined);
  assert.deepEqual(asked, ['a', 'b', 'a1', 'a2']);
  assert.equal(ahead.take('x' as Hash), undefined, 'a tree not asked ahead is the walk’s to ask');
});

test('trees the store has, or that are being walked, are not asked', () => {
  const { ahead, asked } = harness(10, (id) => id === 'a');
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['b']);
});

test('no more subtrees are asked once they hold the entry bound, those not arrived counted at the mean so far', async () => {
  const { ahead, asked, arrive } = harness(10, () => false, 5);
  ahead.known(TREES.r!, []);
  assert.deepEqual(asked, ['a'], 'a tree not arrived counts for 16 entries until one has arrived');
  await arrive('a');
  // a holds 3 entries, and 3 is now the mean: room for one more (a1, first in the walk's order).
  assert.deepEqual(asked, ['a', 'a1']);
  assert.ok(ahead.take('a' as Hash) !== undefined);
  assert.deepEqual(asked, ['a', 'a1', 'a2'], 'taken by the walk, a frees its entries');
});
