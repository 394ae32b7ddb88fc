// Reflog expiry (history.reflog_expire, applied by `lode gc`), tag changes in the reflog, and the line
// diffs of `lode show`: unit tests of expireReflog with an injected clock, then the CLI end to end.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { CommitId } from '../src/core/index.ts';
import { createArena, createTag, deleteTag, expireReflog, moveBranch, readReflog, rootCommits } from '../src/history/index.ts';
import { commit } from '../src/history/testing/fixtures.ts';
import { memoryStore } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';
import { twoSnapshots } from './history-fixture.ts';

const how = { command: 'lode test', reason: 'test' };
const DAY = 24 * 60 * 60 * 1000;

describe('expireReflog', () => {
  test('removes exactly the rows older than the limit; their commits stop being roots, heads stay', async () => {
    const store = memoryStore();
    const a = await createArena(store, 'a');
    const old = await commit(store, 'old');
    const head = await commit(store, 'head', [old]);
    await moveBranch(store, a.id, 'main', old, how);
    await moveBranch(store, a.id, 'main', head, how);
    assert.deepEqual(rootCommits(store), [head, old].sort());
    const written = Date.now();
    // Not yet old enough: nothing goes.
    assert.equal(await expireReflog(store, 30 * DAY, written + 29 * DAY), 0);
    assert.equal(readReflog(store, a.id).length, 2);
    assert.equal(await expireReflog(store, 30 * DAY, written + 31 * DAY), 2);
    assert.deepEqual(readReflog(store, a.id), []);
    assert.deepEqual(rootCommits(store), [head]);
    // A later move still gets logged and sorts first (the counter survived).
    await moveBranch(store, a.id, 'main', old, how);
    assert.deepEqual(readReflog(store, a.id).map((e) => [e.old, e.new]), [[head, old]]);
    assert.equal(await expireReflog(store, 30 * DAY, Date.now()), 0, 'a new row is not old');
  });

  test('a negative age is refused', async () => {
    await assert.rejects(expireReflog(memoryStore(), -1, Date.now()), { code: 'BAD_REFLOG_EXPIRY' });
  });
});

describe('tags in the reflog', () => {
  test('createTag and deleteTag append tag:NAME rows; a deleted tag stays a root until the row expires', async () => {
    const store = memoryStore();
    const a = await createArena(store, 'a');
    const c1 = await commit(store, 'one');
    assert.equal(await createTag(store, a.id, 'v1', c1), true);
    assert.equal(await createTag(store, a.id, 'v1', c1), false);
    await deleteTag(store, a.id, 'v1');
    const rows = readReflog(store, a.id);
    assert.deepEqual(rows.map((e) => [e.branch, e.old, e.new, e.command]), [['tag:v1', c1, null, 'tag delete'], ['tag:v1', null, c1, 'tag create']]);
    assert.deepEqual(readReflog(store, a.id, 'tag:v1').length, 2);
    assert.deepEqual(rootCommits(store), [c1]);
    assert.equal(await expireReflog(store, 0, Date.now() + 1), 2);
    assert.deepEqual(rootCommits(store), []);
  });
});


describe('lode gc expires the reflog (history.reflog_expire)', () => {
  const dir = suiteDir('reflog-expiry');
  const store = join(dir, 'store');
  let c1: CommitId;
  let c2: CommitId;

  before(async () => {
    [c1, c2] = await twoSnapshots(dir, store);
  });

  test('a bad reflog_expire is refused by the config loader (BAD_CONFIG, exit 2)', async () => {
    const config = join(dir, 'bad.toml');
    await writeFile(config, '[history]\nreflog_expire = "30 days"\n');
    const r = await lode(['gc'], { store, env: { LODE_CONFIG: config } });
    assert.deepEqual([r.code, errorCodeOf(r)], [2, 'BAD_CONFIG'], explain(r));
    assert.match(r.stderr, /history\.reflog_expire/);
  });

  test('"never" keeps the reset-away commit; "0h" expires its row and gc frees it, the head stays', async () => {
    const reset = await lodeJson<{ new: string }>(['reset', 'a', 'main~1'], { store });
    assert.equal(reset.doc.new, c1, explain(reset.run));

    const never = join(dir, 'never.toml');
    await writeFile(never, '[history]\nreflog_expire = "never"\n');
    let gc = await lodeJson<{ reflogExpired: number }>(['gc'], { store, env: { LODE_CONFIG: never } });
    assert.deepEqual([gc.run.code, gc.doc.reflogExpired], [0, 0], explain(gc.run));
    let cat = await lode(['cat', `a@${c2}:two.txt`], { store });
    assert.equal(cat.stdout, 'second\n', explain(cat));

    // The default (30d) keeps it too: every row is minutes old.
    gc = await lodeJson<{ reflogExpired: number }>(['gc'], { store });
    assert.deepEqual([gc.run.code, gc.doc.reflogExpired], [0, 0], explain(gc.run));

    const now = join(dir, 'now.toml');
    await writeFile(now, '[history]\nreflog_expire = "0h"\n');
    gc = await lodeJson<{ reflogExpired: number }>(['gc'], { store, env: { LODE_CONFIG: now } });
    assert.equal(gc.run.code, 0, explain(gc.run));
    assert.ok(gc.doc.reflogExpired >= 3, `expired ${gc.doc.reflogExpired} rows (two snapshots and a reset)`);
    const log = await lodeJson<{ entries: unknown[] }>(['reflog', 'a'], { store });
    assert.deepEqual(log.doc.entries, []);
    cat = await lode(['cat', `a@${c2}:two.txt`], { store });
    assert.equal(cat.code, 4, explain(cat));
    const head = await lode(['cat', 'a@main:one.txt'], { store });
    assert.equal(head.stdout, 'first\n', explain(head));
  });
});

describe('lode tag and show on the command line', () => {
  const dir = suiteDir('reflog-tags');
  const store = join(dir, 'store');
  let c1: CommitId;

  before(async () => {
    [c1] = await twoSnapshots(dir, store);
  });

  test('tag create and delete show in `lode reflog ARENA`', async () => {
    let r = await lodeJson(['tag', 'a', 'create', 'v1', 'main~1'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    r = await lodeJson(['tag', 'a', 'delete', 'v1'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    const log = await lodeJson<{ entries: { branch: string; old: string | null; new: string | null }[] }>(['reflog', 'a'], { store });
    assert.deepEqual(log.doc.entries.slice(0, 2).map((e) => [e.branch, e.old, e.new]), [['tag:v1', c1, null], ['tag:v1', null, c1]]);
    const human = await lode(['reflog', 'a'], { store });
    assert.match(human.stdout, /^tag:v1: .* -> \(none\)/m);
  });

  test('show prints the unified line diff after the path lines', async () => {
    const show = await lode(['show', 'a'], { store });
    assert.equal(show.code, 0, explain(show));
    const out = show.stdout;
    assert.match(out, /^M one\.txt$/m);
    assert.match(out, /^diff --lode a\/one\.txt b\/one\.txt$/m);
    assert.match(out, /^-first$/m);
    assert.match(out, /^\+first, changed$/m);
    assert.match(out, /^\+\+\+ b\/two\.txt$/m);
    assert.match(out, /^\+second$/m);
    assert.ok(out.indexOf('+ two.txt') < out.indexOf('diff --lode'), 'path lines come first');
    const json = await lodeJson<{ changes: unknown[] }>(['show', 'a'], { store });
    assert.equal(json.doc.changes.length, 2, 'json stays the path-level document');
  });
});
