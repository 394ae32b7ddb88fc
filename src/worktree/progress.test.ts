// Progress: reports are throttled, the last one matches the stats, and the totals (pre-count for a
// snapshot, tree sizes for a restore) agree with what the walk then does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { IgnoreRules, readIgnoreFile } from './ignore-rules.ts';
import { precount } from './precount.ts';
import { restoreTree, snapshotTree, type RestoreProgress, type SnapshotProgress } from './index.ts';
import { buildSampleTree, removeDir, tempDir } from './testing/fixtures.ts';

const arena = '2'.repeat(64) as ArenaId;

test('snapshot and restore progress end with the final counts; totals agree', async (t) => {
  const src = tempDir('src');
  const dst = tempDir('dst');
  t.after(() => { removeDir(src); removeDir(dst); });
  buildSampleTree(src);
  fs.writeFileSync(path.join(src, '.lodeignore'), 'secret\n');
  fs.writeFileSync(path.join(src, 'a', '.lodeignore'), '*.txt\n');
  const store = memoryStore();

  const snaps: SnapshotProgress[] = [];
  const r = await snapshotTree(store, { source: src, arena, onProgress: (p) => snaps.push(p) });
  const last = snaps.at(-1)!;
  assert.equal(last.files, r.stats.files);
  assert.equal(last.bytes, r.stats.bytes);
  assert.ok(snaps.length <= 3, 'throttled to a few reports for a fast snapshot');

  const totals = await precount(path.resolve(src), IgnoreRules.root(readIgnoreFile(src)), undefined, () => false);
  assert.deepEqual(totals, { files: r.stats.files, bytes: r.stats.bytes });

  const rests: RestoreProgress[] = [];
  const rr = await restoreTree(store, { tree: r.tree, target: dst, onProgress: (p) => rests.push(p) });
  assert.deepEqual(rests.at(-1), { files: rr.stats.files, bytes: rr.stats.bytes, totalBytes: rr.stats.bytes, ...(rests.at(-1)!.currentPath ? { currentPath: rests.at(-1)!.currentPath } : {}) });
});
