// The daemon's local parts without a network: the control socket (replies, refusals, stale sockets),
// the branch-move watch, and the refusal log's rate limit. Real daemons are tested in test/daemon.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createArena, createCommit, moveBranch } from '../history/index.ts';
import { memoryStore } from '../store/index.ts';
import { controlRequest, startControlServer } from './control-socket.ts';
import { RefusalLog } from './daemon.ts';
import { RefWatch, refsFingerprint } from './ref-watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'lode-daemon-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => e.code === code);
}

describe('control socket', () => {
  test('answers status and refs-changed, and refuses bad lines without closing the socket', async () => {
    const path = join(dir, 'a.sock');
    const server = await startControlServer(path, async (req) => ({ seen: req.op }));
    try {
      assert.equal((await lstat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await controlRequest(path, { op: 'status' }), { seen: 'status' });
      assert.deepEqual(await controlRequest(path, { op: 'refs-changed' }), { seen: 'refs-changed' });
      await rejectsWith(controlRequest(path, { op: 'nope' } as never), 'UNKNOWN_OP');
      const replies = await rawLines(path, 'not json\n{"op":"status"}\n', 2);
      assert.deepEqual(replies.map((r) => JSON.parse(r) as unknown), [
        { ok: false, code: 'BAD_REQUEST', message: 'not a JSON line' },
        { ok: true, seen: 'status' },
      ]);
    } finally {
      await server.close();
    }
    await assert.rejects(lstat(path), { code: 'ENOENT' });
  });

  test('a handler error travels back with its code', async () => {
    const path = join(dir, 'b.sock');
    const server = await startControlServer(path, async () => {
      throw Object.assign(new Error('no'), { code: 'X' });
    });
    try {
      await rejectsWith(controlRequest(path, { op: 'status' }), 'INTERNAL');
    } finally {
      await server.close();
    }
  });

  test('no socket, or a stale one, is DAEMON_NOT_RUNNING; a stale one is replaced, a live one refused', async () => {
    const path = join(dir, 'c.sock');
    await rejectsWith(controlRequest(path, { op: 'status' }), 'DAEMON_NOT_RUNNING');
    // A process killed while listening leaves its socket file behind.
    const killed = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok((await lstat(path)).isSocket());
    await rejectsWith(controlRequest(path, { op: 'status' }), 'DAEMON_NOT_RUNNING');
    const server = await startControlServer(path, async () => ({ fresh: true }));
    try {
      assert.deepEqual(await controlRequest(path, { op: 'status' }), { fresh: true });
      await rejectsWith(startControlServer(path, async () => ({})), 'DAEMON_RUNNING');
      assert.deepEqual(await controlRequest(path, { op: 'status' }), { fresh: true });
    } finally {
      await server.close();
    }
  });

  test('a file that is not a socket is never removed (SOCKET_PATH_TAKEN)', async () => {
    const path = join(dir, 'd.sock');
    await writeFile(path, 'precious');
    await rejectsWith(startControlServer(path, async () => ({})), 'SOCKET_PATH_TAKEN');
    assert.ok((await lstat(path)).isFile());
  });
});

function rawLines(path: string, text: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(text));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n').filter((l) => l !== '');
      if (lines.length >= count) {
        socket.destroy();
        resolve(lines);
      }
    });
  });
}

describe('RefWatch and refsFingerprint', () => {
  test('report each branch once per move, in the watched arenas only', async () => {
    const store = memoryStore();
    const a = await createArena(store, 'a');
    const b = await createArena(store, 'b');
    const tree = await store.typed.putTree({ entries: [] });
    const c1 = await createCommit(store, { tree, parents: [], message: 'one', time: 1 });
    const c2 = await createCommit(store, { tree, parents: [c1], message: 'two', time: 2 });
    const move = (arena: typeof a, branch: string, to: typeof c1) => moveBranch(store, arena.id, branch, to, { command: 'test', reason: 'test' });
    await move(a, 'main', c1);
    await move(b, 'main', c1);
    const watch = new RefWatch();
    const watched = new Set([a.id]);
    const before = refsFingerprint(store);
    assert.deepEqual(watch.moved(store, watched), [{ arena: a.id, branch: 'main', commit: c1 }]);
    assert.deepEqual(watch.moved(store, watched), []);
    await move(a, 'main', c2);
    await move(a, 'side', c1);
    await move(b, 'main', c2);
    assert.notEqual(refsFingerprint(store), before);
    assert.deepEqual(watch.moved(store, watched).map((m) => [m.branch, m.commit]), [['main', c2], ['side', c1]]);
  });
});

describe('RefusalLog', () => {
  test('logs a key once a minute and counts the refusals in between', () => {
    const log = new RefusalLog();
    assert.equal(log.note('k', 0), 0);
    assert.equal(log.note('k', 1000), undefined);
    assert.equal(log.note('k', 2000), undefined);
    assert.equal(log.note('other', 2000), 0);
    assert.equal(log.note('k', 61_000), 2);
  });
});
