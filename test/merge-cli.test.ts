// merge, conflicts, resolve and revert end to end: in a worktree (files follow the branch) and on a
// branch of an arena with no worktree (what sync does), as child processes against a temporary store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { errorCodeOf, explain, lode, lodeJson, suiteDir, type RunResult } from './cli.ts';

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, explain(r));
  return r;
}

function refused(r: RunResult, exit: number, code: string): void {
  assert.deepEqual([r.code, errorCodeOf(r)], [exit, code], explain(r));
}

interface MergeDoc { result: string; commit: string; conflicts: string[] }
interface ConflictsDoc { conflicts: { path: string; state: string; ours: { blob?: string } | null; theirs: { blob?: string } | null }[] }

const read = (p: string): string => fs.readFileSync(p, 'utf8');

/** A worktree on main with f.txt (text) and b.dat (binary), and a branch feat that changed both differently. */
async function divergedWorktree(dir: string): Promise<{ store: string; wt: string }> {
  const store = join(dir, 'store');
  const wt = join(dir, 'wt');
  ok(await lode(['arena', 'create', 'a'], { store }));
  ok(await lode(['checkout', 'a', wt], { store }));
  const at = (name: string): string => join(wt, name);
  fs.writeFileSync(at('f.txt'), 'l1\nl2\nl3\nl4\nl5\n');
  fs.writeFileSync(at('b.dat'), Buffer.from('base\0'));
  fs.writeFileSync(at('keep.txt'), 'untouched\n');
  ok(await lode(['commit', '-m', 'base'], { cwd: wt }));
  ok(await lode(['switch', '-c', 'feat'], { cwd: wt }));
  fs.writeFileSync(at('f.txt'), 'l1 feat\nl2\nl3 feat\nl4\nl5\n');
  fs.writeFileSync(at('b.dat'), Buffer.from('feat\0'));
  fs.writeFileSync(at('new.txt'), 'from feat\n');
  ok(await lode(['commit', '-m', 'feat work'], { cwd: wt }));
  ok(await lode(['switch', 'main'], { cwd: wt }));
  fs.writeFileSync(at('f.txt'), 'l1\nl2\nl3 main\nl4\nl5 main\n');
  fs.writeFileSync(at('b.dat'), Buffer.from('main\0'));
  ok(await lode(['commit', '-m', 'main work'], { cwd: wt }));
  return { store, wt };
}

describe('lode merge, conflicts and resolve in a worktree', () => {
  const dir = suiteDir('merge-cli');
  let wt: string;
  let store: string;

  before(async () => {
    ({ store, wt } = await divergedWorktree(dir));
  });

  test('local changes in the way are refused, and the file is left as it was', async () => {
    fs.writeFileSync(join(wt, 'new.txt'), 'mine, not committed\n');
    refused(await lode(['merge', 'feat'], { cwd: wt }), 1, 'LOCAL_CHANGES');
    assert.equal(read(join(wt, 'new.txt')), 'mine, not committed\n');
    fs.rmSync(join(wt, 'new.txt'));
  });

  test('a merge records its conflicts in the commit (exit 1) and writes the files', async () => {
    const { run, doc } = await lodeJson<MergeDoc>(['merge', 'feat'], { cwd: wt });
    assert.equal(run.code, 1, explain(run));
    assert.deepEqual([doc.result, doc.conflicts], ['merge', ['b.dat', 'f.txt']]);
    assert.equal(read(join(wt, 'new.txt')), 'from feat\n', 'a path changed on one side only is merged');
    assert.equal(read(join(wt, 'f.txt')), 'l1 feat\nl2\n<<<<<<< ours\nl3 main\n=======\nl3 feat\n>>>>>>> theirs\nl4\nl5 main\n');
    assert.deepEqual(fs.readFileSync(join(wt, 'b.dat')), Buffer.from('main\0'), 'a binary conflict shows ours whole');
    const log = await lodeJson<{ commits: { id: string; parents: string[] }[] }>(['log', 'a'], { store });
    assert.equal(log.doc.commits[0]!.id, doc.commit);
    assert.equal(log.doc.commits[0]!.parents.length, 2);

    const listed = await lodeJson<ConflictsDoc>(['conflicts'], { cwd: wt });
    ok(listed.run);
    assert.deepEqual(listed.doc.conflicts.map((c) => [c.path, c.state]), [['b.dat', 'both modified'], ['f.txt', 'both modified']]);
    // Both sides stay retrievable, in the worktree's arena and from anywhere.
    assert.deepEqual(ok(await lode(['cat', 'a:b.dat', '--side', 'theirs'], { store })).stdoutBytes, Buffer.from('feat\0'));
    assert.deepEqual(ok(await lode(['cat', 'a:b.dat', '--side', 'ours'], { store })).stdoutBytes, Buffer.from('main\0'));
    refused(await lode(['cat', 'a:keep.txt', '--side', 'ours'], { store }), 2, 'NOT_A_CONFLICT');
    const s = await lodeJson<{ conflicts: string[]; clean: boolean }>(['status'], { cwd: wt });
    assert.deepEqual([s.doc.conflicts, s.doc.clean], [['b.dat', 'f.txt'], false]);
  });

  test('resolve takes a side, and an edit plus commit settles the other', async () => {
    ok(await lode(['resolve', 'b.dat', '--take', 'theirs'], { cwd: wt }));
    assert.deepEqual(fs.readFileSync(join(wt, 'b.dat')), Buffer.from('feat\0'));
    refused(await lode(['resolve', 'b.dat', '--take', 'ours'], { cwd: wt }), 2, 'NOT_A_CONFLICT');
    refused(await lode(['resolve', '../outside', '--take', 'ours'], { cwd: wt }), 2, 'PATH_OUTSIDE_WORKTREE');
    fs.writeFileSync(join(wt, 'f.txt'), 'l1 feat\nl2\nl3 both\nl4\nl5 main\n');
    ok(await lode(['commit', '-m', 'settle f.txt'], { cwd: wt }));
    const listed = await lodeJson<ConflictsDoc>(['conflicts'], { cwd: wt });
    assert.deepEqual(listed.doc.conflicts, []);
    assert.equal(ok(await lode(['cat', 'a:f.txt'], { store })).stdout, 'l1 feat\nl2\nl3 both\nl4\nl5 main\n');
  });

  test('merging again is up to date; revert undoes a commit and writes the files', async () => {
    const again = await lodeJson<MergeDoc>(['merge', 'feat'], { cwd: wt });
    assert.deepEqual([again.run.code, again.doc.result], [0, 'up-to-date'], explain(again.run));
    const log = await lodeJson<{ commits: { id: string; message: string }[] }>(['log', 'a'], { store });
    const settle = log.doc.commits.find((c) => c.message === 'settle f.txt')!;
    ok(await lode(['revert', settle.id.slice(0, 12)], { cwd: wt }));
    assert.equal(read(join(wt, 'f.txt')), 'l1 feat\nl2\n<<<<<<< ours\nl3 main\n=======\nl3 feat\n>>>>>>> theirs\nl4\nl5 main\n');
    const listed = await lodeJson<ConflictsDoc>(['conflicts'], { cwd: wt });
    assert.deepEqual(listed.doc.conflicts.map((c) => c.path), ['f.txt'], 'reverting the settlement brings the recorded conflict back');
    // HEAD names the branch's commit inside a worktree: reverting the revert settles it again.
    ok(await lode(['revert', 'HEAD'], { cwd: wt }));
    assert.equal(read(join(wt, 'f.txt')), 'l1 feat\nl2\nl3 both\nl4\nl5 main\n');
    assert.deepEqual((await lodeJson<ConflictsDoc>(['conflicts'], { cwd: wt })).doc.conflicts, []);
    refused(await lode(['revert', 'HEAD~99'], { cwd: wt }), 4, 'NO_PARENT');
  });

  test('lode snapshot of a worktree directory leaves its .lode binding out', async () => {
    ok(await lode(['snapshot', wt, '--arena', 'copy'], { store }));
    const ls = await lodeJson<{ entries: { path: string }[] }>(['ls', 'copy'], { store });
    const onDisk = fs.readdirSync(wt).filter((n) => n !== '.lode').sort();
    assert.ok(fs.existsSync(join(wt, '.lode')) && onDisk.includes('f.txt'));
    assert.deepEqual(ls.doc.entries.map((e) => e.path).sort(), onDisk);
  });
});

describe('lode merge, resolve and revert on a branch, with no worktree', () => {
  const dir = suiteDir('merge-branch');
  const store = join(dir, 'store');
  const src = join(dir, 'src');

  before(async () => {
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(join(src, 'x.txt'), 'one\ntwo\nthree\n');
    ok(await lode(['snapshot', src, '--arena', 'a', '-m', 'base'], { store }));
    ok(await lode(['branch', 'a', 'create', 'side'], { store }));
    fs.writeFileSync(join(src, 'x.txt'), 'one\ntwo\nthree, changed on main\n');
    ok(await lode(['snapshot', src, '--arena', 'a', '-m', 'main edit'], { store }));
  });

  test('fast-forward, then a clean three-way merge', async () => {
    const ff = await lodeJson<MergeDoc>(['merge', 'a@main', '--into', 'side'], { store });
    assert.deepEqual([ff.run.code, ff.doc.result], [0, 'fast-forward'], explain(ff.run));
    const noFf = await lodeJson<MergeDoc>(['merge', 'a@main~1', '--into', 'side'], { store });
    assert.deepEqual([noFf.run.code, noFf.doc.result], [0, 'up-to-date'], explain(noFf.run));
  });

  test('unrelated histories are refused unless --allow-unrelated', async () => {
    // A second root: a worktree on a branch that does not exist yet, and its first commit.
    const wt = join(dir, 'orphan-wt');
    ok(await lode(['checkout', 'a', wt, '--branch', 'orphan'], { store }));
    fs.writeFileSync(join(wt, 'y.txt'), 'unrelated\n');
    ok(await lode(['commit', '-m', 'second root'], { cwd: wt }));
    refused(await lode(['merge', 'a@orphan', '--into', 'side'], { store }), 2, 'UNRELATED_HISTORIES');
    const m = await lodeJson<MergeDoc>(['merge', 'a@orphan', '--into', 'side', '--allow-unrelated'], { store });
    assert.deepEqual([m.run.code, m.doc.result, m.doc.conflicts], [0, 'merge', []], explain(m.run));
    assert.equal(ok(await lode(['cat', 'a@side:y.txt'], { store })).stdout, 'unrelated\n');
    assert.equal(ok(await lode(['cat', 'a@side:x.txt'], { store })).stdout, 'one\ntwo\nthree, changed on main\n');
    refused(await lode(['merge', 'a@nope', '--into', 'main'], { store }), 4, 'UNKNOWN_REVISION');
  });

  test('resolve by ARENA@BRANCH:PATH with a file, and revert of a root commit', async () => {
    fs.writeFileSync(join(src, 'x.txt'), 'one\ntwo, side\nthree\n');
    ok(await lode(['reset', 'a', 'main~1', '--branch', 'side'], { store }));
    const snap = await lodeJson<{ commit: string }>(['snapshot', src, '--arena', 'a', '-m', 'side edit'], { store });
    ok(snap.run);
    // snapshot moved main; put that commit on side and main back, so the two branches diverge.
    ok(await lode(['reset', 'a', snap.doc.commit, '--branch', 'side'], { store }));
    ok(await lode(['reset', 'a', 'main~1'], { store }));
    fs.writeFileSync(join(src, 'x.txt'), 'one\ntwo, main\nthree\n');
    ok(await lode(['snapshot', src, '--arena', 'a', '-m', 'main edit 2'], { store }));
    const m = await lodeJson<MergeDoc>(['merge', 'a@side'], { store });
    assert.deepEqual([m.run.code, m.doc.conflicts], [1, ['x.txt']], explain(m.run));
    const settled = join(dir, 'settled.txt');
    fs.writeFileSync(settled, 'one\ntwo, both\nthree\n');
    ok(await lode(['resolve', 'a@main:x.txt', '--take', settled], { store }));
    assert.equal(ok(await lode(['cat', 'a:x.txt'], { store })).stdout, 'one\ntwo, both\nthree\n');
    refused(await lode(['resolve', 'a@main:x.txt', '--take', 'theirs'], { store }), 2, 'NOT_A_CONFLICT');
    refused(await lode(['resolve', 'a@main:../x.txt', '--take', 'theirs'], { store }), 2, 'HOSTILE_PATH');
  });
});
