// Crash safety: children working on a store are killed with SIGKILL at random points; afterwards the
// store opens, fsck (reading every byte) is clean for every recorded commit, and work goes on.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { type CommitId } from '../core/index.ts';
import { openStore } from './disk-store.ts';
import { fsck } from './fsck.ts';
import { gc } from './gc.ts';
import { commitFiles } from './testing/history-fixture.ts';
import { tempDir } from './testing/disk-harness.ts';
import { startChild, type Child } from './testing/child.ts';

async function kill(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function checkClean(dir: string, table: string): Promise<CommitId[]> {
  const store = await openStore(dir);
  try {
    const roots = [...store.meta.table(table).range('')].map(([k]) => k as CommitId);
    const report = await fsck(store, roots, { readData: true });
    assert.deepEqual(report.errors, []);
    return roots;
  } finally {
    await store.close();
  }
}

describe('crash safety', () => {
  it('a writer killed after writing its pack but before indexing leaves a clean store', async () => {
    const dir = await tempDir();
    try {
      const child = startChild(dir, 'stage', 32 << 20);
      await child.waitFor('staged');
      await kill(child);
      const store = await openStore(dir);
      const report = await fsck(store, [], { readData: true });
      assert.equal(report.ok, true);
      assert.equal(report.counts.indexedObjects, 0, 'nothing unflushed is indexed');
      assert.ok(report.counts.unindexedPacks >= 1);
      assert.ok(report.counts.reclaimableBytes > 500_000);
      const freed = await gc(store, []);
      assert.ok(freed.leftoverPacks >= 1, 'gc deletes the dead writer\'s leftover pack');
      assert.equal((await fsck(store, [], { readData: false })).counts.unindexedPacks, 0);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writers killed at random points leave a store that fsck passes and that takes new snapshots', async () => {
    const dir = await tempDir();
    try {
      let total = 0;
      for (let round = 0; round < 8; round++) {
        const child = startChild(dir, 'write');
        await child.waitFor('commit');
        await sleep(Math.random() * 300);
        await kill(child);
        const roots = await checkClean(dir, 'roots');
        assert.ok(roots.length > total, 'each round recorded at least one commit');
        total = roots.length;
      }
      const store = await openStore(dir);
      const c = await commitFiles(store, { after: randomBytes(100_000) });
      assert.equal((await fsck(store, [c], { readData: true })).ok, true);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gc killed at random points loses nothing that is kept', async () => {
    const dir = await tempDir();
    try {
      for (let round = 0; round < 6; round++) {
        // Each round adds kept commits and garbage, so the gc has packs to delete and repack.
        const store = await openStore(dir, { packTargetBytes: 256 * 1024 });
        const keep = await commitFiles(store, { [`k${round}`]: randomBytes(700_000), [`s${round}`]: Buffer.from(`small ${round}`) });
        await commitFiles(store, { [`g${round}`]: randomBytes(1_500_000), [`k${round}`]: randomBytes(300_000) });
        await store.meta.write((w) => w.put('keep', keep, new Uint8Array(0)));
        await store.close();
        const child = startChild(dir, 'gc');
        await child.waitFor('gc start');
        await sleep(Math.random() * 30);
        await kill(child);
        if (process.env.LODE_TEST_VERBOSE) console.log('gc finished before the kill:', child.lines.includes('gc done'));
        await checkClean(dir, 'keep');
      }
      const store = await openStore(dir);
      const keep = [...store.meta.table('keep').range('')].map(([k]) => k as CommitId);
      const r = await gc(store, keep);
      assert.ok(r.liveObjects > 0);
      assert.equal((await fsck(store, keep, { readData: true })).ok, true);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
