import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId } from '../core/index.ts';
import { logGraph, type GraphCommit } from './log-graph.ts';

/** Commits named by one letter; each row printed as graph plus the commit's name. */
function render(spec: [string, string][]): string[] {
  const commits: GraphCommit[] = spec.map(([id, parents]) => ({ id: id as CommitId, parents: [...parents] as CommitId[] }));
  return logGraph(commits).map((r) => (r.commit === undefined ? r.graph : `${r.graph} ${r.commit}`));
}

test('logGraph: a linear history is one column of stars', () => {
  assert.deepEqual(render([['c', 'b'], ['b', 'a'], ['a', '']]), ['* c', '* b', '* a']);
});

test('logGraph: one merge opens a column and joins it back', () => {
  assert.deepEqual(render([['m', 'by'], ['y', 'a'], ['b', 'a'], ['a', '']]), [
    '* m', '|\\', '| * y', '* | b', '|/', '* a',
  ]);
});

test('logGraph: two branches of two commits merging, as git draws them', () => {
  assert.deepEqual(render([['m', 'by'], ['y', 'x'], ['b', 'a'], ['x', 'r'], ['a', 'r'], ['r', '']]), [
    '* m', '|\\', '| * y', '* | b', '| * x', '* | a', '|/', '* r',
  ]);
});

test('logGraph: two branch heads without a merge fork from a common parent', () => {
  // As `git log --graph --all`: the second head opens its own column.
  assert.deepEqual(render([['b', 'r'], ['c', 'r'], ['r', '']]), ['* b', '| * c', '|/', '* r']);
});

test('logGraph: an octopus merge opens one column per extra parent', () => {
  assert.deepEqual(render([['o', 'abc'], ['c', 'r'], ['b', 'r'], ['a', 'r'], ['r', '']]), [
    '* o', '|\\', '|\\ \\', '| | * c', '| * | b', '| |/', '* | a', '|/', '* r',
  ]);
});

test('logGraph: a join across another column runs under it; roots let columns move left', () => {
  // m merges a and x; n (a second head) also descends from a; x is a root of its own.
  assert.deepEqual(render([['m', 'ax'], ['n', 'a'], ['x', ''], ['a', '']]), [
    '* m', '|\\', '| | * n', '|_|/', '| * x', '* a',
  ]);
  // A root on the left ends its column and the ones to its right move over.
  assert.deepEqual(render([['m', 'xa'], ['x', ''], ['a', '']]), ['* m', '|\\', '* | x', ' /', '* a']);
});
