// Worktrees end to end: checkout, status, commit, switch and stash run as child processes inside a bound
// directory, against a temporary store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CommitId, TreeEntry } from '../src/core/index.ts';
import { createCommit, editTree, getBranch, lookupPath, moveBranch, requireArena, writeConflict } from '../src/history/index.ts';
import { openStore } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir, type RunResult } from './cli.ts';

interface Change { change: string; path: string; from?: string }
interface StatusDoc { head: { state: string; branch: string | null; commit: string | null }; changes: Change[]; conflicts: string[]; clean: boolean }

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, explain(r));
  return r;
}

function refused(r: RunResult, exit: number, code: string): void {
  assert.deepEqual([r.code, errorCodeOf(r)], [exit, code], explain(r));
}

async function status(cwd: string): Promise<StatusDoc> {
  const { run, doc } = await lodeJson<StatusDoc>(['status'], { cwd });
  ok(run);
  return doc;
}

const changes = (doc: StatusDoc): string[][] => doc.changes.map((c) => [c.change, c.path, ...(c.from === undefined ? [] : [c.from])]);
const read = (p: string): string => fs.readFileSync(p, 'utf8');

describe('lode checkout, status and commit', () => {
  const dir = suiteDir('worktree');
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');

  test('an unborn worktree takes its first commit, and status is clean after it', async () => {
    ok(await lode(['arena', 'create', 'a'], { store }));
    const { run, doc } = await lodeJson<{ head: StatusDoc['head'] }>(['checkout', 'a', wt], { store });
    ok(run);
    assert.deepEqual(doc.head, { state: 'unborn', branch: 'main', commit: null });
    assert.equal(fs.statSync(join(wt, '.lode')).mode & 0o777, 0o700);
    let s = await status(wt);
    assert.deepEqual([s.head.state, s.changes], ['unborn', []]);
    assert.match(ok(await lode(['status'], { cwd: wt })).stdout, /No commits yet on main/);

    fs.writeFileSync(join(wt, 'one.txt'), 'one\n');
    fs.mkdirSync(join(wt, 'sub'));
    fs.writeFileSync(join(wt, 'sub', 'two.txt'), 'two\n');
    fs.writeFileSync(join(wt, 'move-me.txt'), 'content that moves\n');
    fs.writeFileSync(join(wt, 'delete-me.txt'), 'doomed\n');
    s = await status(wt);
    assert.deepEqual(changes(s), [['added', 'delete-me.txt'], ['added', 'move-me.txt'], ['added', 'one.txt'], ['added', 'sub/two.txt']]);
    const c = await lodeJson<{ commit: string; parents: string[]; head: StatusDoc['head'] }>(['commit', '-m', 'first'], { cwd: wt });
    ok(c.run);
    assert.deepEqual([c.doc.parents, c.doc.head.state, c.doc.head.branch], [[], 'attached', 'main']);
    s = await status(wt);
    assert.deepEqual([s.head, s.changes, s.clean], [{ state: 'attached', branch: 'main', commit: c.doc.commit }, [], true]);
    assert.match(ok(await lode(['status'], { cwd: wt })).stdout, /On branch main\nnothing to commit, working tree clean/);
    const again = await lode(['commit', '-m', 'nothing'], { cwd: wt });
    refused(again, 1, 'NOTHING_TO_COMMIT');
    const verify = await lodeJson<{ ok: boolean }>(['verify', 'a'], { store });
    assert.equal(verify.doc.ok, true);
  });

  test('status sees added, modified, deleted and renamed paths from any subdirectory; commit records them', async () => {
    fs.writeFileSync(join(wt, 'one.txt'), 'one, changed\n');
    fs.rmSync(join(wt, 'delete-me.txt'));
    fs.renameSync(join(wt, 'move-me.txt'), join(wt, 'sub', 'moved.txt'));
    fs.writeFileSync(join(wt, 'new.txt'), 'new\n');
    // Run from a subdirectory, with LODE_STORE pointing elsewhere: the binding names the store.
    const { run, doc } = await lodeJson<StatusDoc>(['status'], { cwd: join(wt, 'sub'), env: { LODE_STORE: join(dir, 'elsewhere') } });
    ok(run);
    assert.deepEqual(changes(doc), [['deleted', 'delete-me.txt'], ['added', 'new.txt'], ['modified', 'one.txt'], ['renamed', 'sub/moved.txt', 'move-me.txt']]);
    assert.ok(!fs.existsSync(join(dir, 'elsewhere')));
    const human = ok(await lode(['status'], { cwd: wt })).stdout;
    assert.match(human, /^ {2}D {2}delete-me\.txt$/m);
    assert.match(human, /^ {2}R {2}move-me\.txt -> sub\/moved\.txt$/m);
    const only = await lodeJson<StatusDoc>(['status', 'sub'], { cwd: wt });
    assert.deepEqual(changes(only.doc), [['renamed', 'sub/moved.txt', 'move-me.txt']]);
    ok(await lode(['commit', '-m', 'second'], { cwd: wt }));
    assert.deepEqual((await status(wt)).changes, []);
    const ls = await lodeJson<{ entries: { path: string }[] }>(['ls', 'a', '-r'], { store });
    const names = JSON.stringify(ls.doc.entries.map((e) => e.path));
    assert.ok(names.includes('moved.txt') && !names.includes('.lode') && !names.includes('delete-me'), names);
    const log = await lodeJson<{ commits: { message: string }[] }>(['log', 'a'], { store });
    assert.deepEqual(log.doc.commits.map((c) => c.message), ['second', 'first']);
    const reflog = await lodeJson<{ entries: { command: string }[] }>(['reflog', 'a', 'main'], { store });
    assert.deepEqual(reflog.doc.entries.map((e) => e.command), ['commit', 'commit']);
  });

  test('a second checkout of the same version holds the same bytes; a non-empty target is refused', async () => {
    const other = join(dir, 'wt2');
    ok(await lode(['checkout', 'a@main', other], { store }));
    for (const p of ['one.txt', 'new.txt', 'sub/two.txt', 'sub/moved.txt']) assert.equal(read(join(other, p)), read(join(wt, p)), p);
    assert.deepEqual((await status(other)).changes, []);
    refused(await lode(['checkout', 'a', other], { store }), 1, 'DIR_NOT_EMPTY');
    const first = (await lodeJson<{ id: string }>(['show', 'a@main~1'], { store })).doc.id;
    const branched = await lodeJson<{ head: StatusDoc['head'] }>(['checkout', 'a@main~1', join(dir, 'wt3'), '--branch', 'old'], { store });
    ok(branched.run);
    assert.deepEqual(branched.doc.head, { state: 'attached', branch: 'old', commit: first });
    assert.ok(fs.existsSync(join(dir, 'wt3', 'delete-me.txt')), 'the older version is written');
    refused(await lode(['checkout', 'a@main', join(dir, 'wt4'), '--branch', 'old'], { store }), 2, 'BRANCH_EXISTS');
    refused(await lode(['checkout', 'nope', join(dir, 'x')], { store }), 4, 'NO_SUCH_ARENA');
    refused(await lode(['checkout', 'a@nosuchrev', join(dir, 'x')], { store }), 4, 'UNKNOWN_REVISION');
    assert.ok(!fs.existsSync(join(dir, 'x')));
  });

  test('hostile and unknown input: paths outside the worktree, outside any worktree, a malformed binding', async () => {
    refused(await lode(['status', '../..'], { cwd: join(wt, 'sub') }), 2, 'PATH_OUTSIDE_WORKTREE');
    refused(await lode(['status', '/etc'], { cwd: wt }), 2, 'PATH_OUTSIDE_WORKTREE');
    refused(await lode(['status', '.lode/worktree.json'], { cwd: wt }), 2, 'PATH_OUTSIDE_WORKTREE');
    refused(await lode(['switch', 'no-such-branch'], { cwd: wt }), 4, 'UNKNOWN_REVISION');
    refused(await lode(['status'], { cwd: dir }), 1, 'NOT_A_WORKTREE');
    const badConfig = join(dir, 'bad.toml');
    fs.writeFileSync(badConfig, '[store]\npath = 7\n');
    refused(await lode(['--config', badConfig, 'status'], { cwd: dir }), 2, 'BAD_CONFIG');
    const bad = join(dir, 'bad');
    fs.mkdirSync(join(bad, '.lode'), { recursive: true });
    fs.writeFileSync(join(bad, '.lode', 'worktree.json'), '{"v": 1, "store": "relative", "arena": "x", "branch": "main"}');
    const r = await lode(['status'], { cwd: bad });
    refused(r, 1, 'BAD_WORKTREE');
    assert.match(r.stderr, /worktree\.json/);
  });
});

describe('lode switch', () => {
  const dir = suiteDir('switch');
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');

  test('switch writes only the paths that differ, attaches to branches and detaches on ids', async () => {
    ok(await lode(['arena', 'create', 'a'], { store }));
    ok(await lode(['checkout', 'a', wt], { store }));
    fs.writeFileSync(join(wt, 'same.txt'), 'never rewritten\n');
    fs.writeFileSync(join(wt, 'differs.txt'), 'main\n');
    ok(await lode(['commit', '-m', 'base'], { cwd: wt }));
    ok(await lode(['switch', '-c', 'feat'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'differs.txt'), 'feat\n');
    fs.writeFileSync(join(wt, 'feat-only.txt'), 'feat only\n');
    ok(await lode(['commit', '-m', 'feat work'], { cwd: wt }));

    const before = fs.statSync(join(wt, 'same.txt'), { bigint: true });
    const { run, doc } = await lodeJson<{ head: StatusDoc['head']; written: string[]; removed: string[] }>(['switch', 'main'], { cwd: wt });
    ok(run);
    assert.deepEqual([doc.head.branch, doc.written, doc.removed], ['main', ['differs.txt'], ['feat-only.txt']]);
    const after = fs.statSync(join(wt, 'same.txt'), { bigint: true });
    assert.deepEqual([after.ino, after.mtimeNs, after.ctimeNs], [before.ino, before.mtimeNs, before.ctimeNs]);
    assert.equal(read(join(wt, 'differs.txt')), 'main\n');
    assert.ok(!fs.existsSync(join(wt, 'feat-only.txt')));

    const feat = (await lodeJson<{ id: string }>(['show', 'a@feat'], { store })).doc.id;
    const detached = await lodeJson<{ head: StatusDoc['head'] }>(['switch', feat.slice(0, 12)], { cwd: wt });
    ok(detached.run);
    assert.deepEqual(detached.doc.head, { state: 'detached', branch: null, commit: feat });
    assert.match(ok(await lode(['status'], { cwd: wt })).stdout, new RegExp(`HEAD detached at ${feat.slice(0, 12)}`));
    const byName = await lodeJson<{ head: StatusDoc['head'] }>(['switch', '--detach', 'main'], { cwd: wt });
    assert.equal(byName.doc.head.state, 'detached');
    ok(await lode(['switch', 'main'], { cwd: wt }));
    refused(await lode(['switch', '-c', 'feat'], { cwd: wt }), 2, 'BRANCH_EXISTS');
  });

  test('switch refuses to clobber local changes (the file is intact), keeps unrelated ones, and --force discards', async () => {
    fs.writeFileSync(join(wt, 'differs.txt'), 'my precious edit\n');
    fs.writeFileSync(join(wt, 'feat-only.txt'), 'an untracked file in the way\n');
    const r = await lode(['switch', 'feat'], { cwd: wt });
    refused(r, 1, 'LOCAL_CHANGES');
    assert.match(r.stderr, /differs\.txt/);
    assert.equal(read(join(wt, 'differs.txt')), 'my precious edit\n');
    assert.equal(read(join(wt, 'feat-only.txt')), 'an untracked file in the way\n');
    assert.equal((await status(wt)).head.branch, 'main', 'HEAD did not move');

    // A change to a path the switch does not touch travels along.
    fs.rmSync(join(wt, 'feat-only.txt'));
    fs.writeFileSync(join(wt, 'differs.txt'), 'main\n');
    fs.writeFileSync(join(wt, 'same.txt'), 'edited, and feat does not change it\n');
    fs.writeFileSync(join(wt, 'scratch.txt'), 'untracked\n');
    ok(await lode(['switch', 'feat'], { cwd: wt }));
    assert.equal(read(join(wt, 'same.txt')), 'edited, and feat does not change it\n');
    assert.equal(read(join(wt, 'differs.txt')), 'feat\n');
    assert.deepEqual(changes(await status(wt)), [['modified', 'same.txt'], ['added', 'scratch.txt']]);

    fs.writeFileSync(join(wt, 'differs.txt'), 'to be discarded\n');
    refused(await lode(['switch', 'main'], { cwd: wt }), 1, 'LOCAL_CHANGES');
    ok(await lode(['switch', '--force', 'main'], { cwd: wt }));
    assert.equal(read(join(wt, 'differs.txt')), 'main\n');
    assert.equal(read(join(wt, 'same.txt')), 'never rewritten\n');
    assert.equal(read(join(wt, 'scratch.txt')), 'untracked\n', 'a file HEAD never had is kept');
    assert.deepEqual(changes(await status(wt)), [['added', 'scratch.txt']]);
    fs.rmSync(join(wt, 'scratch.txt'));
  });

  test('a commit on a detached HEAD moves only the binding, and the reflog keeps it through gc', async () => {
    const main = (await lodeJson<{ id: string }>(['show', 'a@main'], { store })).doc.id;
    ok(await lode(['switch', '--detach', 'main'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'detached.txt'), 'made while detached\n');
    const c = await lodeJson<{ commit: string; parents: string[]; head: StatusDoc['head'] }>(['commit', '-m', 'detached work'], { cwd: wt });
    ok(c.run);
    assert.deepEqual([c.doc.parents, c.doc.head], [[main], { state: 'detached', branch: null, commit: c.doc.commit }]);
    assert.equal(JSON.parse(read(join(wt, '.lode', 'worktree.json'))).commit, c.doc.commit);
    assert.equal((await lodeJson<{ id: string }>(['show', 'a@main'], { store })).doc.id, main, 'main did not move');
    ok(await lode(['switch', 'main'], { cwd: wt }));
    ok(await lode(['gc'], { store }));
    const shown = await lodeJson<{ id: string }>(['show', `a@${c.doc.commit}`], { store });
    assert.equal(shown.doc.id, c.doc.commit);
    assert.ok(!fs.existsSync(join(wt, 'detached.txt')));
  });

  test('a tree that holds .lode at its root is refused by checkout and switch', async () => {
    const src = join(dir, 'hostile');
    fs.mkdirSync(join(src, '.lode'), { recursive: true });
    fs.writeFileSync(join(src, '.lode', 'evil'), 'not a binding, but in the way of one\n');
    fs.writeFileSync(join(src, 'x.txt'), 'x\n');
    ok(await lode(['snapshot', src, '--arena', 'h'], { store }));
    refused(await lode(['checkout', 'h', join(dir, 'h1')], { store }), 1, 'RESERVED_PATH');
    const hostile = (await lodeJson<{ id: string }>(['show', 'h'], { store })).doc.id;
    ok(await lode(['branch', 'a', 'create', 'evil', hostile], { store }));
    refused(await lode(['switch', 'evil'], { cwd: wt }), 1, 'RESERVED_PATH');
    const binding = JSON.parse(read(join(wt, '.lode', 'worktree.json'))) as { branch?: string };
    assert.equal(binding.branch, 'main', 'the binding is untouched');
  });
});

describe('lode stash', () => {
  const dir = suiteDir('stash');
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');
  const binary = randomBytes(300_000);

  test('push, list and pop round-trip content exactly; drop removes one entry', async () => {
    ok(await lode(['arena', 'create', 'a'], { store }));
    ok(await lode(['checkout', 'a', wt], { store }));
    fs.writeFileSync(join(wt, 'text.txt'), 'base\n');
    fs.writeFileSync(join(wt, 'doomed.txt'), 'will be deleted\n');
    refused(await lode(['stash'], { cwd: wt }), 4, 'NO_COMMITS');
    ok(await lode(['commit', '-m', 'base'], { cwd: wt }));
    refused(await lode(['stash', 'push'], { cwd: wt }), 1, 'NOTHING_TO_STASH');

    fs.writeFileSync(join(wt, 'text.txt'), 'edited\n');
    fs.rmSync(join(wt, 'doomed.txt'));
    fs.mkdirSync(join(wt, 'new'));
    fs.writeFileSync(join(wt, 'new', 'blob.bin'), binary);
    fs.chmodSync(join(wt, 'new', 'blob.bin'), 0o750);
    const pushed = await lodeJson<{ stash: { name: string; commit: string; parent: string } }>(['stash', 'push', '-m', 'my work'], { cwd: wt });
    ok(pushed.run);
    assert.equal(pushed.doc.stash.name, 'stash@{0}');
    assert.deepEqual((await status(wt)).changes, [], 'the worktree is back at HEAD');
    assert.equal(read(join(wt, 'text.txt')), 'base\n');
    assert.equal(read(join(wt, 'doomed.txt')), 'will be deleted\n');
    assert.ok(!fs.existsSync(join(wt, 'new', 'blob.bin')));

    fs.writeFileSync(join(wt, 'text.txt'), 'second stash\n');
    ok(await lode(['stash'], { cwd: wt }));
    const list = await lodeJson<{ stashes: { name: string; message: string }[] }>(['stash', 'list'], { cwd: wt });
    assert.deepEqual(list.doc.stashes.map((s) => s.name), ['stash@{0}', 'stash@{1}']);
    assert.equal(list.doc.stashes[1]!.message, 'my work');
    const dropped = await lodeJson<{ stash: { message: string } }>(['stash', 'drop'], { cwd: wt });
    ok(dropped.run);
    assert.match(dropped.doc.stash.message, /^WIP on main/);

    const pop = await lodeJson<{ merged: boolean; dropped: boolean }>(['stash', 'pop'], { cwd: wt });
    ok(pop.run);
    assert.deepEqual([pop.doc.merged, pop.doc.dropped], [false, true]);
    assert.equal(read(join(wt, 'text.txt')), 'edited\n');
    assert.ok(!fs.existsSync(join(wt, 'doomed.txt')));
    assert.ok(fs.readFileSync(join(wt, 'new', 'blob.bin')).equals(binary));
    assert.equal(fs.statSync(join(wt, 'new', 'blob.bin')).mode & 0o777, 0o750);
    assert.deepEqual(changes(await status(wt)), [['deleted', 'doomed.txt'], ['added', 'new/blob.bin'], ['modified', 'text.txt']]);
    assert.deepEqual((await lodeJson<{ stashes: unknown[] }>(['stash', 'list'], { cwd: wt })).doc.stashes, []);
    refused(await lode(['stash', 'pop'], { cwd: wt }), 1, 'NO_SUCH_STASH');
    refused(await lode(['stash', 'drop', 'stash@{x}'], { cwd: wt }), 2, 'BAD_ARGUMENT');
  });

  test('pop onto a moved HEAD or a dirty worktree merges the stash in', async () => {
    ok(await lode(['commit', '-m', 'everything'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'text.txt'), 'line 1\nline 2\nline 3\n');
    ok(await lode(['commit', '-m', 'three lines'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'text.txt'), 'line 1\nline 2\nline 3 from the stash\n');
    ok(await lode(['stash'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'text.txt'), 'line 1 from HEAD\nline 2\nline 3\n');
    ok(await lode(['commit', '-m', 'head moved'], { cwd: wt }));
    fs.writeFileSync(join(wt, 'other.txt'), 'a local change\n');
    const pop = await lodeJson<{ merged: boolean; dropped: boolean; conflicts: string[] }>(['stash', 'pop'], { cwd: wt });
    ok(pop.run);
    assert.deepEqual([pop.doc.merged, pop.doc.dropped, pop.doc.conflicts], [true, true, []]);
    assert.equal(read(join(wt, 'text.txt')), 'line 1 from HEAD\nline 2\nline 3 from the stash\n');
    assert.equal(read(join(wt, 'other.txt')), 'a local change\n');
  });
});

describe('conflict entries in HEAD', () => {
  const dir = suiteDir('wt-conflict');
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');

  test('are shown as C with their work side, carried forward by commit until the file is edited', async () => {
    const src = join(dir, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(join(src, 'c.txt'), 'ours\n');
    fs.writeFileSync(join(src, 'plain.txt'), 'plain\n');
    ok(await lode(['snapshot', src, '--arena', 'a', '-m', 'base'], { store }));
    const s = await openStore(store);
    let conflicted: CommitId;
    try {
      const arena = requireArena(s, 'a');
      const base = getBranch(s, arena.id, 'main')!;
      const tree = (await s.typed.getCommit(base)).tree;
      const ours = await lookupPath(s, tree, 'c.txt') as TreeEntry & { kind: 'file' };
      const bytes = Buffer.from('<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n');
      const work = await s.blobs.write((async function* () { yield bytes; })());
      const theirs = await s.blobs.write((async function* () { yield Buffer.from('theirs\n'); })());
      const entry = await writeConflict(s, 'c.txt', { ours, theirs: { ...ours, blob: theirs.id, size: theirs.size }, work: { ...ours, blob: work.id, size: work.size } });
      const merged = await editTree(s, tree, new Map([['c.txt', entry]]));
      conflicted = await createCommit(s, { tree: merged, parents: [base], message: 'a merge with a conflict' });
      await moveBranch(s, arena.id, 'main', conflicted, { command: 'test', reason: 'plant a conflict', expect: base });
    } finally {
      await s.close();
    }
    ok(await lode(['checkout', 'a', wt], { store }));
    assert.match(read(join(wt, 'c.txt')), /^<<<<<<< ours/);
    let st = await status(wt);
    assert.deepEqual([changes(st), st.conflicts], [[['conflicted', 'c.txt']], ['c.txt']]);
    assert.match(ok(await lode(['status'], { cwd: wt })).stdout, /^ {2}C {2}c\.txt$/m);

    fs.writeFileSync(join(wt, 'plain.txt'), 'plain, edited\n');
    const c1 = await lodeJson<{ commit: string; tree: string; conflicts: string[] }>(['commit', '-m', 'unrelated edit'], { cwd: wt });
    ok(c1.run);
    assert.deepEqual(c1.doc.conflicts, ['c.txt']);
    const ls = await lodeJson<{ entries: { path: string; kind: string }[] }>(['ls', 'a'], { store });
    assert.equal(ls.doc.entries.find((e) => e.path === 'c.txt')?.kind, 'conflict', JSON.stringify(ls.doc));
    st = await status(wt);
    assert.deepEqual(changes(st), [['conflicted', 'c.txt']]);

    fs.writeFileSync(join(wt, 'c.txt'), 'resolved\n');
    st = await status(wt);
    assert.deepEqual([changes(st), st.conflicts], [[['modified', 'c.txt']], []]);
    ok(await lode(['commit', '-m', 'resolve'], { cwd: wt }));
    const after = await lodeJson<{ entries: { path: string; kind: string }[] }>(['ls', 'a'], { store });
    assert.equal(after.doc.entries.find((e) => e.path === 'c.txt')?.kind, 'file');
    assert.deepEqual((await status(wt)).changes, []);
  });
});
