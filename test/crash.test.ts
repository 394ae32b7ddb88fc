// Crash safety: kill -9 snapshots at spread-out instants. After every kill, fsck is clean and a following
// snapshot succeeds; at the end a restore matches the source. The delays are spread over 5 ms..1.5 s and
// the order is shuffled by a printed seed, so a failure can be replayed with LODE_CRASH_SEED.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { explain, finished, lode, lodeJson, suiteDir, spawnLode } from './cli.ts';
import { buildTree, compareTrees, seededBytes, type FixtureEntry } from './tree.ts';

const KILLS = 20;
const MIN_DELAY_MS = 5;
const MAX_DELAY_MS = 1500;
const SEED = Number(process.env.LODE_CRASH_SEED ?? Date.now() % 100_000);

function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** About 60 MB: many small text-like files in nested dirs, plus a few multi-chunk random files. */
function dataset(): FixtureEntry[] {
  const entries: FixtureEntry[] = [];
  const words = ['lode', 'arena', 'chunk', 'blob', 'tree', 'commit', 'branch', 'pack', 'index', 'store'];
  for (let d = 0; d < 30; d++) {
    for (let f = 0; f < 40; f++) {
      const n = (d * 40 + f) % 97;
      const text = Array.from({ length: 200 + n * 20 }, (_, i) => words[(i * 7 + d + f) % words.length]).join(' ');
      entries.push({ path: `docs/d${d}/f${f}.txt`, kind: 'file', content: `${d}/${f}\n${text}\n` });
    }
    entries.push({ path: `docs/d${d}/noise.bin`, kind: 'file', content: seededBytes(64 * 1024 + d * 1000, 1000 + d) });
  }
  for (let b = 0; b < 4; b++) entries.push({ path: `big/b${b}.bin`, kind: 'file', content: seededBytes(13 * 1024 * 1024 + b * 77_777, b) });
  entries.push({ path: 'empty-dir', kind: 'dir' }, { path: 'link', kind: 'symlink', target: 'big/b0.bin' });
  return entries;
}

describe('crash safety: kill -9 during snapshot', () => {
  const work = suiteDir('crash');
  let store: string;
  let src: string;

  before(async () => {
    store = join(work, 'store');
    src = join(work, 'src');
    await buildTree(src, dataset());
  });

  test(`${KILLS} kills between ${MIN_DELAY_MS} ms and ${MAX_DELAY_MS} ms leave a clean store (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
    const random = rng(SEED);
    // Evenly spread delays (so both early and late instants are covered), in shuffled order.
    const delays = Array.from({ length: KILLS }, (_, i) => Math.round(MIN_DELAY_MS + ((MAX_DELAY_MS - MIN_DELAY_MS) * i) / (KILLS - 1)));
    for (let i = delays.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [delays[i], delays[j]] = [delays[j]!, delays[i]!];
    }
    // A snapshot that finishes before its kill shows how long one lasts: later delays are drawn below that,
    // so that the suite still kills KILLS snapshots in flight on a fast machine.
    let fastest = Infinity;
    const nextDelay = (): number => {
      const d = delays.shift() ?? MAX_DELAY_MS;
      return d < fastest ? d : Math.round(MIN_DELAY_MS + random() * (fastest - MIN_DELAY_MS));
    };
    let killed = 0;
    let round = 0;
    const log: string[] = [];
    for (; killed < KILLS && round < 2 * KILLS; round++) {
      const delay = nextDelay();
      // New content each round (two big files, ~26 MB), so every snapshot has chunks to write when it is killed.
      for (const b of [round % 4, (round + 1) % 4]) await writeFile(join(src, `big/b${b}.bin`), seededBytes(13 * 1024 * 1024 + round * 4099, 100 + round * 4 + b));
      await writeFile(join(src, `docs/d${round % 30}/f0.txt`), `round ${round}\n`);

      const started = Date.now();
      const child = spawnLode(['snapshot', src, '--arena', 'crash', '-m', `round ${round}`], { store });
      const done = finished(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const run = await done;
      clearTimeout(timer);
      const where = `round ${round}, kill at ${delay} ms, seed ${SEED}`;
      if (run.signal === 'SIGKILL') {
        killed++;
        log.push(`${delay}`);
      } else {
        assert.equal(run.code, 0, `${where}: finished before its kill but failed: ${explain(run)}`);
        fastest = Math.min(fastest, Date.now() - started);
        log.push(`(${delay}: done in ${Date.now() - started})`);
      }

      const fsck = await lode(['fsck'], { store });
      assert.equal(fsck.code, 0, `fsck (${where}): ${explain(fsck)}`);
      if (run.signal === 'SIGKILL') {
        const next = await lode(['snapshot', src, '--arena', 'crash', '-m', `after round ${round}`], { store });
        assert.equal(next.code, 0, `snapshot after the kill (${where}): ${explain(next)}`);
      }
      if (round % 5 === 4) {
        // gc frees what the killed writers left behind, and must keep everything the commits reach.
        const gc = await lode(['gc'], { store });
        assert.equal(gc.code, 0, `gc (${where}): ${explain(gc)}`);
        const after = await lode(['fsck'], { store });
        assert.equal(after.code, 0, `fsck after gc (${where}): ${explain(after)}`);
      }
    }
    t.diagnostic(`seed ${SEED}: ${killed} kills in ${round} rounds; delays in ms: ${log.join(' ')}`);
    assert.equal(killed, KILLS, `only ${killed} snapshots were still running at their kill in ${round} rounds`);

    const deep = await lode(['fsck', '--read-data'], { store });
    assert.equal(deep.code, 0, explain(deep));
    const { run, doc } = await lodeJson<{ commits: unknown[] }>(['log', 'crash'], { store });
    assert.equal(run.code, 0, explain(run));
    // One commit per round at least (a killed round's is made by the snapshot after it; one killed just
    // after its branch moved has two).
    assert.ok(doc.commits.length >= round && doc.commits.length <= round + killed, `${doc.commits.length} commits in ${round} rounds`);
    const out = join(work, 'restored');
    const restore = await lode(['restore', 'crash', out], { store });
    assert.equal(restore.code, 0, explain(restore));
    assert.deepEqual(await compareTrees(src, out, { mtimeToleranceMs: 1 }), []);
  });
});
