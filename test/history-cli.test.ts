// The history commands end to end: verify (and fsck's signature check), branch, tag, reflog, reset and
// show, run as child processes against a temporary store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { commitSigningBytes, generateKeypair, signBytes, type CommitId } from '../src/core/index.ts';
import { moveBranch, requireArena } from '../src/history/index.ts';
import { openStore } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';
import { twoSnapshots } from './history-fixture.ts';


describe('lode verify and fsck signatures', () => {
  const dir = suiteDir('history-verify');
  const store = join(dir, 'store');
  let c2: CommitId;
  let zeroed: CommitId;
  let forged: CommitId;

  before(async () => {
    [, c2] = await twoSnapshots(dir, store);
  });

  test('verify prints the author of a well-signed commit and exits 0', async () => {
    const { run, doc } = await lodeJson<{ commit: string; author: string; signature: string; ok: boolean }>(['verify', 'a@main'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual([doc.commit, doc.signature, doc.ok], [c2, 'good', true]);
    const id = await lodeJson<{ node_id?: string; nodeId?: string; id?: string }>(['id'], { store });
    assert.ok(Object.values(id.doc).includes(doc.author), `author ${doc.author} is this node`);
    const human = await lode(['verify', 'a'], { store });
    assert.match(human.stdout, new RegExp(`author ${doc.author}`));
    const fsck = await lode(['fsck'], { store });
    assert.equal(fsck.code, 0, explain(fsck));
  });

  test('a zeroed or foreign signature fails verify (BAD_SIGNATURE, exit 5) and fsck names the commits', async () => {
    const s = await openStore(store);
    try {
      const arena = requireArena(s, 'a');
      const base = await s.typed.getCommit(c2);
      const unsigned = { tree: base.tree, parents: [c2], author: s.identity.nodeId, time: base.time + 1, message: 'zeroed' };
      zeroed = await s.typed.putCommit({ ...unsigned, sig: new Uint8Array(64) });
      const other = { ...unsigned, parents: [zeroed], message: 'forged' };
      forged = await s.typed.putCommit({ ...other, sig: signBytes(generateKeypair().secretKey, commitSigningBytes(other)) });
      await moveBranch(s, arena.id, 'bad', forged, { command: 'test', reason: 'plant bad signatures' });
    } finally {
      await s.close();
    }
    for (const rev of ['bad', 'bad~1']) {
      const r = await lode(['verify', `a@${rev}`], { store });
      assert.equal(r.code, 5, explain(r));
      assert.equal(errorCodeOf(r), 'BAD_SIGNATURE');
    }
    const { run, doc } = await lodeJson<{ ok: boolean; errors: { code: string; id: string }[] }>(['fsck'], { store });
    assert.equal(run.code, 1, explain(run));
    assert.equal(doc.ok, false);
    const bad = doc.errors.filter((e) => e.code === 'BAD_SIGNATURE').map((e) => e.id).sort();
    assert.deepEqual(bad, [zeroed, forged].sort());
    const show = await lodeJson<{ signature: string }>(['show', 'a@bad'], { store });
    assert.equal(show.doc.signature, 'bad');
  });
});

describe('lode branch, tag, reflog, reset and show', () => {
  const dir = suiteDir('history-cli');
  const store = join(dir, 'store');
  let c1: CommitId;
  let c2: CommitId;

  before(async () => {
    [c1, c2] = await twoSnapshots(dir, store);
  });

  test('branch create, list, rename and delete, with clear refusals', async () => {
    let r = await lodeJson<{ commit: string }>(['branch', 'a', 'create', 'feat', 'main~1'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    assert.equal(r.doc.commit, c1);
    let e = await lode(['branch', 'a', 'create', 'feat'], { store });
    assert.deepEqual([e.code, errorCodeOf(e)], [2, 'BRANCH_EXISTS'], explain(e));
    r = await lodeJson(['branch', 'a', 'rename', 'feat', 'feat2'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    e = await lode(['branch', 'a', 'rename', 'feat2', 'main', '--force'], { store });
    assert.deepEqual([e.code, errorCodeOf(e)], [2, 'BRANCH_EXISTS'], explain(e));
    const list = await lodeJson<{ branches: { name: string; commit: string }[] }>(['branch', 'a'], { store });
    assert.deepEqual(list.doc.branches, [{ name: 'feat2', commit: c1 }, { name: 'main', commit: c2 }]);
    const log = await lodeJson<{ entries: { branch: string; old: string | null; new: string | null; command: string }[] }>(['reflog', 'a'], { store });
    assert.deepEqual(log.doc.entries.slice(0, 2).map((x) => [x.branch, x.old, x.new, x.command]), [['feat2', null, c1, 'branch rename'], ['feat', c1, null, 'branch rename']]);
    e = await lode(['branch', 'a', 'delete', 'main'], { store });
    assert.deepEqual([e.code, errorCodeOf(e)], [2, 'NEEDS_FORCE'], explain(e));
    e = await lode(['branch', 'a', 'delete', 'nope'], { store });
    assert.deepEqual([e.code, errorCodeOf(e)], [4, 'NO_SUCH_BRANCH'], explain(e));
    e = await lode(['branch', 'a', 'frob'], { store });
    assert.equal(e.code, 2, explain(e));
    r = await lodeJson(['branch', 'a', 'delete', 'feat2'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    const after = await lodeJson<{ branches: { name: string }[] }>(['branch', 'a', 'list'], { store });
    assert.deepEqual(after.doc.branches.map((b) => b.name), ['main']);
  });

  test('tags never move, resolve as revisions and can be deleted', async () => {
    let r = await lodeJson<{ created: boolean; commit: string }>(['tag', 'a', 'create', 'v1', 'main~1'], { store });
    assert.deepEqual([r.run.code, r.doc.created, r.doc.commit], [0, true, c1], explain(r.run));
    r = await lodeJson(['tag', 'a', 'create', 'v1', c1.slice(0, 12)], { store });
    assert.deepEqual([r.run.code, r.doc.created], [0, false], explain(r.run));
    const e = await lode(['tag', 'a', 'create', 'v1', 'main'], { store });
    assert.deepEqual([e.code, errorCodeOf(e)], [2, 'TAG_EXISTS'], explain(e));
    const show = await lodeJson<{ id: string }>(['show', 'a@v1'], { store });
    assert.equal(show.doc.id, c1);
    const list = await lodeJson<{ tags: { name: string; commit: string }[] }>(['tag', 'a'], { store });
    assert.deepEqual(list.doc.tags.map((t) => [t.name, t.commit]), [['v1', c1]]);
    r = await lodeJson(['tag', 'a', 'delete', 'v1'], { store });
    assert.equal(r.run.code, 0, explain(r.run));
    const gone = await lode(['tag', 'a', 'delete', 'v1'], { store });
    assert.deepEqual([gone.code, errorCodeOf(gone)], [4, 'NO_SUCH_TAG'], explain(gone));
    const tagLog = await lodeJson<{ entries: { branch: string; old: string | null; new: string | null }[] }>(['reflog', 'a', 'tag:v1'], { store });
    assert.deepEqual(tagLog.doc.entries.map((x) => [x.branch, x.old, x.new]), [['tag:v1', c1, null], ['tag:v1', null, c1]]);
    const bad = await lode(['reflog', 'a', 'tag:a b'], { store });
    assert.deepEqual([bad.code, errorCodeOf(bad)], [2, 'BAD_TAG_NAME'], explain(bad));
  });

  test('show prints the commit and its diff against the first parent', async () => {
    const { run, doc } = await lodeJson<{ id: string; parents: string[]; message: string; signature: string; changes: { change: string; path: string }[] }>(['show', 'a'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.deepEqual([doc.id, doc.parents, doc.message, doc.signature], [c2, [c1], 'second', 'good']);
    assert.deepEqual(doc.changes.map((c) => [c.change, c.path]), [['modified', 'one.txt'], ['added', 'two.txt']]);
    const human = await lode(['show', `a@${c1}`], { store });
    assert.equal(human.code, 0, explain(human));
    assert.match(human.stdout, /^\+ one\.txt$/m);
    assert.match(human.stdout, /signature good/);
  });

  test('reset moves main back; after gc the superseded commit is still readable and in the reflog', async () => {
    const r = await lodeJson<{ old: string; new: string }>(['reset', 'a', 'main~1'], { store });
    assert.deepEqual([r.run.code, r.doc.old, r.doc.new], [0, c2, c1], explain(r.run));
    const gc = await lode(['gc'], { store });
    assert.equal(gc.code, 0, explain(gc));
    const log = await lodeJson<{ entries: { old: string | null; new: string | null; command: string }[] }>(['reflog', 'a', 'main'], { store });
    assert.deepEqual([log.doc.entries[0]?.old, log.doc.entries[0]?.new, log.doc.entries[0]?.command], [c2, c1, 'reset']);
    const old = await lodeJson<{ id: string }>(['show', `a@${c2}`], { store });
    assert.equal(old.doc.id, c2, explain(old.run));
    const cat = await lode(['cat', `a@${c2}:two.txt`], { store });
    assert.equal(cat.stdout, 'second\n', explain(cat));
    const back = await lodeJson<{ new: string }>(['reset', 'a', c2, '--branch', 'main'], { store });
    assert.equal(back.doc.new, c2, explain(back.run));
    const missing = await lode(['reset', 'a', 'main', '--branch', 'nope'], { store });
    assert.deepEqual([missing.code, errorCodeOf(missing)], [4, 'NO_SUCH_BRANCH'], explain(missing));
    const unknown = await lode(['reset', 'a', 'nosuchrev'], { store });
    assert.equal(unknown.code, 4, explain(unknown));
  });
});
