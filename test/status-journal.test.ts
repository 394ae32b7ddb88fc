// `lode status` with a running daemon's change journal, end to end: a real `lode daemon` process, a
// worktree changed in every way a user changes one, and after each change the answer compared with that of
// a walk of everything (a status with an empty cache). Also a daemon restarted after an offline change.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { explain, lode, lodeJson, spawnLode, suiteDir } from './cli.ts';

interface StatusDoc { changes: { change: string; path: string; from?: string; kind: string }[]; clean: boolean; walk: 'full' | 'partial' | 'none' }

describe('lode status with a running daemon', { timeout: 120_000 }, () => {
  const dir = suiteDir('status-journal');
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');
  const config = join(dir, 'lode.toml');
  const cache = join(dir, 'cache');
  let fresh = 0;
  let daemon: { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } | undefined;

  const startDaemon = async (): Promise<void> => {
    const child = spawnLode(['daemon'], { store, env: { LODE_CONFIG: config, LODE_CACHE_DIR: cache } });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    daemon = { child, exited, stderr: () => err };
    const deadline = Date.now() + 15_000;
    // Up once the control socket answers.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the daemon exited ${child.exitCode}: ${err}`);
      if (existsSync(join(store, 'daemon.sock')) && (await lode(['peers', '--json'], { store, env: { LODE_CONFIG: config } })).code === 0) return;
      if (Date.now() > deadline) throw new Error(`the daemon did not come up: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stopDaemon = async (): Promise<void> => {
    if (daemon === undefined) return;
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0, daemon.stderr());
    daemon = undefined;
  };

  /** Status as the user runs it: the shared cache, and the daemon if one runs. */
  const status = async (): Promise<StatusDoc> => {
    const { run, doc } = await lodeJson<StatusDoc>(['status'], { cwd: wt, env: { LODE_CACHE_DIR: cache } });
    assert.equal(run.code, 0, explain(run));
    return doc;
  };
  /** What a walk of everything says: an empty cache has no mark, so nothing is taken from a journal. */
  const walked = async (): Promise<StatusDoc> => {
    const { run, doc } = await lodeJson<StatusDoc>(['status'], { cwd: wt, env: { LODE_CACHE_DIR: join(dir, `fresh-cache-${++fresh}`) } });
    assert.equal(run.code, 0, explain(run));
    assert.equal(doc.walk, 'full');
    return doc;
  };
  const lines = (doc: StatusDoc): string[] => doc.changes.map((c) => `${c.change} ${c.from === undefined ? '' : `${c.from} -> `}${c.path}${c.kind === 'dir' ? '/' : ''}`);
  /** Status with the journal: it walked at most the changed directories, agrees with a full walk, and shows `expected`. */
  const agrees = async (expected: string[]): Promise<void> => {
    const got = await status();
    assert.notEqual(got.walk, 'full', 'the journal was used');
    assert.deepEqual(lines(got), lines(await walked()), 'the journal and a full walk agree');
    // Directory lines aside (a directory whose files all moved is listed as deleted, walk or no walk).
    assert.deepEqual(lines(got).filter((l) => !l.endsWith('/')).sort(), [...expected].sort());
  };

  before(async () => {
    fs.writeFileSync(config, '[network]\nlisten = []\n');
    const src = join(dir, 'src');
    for (let d = 0; d < 20; d++) {
      fs.mkdirSync(join(src, `d${d}`, 'sub'), { recursive: true });
      for (let f = 0; f < 5; f++) fs.writeFileSync(join(src, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`);
      fs.writeFileSync(join(src, `d${d}`, 'sub', 'inner.txt'), `inner ${d}\n`);
    }
    for (const args of [['snapshot', src, '--arena', 'a'], ['checkout', 'a', wt]]) {
      const r = await lode(args, { store, env: { LODE_CACHE_DIR: cache } });
      assert.equal(r.code, 0, explain(r));
    }
    await startDaemon();
  });

  after(async () => {
    daemon?.child.kill('SIGKILL');
    await daemon?.exited;
  });

  test('the first status starts the watch and walks everything; the next walks nothing', async () => {
    assert.equal((await status()).walk, 'full');
    const second = await status();
    assert.deepEqual([second.walk, second.clean], ['none', true]);
  });

  test('a modified file, then one changed again right after a status (same second)', async () => {
    fs.writeFileSync(join(wt, 'd3', 'f1.txt'), 'modified\n');
    await agrees(['modified d3/f1.txt']);
    // Same size, written within the same second as the status that just read it.
    fs.writeFileSync(join(wt, 'd3', 'f2.txt'), 'file 3/X\n');
    await agrees(['modified d3/f1.txt', 'modified d3/f2.txt']);
  });

  test('added, deleted and renamed files, and a new nested directory with files', async () => {
    fs.writeFileSync(join(wt, 'd5', 'added.txt'), 'added\n');
    fs.rmSync(join(wt, 'd6', 'f0.txt'));
    fs.renameSync(join(wt, 'd7', 'f4.txt'), join(wt, 'd8', 'moved.txt'));
    fs.mkdirSync(join(wt, 'd9', 'n1', 'n2'), { recursive: true });
    fs.writeFileSync(join(wt, 'd9', 'n1', 'a.txt'), 'a\n');
    fs.writeFileSync(join(wt, 'd9', 'n1', 'n2', 'b.txt'), 'b\n');
    await agrees([
      'modified d3/f1.txt', 'modified d3/f2.txt', 'added d5/added.txt', 'deleted d6/f0.txt',
      'renamed d7/f4.txt -> d8/moved.txt', 'added d9/n1/a.txt', 'added d9/n1/n2/b.txt',
    ]);
  });

  test('a renamed directory, and a change inside it afterwards', async () => {
    fs.renameSync(join(wt, 'd10'), join(wt, 'e10'));
    const renamed = (p: string): string => `renamed d10/${p} -> e10/${p}`;
    const base = ['modified d3/f1.txt', 'modified d3/f2.txt', 'added d5/added.txt', 'deleted d6/f0.txt', 'renamed d7/f4.txt -> d8/moved.txt', 'added d9/n1/a.txt', 'added d9/n1/n2/b.txt'];
    const moved = ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'sub/inner.txt'].map(renamed);
    await agrees([...base, ...moved]);
    fs.writeFileSync(join(wt, 'e10', 'sub', 'inner.txt'), 'changed after the move\n');
    // Its content differs from anything in HEAD now: an addition, and its old path a deletion.
    await agrees([...base, ...moved.filter((l) => !l.includes('inner')), 'deleted d10/sub/inner.txt', 'added e10/sub/inner.txt']);
  });

  test('a change made while no daemon ran is found after the restart', async () => {
    await stopDaemon();
    fs.writeFileSync(join(wt, 'd12', 'f0.txt'), 'offline change\n');
    const without = await status();
    assert.equal(without.walk, 'full', 'no daemon: a walk of everything');
    fs.writeFileSync(join(wt, 'd13', 'f0.txt'), 'second offline change\n');
    await startDaemon();
    const first = await status();
    assert.equal(first.walk, 'full', 'a new daemon knows nothing of the old token');
    assert.ok(lines(first).includes('modified d12/f0.txt') && lines(first).includes('modified d13/f0.txt'), lines(first).join('\n'));
    assert.deepEqual(lines(first), lines(await walked()));
    const second = await status();
    assert.equal(second.walk, 'none');
    assert.deepEqual(lines(second), lines(first));
  });

  test('after a commit (HEAD moved, the worktree untouched) the journal\'s tree is clean against the new HEAD', async () => {
    const commit = await lode(['commit', '-m', 'everything'], { cwd: wt, env: { LODE_CACHE_DIR: cache } });
    assert.equal(commit.code, 0, explain(commit));
    const after = await status();
    assert.deepEqual([after.walk, after.clean, lines(after)], ['none', true, []]);
    fs.rmSync(join(wt, 'e10', 'sub'), { recursive: true });
    await agrees(['deleted e10/sub/inner.txt']);
  });
});
