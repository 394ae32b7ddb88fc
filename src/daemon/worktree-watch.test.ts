// The change journal, the per-worktree watch and the daemon's set of them: what a question after a
// change gets back, in process, with real inotify watches on temporary directories.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ArenaId } from '../core/index.ts';
import { encodeBinding } from '../worktree/index.ts';
import { ChangeJournal } from './change-journal.ts';
import { COOKIE_PREFIX, WorktreeWatch } from './worktree-watch.ts';
import { WorktreeWatches } from './worktree-watches.ts';

describe('ChangeJournal', () => {
  test('a token answers the directories changed after it, each once, in any number of marks', () => {
    const j = new ChangeJournal();
    j.mark('a');
    const t1 = j.tick();
    j.mark('b');
    j.mark('a/c');
    j.mark('b');
    assert.deepEqual(j.changedSince(t1)?.sort(), ['a/c', 'b']);
    const t2 = j.tick();
    assert.deepEqual(j.changedSince(t2), []);
    j.mark('a');
    assert.deepEqual(j.changedSince(t2), ['a']);
    assert.deepEqual(j.changedSince(t1)?.sort(), ['a', 'a/c', 'b']);
  });

  test('no token, a foreign, malformed or future token, or one from before forget() is unknown', () => {
    const j = new ChangeJournal();
    const other = new ChangeJournal();
    const t = j.tick();
    assert.equal(j.changedSince(undefined), null);
    assert.equal(j.changedSince(other.tick()), null);
    assert.equal(j.changedSince(`${j.id}:x`), null);
    assert.equal(j.changedSince(`${j.id}:99`), null);
    assert.deepEqual(j.changedSince(t), []);
    j.forget();
    assert.equal(j.changedSince(t), null);
    const after = j.tick();
    j.mark('x');
    assert.deepEqual(j.changedSince(after), ['x']);
  });

  test('too many dirty directories, kept or answered, is unknown', () => {
    const j = new ChangeJournal({ maxDirty: 3, maxReply: 2 });
    const t = j.tick();
    j.mark('a');
    j.mark('b');
    assert.deepEqual(j.changedSince(t), ['a', 'b']);
    j.mark('c');
    assert.equal(j.changedSince(t), null, 'three dirs answered where two is the most');
    const t2 = j.tick();
    j.mark('d');
    assert.equal(j.changedSince(t), null, 'four dirs kept where three is the most');
    assert.equal(j.changedSince(t2), null, 'forgotten with the rest');
  });
});

describe('WorktreeWatch', () => {
  const base = fs.mkdtempSync(join(tmpdir(), 'lode-watch-'));
  after(() => fs.rmSync(base, { recursive: true, force: true }));
  let n = 0;
  const tree = (): string => {
    const root = join(base, `wt${++n}`);
    fs.mkdirSync(join(root, '.lode'), { recursive: true });
    fs.mkdirSync(join(root, 'a', 'deep'), { recursive: true });
    fs.writeFileSync(join(root, 'a', 'f.txt'), 'one\n');
    fs.writeFileSync(join(root, 'a', 'deep', 'g.txt'), 'two\n');
    fs.writeFileSync(join(root, 'top.txt'), 'top\n');
    return root;
  };
  const sorted = (dirs: string[] | null): string[] | null => (dirs === null ? null : [...dirs].sort());

  test('the first question is unknown; each change made before a question is in its answer, the same turn included', async () => {
    const root = tree();
    const w = new WorktreeWatch(root);
    try {
      const first = await w.changes(undefined);
      assert.equal(first.dirs, null);
      // Written and asked in the same turn of the event loop: no event can have been read yet, so only the
      // cookie handshake brings this change into the answer.
      fs.writeFileSync(join(root, 'a', 'deep', 'g.txt'), 'changed\n');
      const second = await w.changes(first.token);
      assert.deepEqual(second.dirs, ['a/deep']);
      assert.deepEqual((await w.changes(second.token)).dirs, [], 'nothing since');
      fs.writeFileSync(join(root, 'top.txt'), 'top 2\n');
      fs.rmSync(join(root, 'a', 'f.txt'));
      assert.deepEqual(sorted((await w.changes(second.token)).dirs), ['', 'a']);
      assert.deepEqual(fs.readdirSync(join(root, '.lode')), [], 'cookies are removed');
    } finally {
      w.close();
    }
  });

  test('a new nested directory is watched at once, and every directory of it is reported', async () => {
    const root = tree();
    const w = new WorktreeWatch(root);
    try {
      const t0 = (await w.changes(undefined)).token;
      fs.mkdirSync(join(root, 'n', 'x', 'y'), { recursive: true });
      fs.writeFileSync(join(root, 'n', 'x', 'y', 'z.txt'), 'z\n');
      const a1 = await w.changes(t0);
      assert.deepEqual(sorted(a1.dirs)?.filter((d) => d !== 'n/x/y').sort(), ['', 'n', 'n/x']);
      // Changes inside the new directories are seen by their own watches.
      fs.writeFileSync(join(root, 'n', 'x', 'y', 'z.txt'), 'z again\n');
      assert.deepEqual((await w.changes(a1.token)).dirs, ['n/x/y']);
    } finally {
      w.close();
    }
  });

  test('a renamed directory is watched under its new name, and its old name is no longer', async () => {
    const root = tree();
    const w = new WorktreeWatch(root);
    try {
      const t0 = (await w.changes(undefined)).token;
      fs.renameSync(join(root, 'a'), join(root, 'b'));
      const a1 = await w.changes(t0);
      assert.deepEqual(sorted(a1.dirs), ['', 'b', 'b/deep']);
      fs.writeFileSync(join(root, 'b', 'deep', 'g.txt'), 'after the move\n');
      assert.deepEqual((await w.changes(a1.token)).dirs, ['b/deep']);
      // Replaced by a new directory of the old name: the new one is watched, not the moved one.
      fs.mkdirSync(join(root, 'a'));
      const a2 = await w.changes(a1.token);
      fs.writeFileSync(join(root, 'a', 'new.txt'), 'new\n');
      assert.deepEqual((await w.changes(a2.token)).dirs, ['a']);
    } finally {
      w.close();
    }
  });

  test('a changed .lodeignore makes older tokens unknown; a removed root breaks the watch', async () => {
    const root = tree();
    const w = new WorktreeWatch(root);
    try {
      const t0 = (await w.changes(undefined)).token;
      fs.writeFileSync(join(root, 'a', '.lodeignore'), '*.txt\n');
      const a1 = await w.changes(t0);
      assert.equal(a1.dirs, null);
      assert.deepEqual((await w.changes(a1.token)).dirs, []);
      fs.rmSync(root, { recursive: true });
      const a2 = await w.changes(a1.token);
      assert.equal(a2.dirs, null);
      assert.notEqual(w.broken, undefined);
    } finally {
      w.close();
    }
  });

  test('a question waiting when the watch closes is unknown; stale cookies go when a watch starts', async () => {
    const root = tree();
    fs.writeFileSync(join(root, '.lode', `${COOKIE_PREFIX}999-1`), '');
    const w = new WorktreeWatch(root);
    assert.deepEqual(fs.readdirSync(join(root, '.lode')), []);
    const t0 = (await w.changes(undefined)).token;
    const waiting = w.changes(t0);
    w.close();
    assert.equal((await waiting).dirs, null);
  });

  test('events in .lode/ are not changes, and a burst that may have overflowed the queue breaks the watch', async () => {
    const root = tree();
    const w = new WorktreeWatch(root, { burstLimit: 50 });
    try {
      const t0 = (await w.changes(undefined)).token;
      fs.writeFileSync(join(root, '.lode', 'worktree.json'), '{}');
      fs.writeFileSync(join(root, '.lode', `${COOKIE_PREFIX}stray`), '');
      assert.deepEqual((await w.changes(t0)).dirs, []);
      for (let i = 0; i < 200; i++) fs.writeFileSync(join(root, 'a', `burst-${i}`), 'x');
      assert.equal((await w.changes(t0)).dirs, null);
      assert.match(w.broken ?? '', /overflow/);
    } finally {
      w.close();
    }
  });
});

describe('WorktreeWatches', () => {
  const base = fs.mkdtempSync(join(tmpdir(), 'lode-watches-'));
  after(() => fs.rmSync(base, { recursive: true, force: true }));
  const store = join(base, 'store');
  const worktree = (name: string, boundTo = store): string => {
    const root = join(base, name);
    fs.mkdirSync(join(root, '.lode'), { recursive: true });
    fs.mkdirSync(join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(join(root, '.lode', 'worktree.json'), encodeBinding({ store: boundTo, arena: 'ab'.repeat(32) as ArenaId, head: { branch: 'main' } }));
    return root;
  };
  const code = (e: unknown): unknown => (e as { code?: unknown }).code;

  test('only worktrees of this store, by absolute path; the least recently asked about is dropped', async () => {
    const watches = new WorktreeWatches({ storePath: store, maxWorktrees: 1 });
    try {
      await assert.rejects(watches.changes(worktree('other', join(base, 'elsewhere')), undefined), (e) => code(e) === 'NOT_THIS_STORE');
      await assert.rejects(watches.changes(`${worktree('rel')}/../rel`, undefined), (e) => code(e) === 'BAD_REQUEST');
      await assert.rejects(watches.changes(join(base, 'nothing-here'), undefined), (e) => code(e) === 'NOT_A_WORKTREE');
      const one = worktree('one');
      const t = (await watches.changes(one, undefined)).token;
      assert.deepEqual((await watches.changes(one, t)).dirs, []);
      await watches.changes(worktree('two'), undefined);
      assert.equal(watches.size, 1);
      assert.equal((await watches.changes(one, t)).dirs, null, 'dropped, then watched afresh: the old token is unknown');
    } finally {
      watches.close();
    }
  });

  test('a worktree too big to watch is answered "unknown" and not walked again at every question', async () => {
    const broken: string[] = [];
    const watches = new WorktreeWatches({ storePath: store, maxDirs: 2, onBroken: (root) => broken.push(root) });
    try {
      const root = worktree('big');
      const first = await watches.changes(root, undefined);
      assert.equal(first.dirs, null);
      assert.equal((await watches.changes(root, first.token)).dirs, null);
      assert.deepEqual(broken, [root], 'one attempt, not one per question');
      assert.equal(watches.size, 0);
    } finally {
      watches.close();
    }
  });
});
