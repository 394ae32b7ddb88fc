import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CommitId, Hash } from '../core/index.ts';
import { createArena, createCommit, editTree } from '../history/index.ts';
import { fsck, memoryStore, type Store } from '../store/index.ts';
import { Fetcher } from './fetcher.ts';
import type { ObjectRecord, SyncMessage } from './messages.ts';

const MTIME = { sec: 1_700_000_000, nsec: 0 };

/** A source store with two commits: small files, a nested directory and a multi-chunk file. */
async function source(): Promise<{ store: Store; head: CommitId }> {
  const store = memoryStore();
  await createArena(store, 'a');
  const file = async (bytes: Uint8Array) => {
    const { id, size } = await store.blobs.write((async function* () { yield bytes; })());
    return { kind: 'file' as const, name: 'x', mode: 0o644, mtime: MTIME, size, blob: id };
  };
  const t1 = await editTree(store, undefined, new Map([['a.txt', await file(Buffer.from('a\n'))], ['d/e/b.txt', await file(Buffer.from('b\n'))]]));
  const c1 = await createCommit(store, { tree: t1, parents: [], message: 'one', time: 1 });
  const t2 = await editTree(store, t1, new Map([['big.bin', await file(randomBytes(6 * 1024 * 1024))], ['d/c.txt', await file(Buffer.from('c\n'))]]));
  const head = await createCommit(store, { tree: t2, parents: [c1], message: 'two', time: 2 });
  const big = (await store.typed.getTree(t2)).entries.find((e) => e.name === 'big.bin');
  assert.ok(big?.kind === 'file' && store.objects.kind(big.blob) === 'manifest', 'the big file has a manifest');
  return { store, head };
}

type Behaviour = 'good' | 'corrupt' | 'empty' | 'silent';

/** Drives a fetch against peers that answer from `src` as their behaviour says; returns the ids asked for. */
async function drive(fetcher: Fetcher, run: () => Promise<void>, queue: { peer: string; m: SyncMessage }[], src: Store, peers: Record<string, Behaviour>, stopAfter = Infinity): Promise<{ asked: Hash[]; result: Promise<void> }> {
  const asked: Hash[] = [];
  let settled = false;
  const result = run().finally(() => { settled = true; });
  result.catch(() => {});
  let answered = 0;
  while (!settled) {
    const next = queue.shift();
    if (next === undefined) { await new Promise((r) => setImmediate(r)); continue; }
    if (next.m.type !== 'want') continue;
    asked.push(...next.m.ids);
    if (answered++ >= stopAfter) { fetcher.peerGone(next.peer); continue; }
    const how = peers[next.peer]!;
    if (how === 'silent') continue;
    if (how === 'empty') { fetcher.receiveHaveNot(next.peer, next.m.ids); continue; }
    const objects: ObjectRecord[] = [];
    for (const id of next.m.ids) {
      const bytes = await src.objects.get(id);
      if (how === 'corrupt') bytes[bytes.length >> 1]! ^= 1;
      objects.push({ kind: src.objects.kind(id)!, id, bytes });
    }
    fetcher.receiveObjects(next.peer, objects);
  }
  return { asked, result };
}

function setup(dest: Store, extra: Partial<ConstructorParameters<typeof Fetcher>[0]> = {}) {
  const queue: { peer: string; m: SyncMessage }[] = [];
  const bad: { peer: string; code: string }[] = [];
  const fetcher = new Fetcher({ store: dest, send: (peer, m) => void queue.push({ peer, m }), onBadPeer: (peer, e) => void bad.push({ peer, code: e.code }), ...extra });
  return { queue, bad, fetcher };
}

test('fetches a whole history, manifests and chunks included, into a store that fsck passes', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  const { queue, bad, fetcher } = setup(dest);
  const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['p']), queue, src, { p: 'good' });
  await result;
  assert.deepEqual(bad, []);
  const report = await fsck(dest, [head], { readData: true });
  assert.equal(report.ok, true, JSON.stringify(report.errors));
  assert.deepEqual([...dest.objects.ids()], [...src.objects.ids()]);
});

test('wrong bytes are rejected before storing, the peer is reported, and the fetch continues from another', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  const { queue, bad, fetcher } = setup(dest);
  const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['liar', 'empty', 'good']), queue, src, { liar: 'corrupt', empty: 'empty', good: 'good' });
  await result;
  assert.ok(bad.length >= 1);
  assert.ok(bad.every((b) => b.peer === 'liar' && b.code === 'BAD_OBJECT'));
  const report = await fsck(dest, [head], { readData: true });
  assert.equal(report.ok, true, JSON.stringify(report.errors));
});

test('a fetch nobody can serve fails with UNAVAILABLE and stores nothing wrong', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  const { queue, fetcher } = setup(dest);
  const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['liar', 'empty']), queue, src, { liar: 'corrupt', empty: 'empty' });
  await assert.rejects(result, (e: unknown) => (e as { code?: string }).code === 'UNAVAILABLE');
  assert.equal([...dest.objects.ids()].length, 0);
  await assert.rejects(fetcher.fetchCommit(head, []), (e: unknown) => (e as { code?: string }).code === 'UNAVAILABLE');
});

test('a silent peer is passed over after the request timeout', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  const { queue, fetcher } = setup(dest, { requestTimeoutMs: 20 });
  const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['mute', 'good']), queue, src, { mute: 'silent', good: 'good' });
  await result;
  assert.equal(dest.objects.kind(head), 'commit');
});

test('an interrupted fetch resumes without asking again for anything it stored', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  for (const stopAfter of [1, 3, 5]) {
    const first = setup(dest);
    const { result } = await drive(first.fetcher, () => first.fetcher.fetchCommit(head, ['p']), first.queue, src, { p: 'good' }, stopAfter);
    await result.catch(() => {});
  }
  const present = new Set(dest.objects.ids());
  assert.ok(present.size > 0, 'the interrupted fetches stored something');
  assert.equal(dest.objects.has(head), false);
  // Nothing stored may be missing what it refers to.
  for (const id of present) if (dest.objects.kind(id) === 'commit') assert.equal((await fsck(dest, [id as CommitId], { readData: true })).ok, true);
  const second = setup(dest);
  const { asked, result } = await drive(second.fetcher, () => second.fetcher.fetchCommit(head, ['p']), second.queue, src, { p: 'good' });
  await result;
  assert.deepEqual(asked.filter((id) => present.has(id)), []);
  assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
});
