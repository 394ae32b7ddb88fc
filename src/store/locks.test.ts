// Store locks: shared and exclusive exclude each other across processes, not within one, and stale
// locks (dead pid, other boot, unreadable file) are taken over.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { acquireExclusive, acquireShared, isLive } from './locks.ts';
import { tempDir } from './testing/disk-harness.ts';

async function lockDir(): Promise<string> {
  const dir = join(await tempDir(), 'locks');
  await mkdir(dir);
  return dir;
}

const owner = (pid: number, kind: 'shared' | 'exclusive', boot = '') => JSON.stringify({ pid, host: hostname(), boot, kind, since: 0 });

describe('locks', () => {
  it('lets one process hold shared and exclusive locks together, and releases them', async () => {
    const dir = await lockDir();
    try {
      const s = await acquireShared(dir);
      const x = await acquireExclusive(dir);
      await assert.rejects(acquireExclusive(dir), { code: 'LOCKED' });
      await x.release();
      await s.release();
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('is LOCKED by a live process and takes over the locks of dead or rebooted ones', async () => {
    const dir = await lockDir();
    try {
      await writeFile(join(dir, 'exclusive.lock'), owner(process.ppid, 'exclusive'));
      await assert.rejects(acquireShared(dir), { code: 'LOCKED' });
      await writeFile(join(dir, 'exclusive.lock'), owner(process.ppid, 'exclusive', 'another-boot'));
      (await acquireShared(dir)).release();
      await writeFile(join(dir, 'shared-1-aa.lock'), owner(process.ppid, 'shared'));
      await assert.rejects(acquireExclusive(dir), { code: 'LOCKED' });
      await writeFile(join(dir, 'shared-1-aa.lock'), '{"pid": 99999999');
      await writeFile(join(dir, 'shared-2-bb.lock'), owner(2 ** 22 + 12345, 'shared'));
      const x = await acquireExclusive(dir);
      assert.deepEqual((await readdir(dir)).sort(), ['exclusive.lock']);
      await x.release();
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('never treats pid 0 or negative pids as live', () => {
    for (const pid of [0, -1, 1.5]) assert.equal(isLive({ pid, host: hostname(), boot: '', kind: 'shared', since: 0 }), false);
    assert.equal(isLive({ pid: process.pid, host: hostname(), boot: '', kind: 'shared', since: 0 }), true);
    assert.equal(isLive({ pid: 1, host: 'some-other-host', boot: '', kind: 'shared', since: 0 }), true);
  });
});
