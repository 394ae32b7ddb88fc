// BranchWaiters: a wait resolves at the move that brings the branch to the commit, with its moment; at once
// when the branch is already there; WAIT_TIMEOUT otherwise; and every wait is given up when the daemon stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArenaId, CommitId } from '../core/index.ts';
import { BranchWaiters } from './branch-waiters.ts';

const arena = 'a'.repeat(64) as ArenaId;
const c1 = '1'.repeat(64) as CommitId;
const c2 = '2'.repeat(64) as CommitId;

test('a wait resolves at the move to its commit, not at a move elsewhere or on another branch', async () => {
  const w = new BranchWaiters();
  let settled = false;
  const waiting = w.wait(arena, 'main', c2, c1, 5_000).then((r) => { settled = true; return r; });
  w.moved(arena, 'main', c1, 100);
  w.moved(arena, 'other', c2, 150);
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);
  w.moved(arena, 'main', c2, 200);
  assert.deepEqual(await waiting, { movedAt: 200 });
});

test('a branch already at the commit answers at once, with the move the daemon saw (or none)', async () => {
  const w = new BranchWaiters();
  assert.deepEqual(await w.wait(arena, 'main', c1, c1, 1_000), { movedAt: undefined });
  w.moved(arena, 'main', c1, 300);
  assert.deepEqual(await w.wait(arena, 'main', c1, c1, 1_000), { movedAt: 300 });
});

test('no move within the timeout is WAIT_TIMEOUT; stopping rejects every wait with DAEMON_STOPPING', async () => {
  const w = new BranchWaiters();
  await assert.rejects(w.wait(arena, 'main', c2, c1, 10), { code: 'WAIT_TIMEOUT' });
  const pending = w.wait(arena, 'main', c2, c1, 60_000);
  w.cancelAll();
  await assert.rejects(pending, { code: 'DAEMON_STOPPING' });
});
