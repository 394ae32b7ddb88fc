// `lode log` on a history long enough that its output goes out in several batched writes: every commit
// once, newest first, with --limit and --json agreeing with the plain listing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { CommitId } from '../src/core/index.ts';
import { createArena, createCommit, moveBranch } from '../src/history/index.ts';
import { openStore } from '../src/store/index.ts';
import { explain, lode, lodeJson, suiteDir } from './cli.ts';

/** About 80 characters a line: 1,500 lines pass the log's 64 KiB write batch more than once. */
const COMMITS = 1500;

describe('lode log of a long history', () => {
  const store = join(suiteDir('log-cli'), 'store');
  const ids: CommitId[] = [];

  before(async () => {
    const s = await openStore(store);
    try {
      const arena = await createArena(s, 'long');
      const tree = await s.typed.putTree({ entries: [] });
      for (let i = 0; i < COMMITS; i++) {
        ids.push(await createCommit(s, { tree, parents: i === 0 ? [] : [ids[i - 1]!], message: `commit number ${i}\nbody ${i}`, time: 1_700_000_000_000 + i * 1000 }));
      }
      await moveBranch(s, arena.id, 'main', ids[ids.length - 1]!, { command: 'test', reason: 'a long history' });
    } finally {
      await s.close();
    }
  });

  test('prints every commit once, newest first, with its subject line', async () => {
    const r = await lode(['log', 'long'], { store });
    assert.equal(r.code, 0, explain(r));
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '', 'the output ends with a newline');
    assert.equal(lines.length, COMMITS);
    lines.forEach((line, i) => {
      const n = COMMITS - 1 - i;
      assert.ok(line.startsWith(`${ids[n]!.slice(0, 12)}  `), line);
      assert.ok(line.endsWith(`  commit number ${n}`), line);
    });
  });

  test('--limit and --json list the same commits', async () => {
    const limited = await lode(['log', 'long', '-n', '1200'], { store });
    assert.equal(limited.code, 0, explain(limited));
    assert.equal(limited.stdout.trimEnd().split('\n').length, 1200);
    const { run, doc } = await lodeJson<{ commits: { id: string; message: string }[] }>(['log', 'long'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual(doc.commits.map((c) => c.id), [...ids].reverse());
    assert.equal(doc.commits[0]!.message, `commit number ${COMMITS - 1}\nbody ${COMMITS - 1}`);
  });
});
