import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { zstdCompressSync } from 'node:zlib';
import type { CommitId, Hash, TreeEntry } from '../core/index.ts';
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
  const text = Buffer.from('a compressible line of text, again and again\n'.repeat(5000));
  const t2 = await editTree(store, t1, new Map([['big.bin', await file(randomBytes(6 * 1024 * 1024))], ['d/c.txt', await file(Buffer.from('c\n'))], ['d/text.txt', await file(text)]]));
  const head = await createCommit(store, { tree: t2, parents: [c1], message: 'two', time: 2 });
  const big = (await store.typed.getTree(t2)).entries.find((e) => e.name === 'big.bin');
  assert.ok(big?.kind === 'file' && store.objects.kind(big.blob) === 'manifest', 'the big file has a manifest');
  return { store, head };
}

type Behaviour = 'good' | 'corrupt' | 'empty' | 'silent' | Stored;
/**
 * Chunks sent as stored (zstd frames): as the store keeps them, or hostile: a valid frame of other bytes,
 * bytes that are no zstd frame, or a true frame whose raw length is a lie (one byte more, one byte less).
 */
type Stored = 'stored' | 'stored-wrong' | 'stored-garbage' | 'stored-long' | 'stored-short';

let sentCompressed = 0;

async function storedRecord(src: Store, id: Hash, how: Stored): Promise<ObjectRecord> {
  const kind = src.objects.kind(id)!;
  if (kind !== 'chunk') return { kind, id, bytes: await src.objects.get(id) };
  if (how === 'stored') {
    const s = await src.objects.getStored!(id);
    if (s.compressed) sentCompressed++;
    return s.compressed ? { kind, id, bytes: s.bytes, rawLength: s.rawLength } : { kind, id, bytes: s.bytes };
  }
  const raw = Buffer.from(await src.objects.get(id));
  if (how === 'stored-garbage') return { kind, id, bytes: randomBytes(100), rawLength: raw.length };
  if (how === 'stored-wrong') raw[raw.length >> 1]! ^= 1;
  const rawLength = raw.length + (how === 'stored-long' ? 1 : how === 'stored-short' ? -1 : 0);
  return { kind, id, bytes: zstdCompressSync(raw), rawLength: Math.max(rawLength, 0) };
}

/** Drives a fetch against peers that answer from `src` as their behaviour says; returns the ids asked for. */
async function drive(fetcher: Fetcher, run: () => Promise<void>, queue: { peer: string; m: SyncMessage }[], src: Store, peers: Record<string, Behaviour>, stopAfter = Infinity, step?: () => void): Promise<{ asked: Hash[]; result: Promise<void> }> {
  const asked: Hash[] = [];
  let settled = false;
  const result = run().finally(() => { settled = true; });
  result.catch(() => {});
  let answered = 0;
  while (!settled) {
    step?.();
    const next = queue.shift();
    if (next === undefined) { await new Promise((r) => setImmediate(r)); continue; }
    if (next.m.type !== 'want') continue;
    asked.push(...next.m.ids);
    if (answered++ >= stopAfter) { fetcher.peerGone(next.peer); continue; }
    const how = peers[next.peer]!;
    if (how === 'silent') continue;
    if (how === 'empty') { fetcher.receiveHaveNot(next.peer, next.m.ids); continue; }
    const objects: ObjectRecord[] = [];
    if (how.startsWith('stored')) {
      for (const id of next.m.ids) objects.push(await storedRecord(src, id, how as Stored));
      fetcher.receiveObjects(next.peer, objects);
      continue;
    }
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

test('chunks sent as stored (zstd frames) are inflated, checked and stored as sent', async () => {
  const { store: src, head } = await source();
  const dest = memoryStore();
  const { queue, bad, fetcher } = setup(dest);
  sentCompressed = 0;
  const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['p']), queue, src, { p: 'stored' });
  await result;
  assert.ok(sentCompressed > 0, 'some chunk went as a zstd frame');
  assert.deepEqual(bad, []);
  assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
  assert.deepEqual([...dest.objects.ids()], [...src.objects.ids()]);
});

for (const how of ['stored-wrong', 'stored-garbage', 'stored-long', 'stored-short'] as const) {
  test(`a chunk sent as stored that is hostile (${how}) is rejected before storing, and the fetch continues from another`, async () => {
    const { store: src, head } = await source();
    const dest = memoryStore();
    const { queue, bad, fetcher } = setup(dest);
    const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['liar', 'good']), queue, src, { liar: how, good: 'stored' });
    await result;
    assert.ok(bad.length >= 1, 'the liar is reported');
    assert.ok(bad.every((b) => b.peer === 'liar' && b.code === 'BAD_OBJECT'));
    assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
    assert.deepEqual([...dest.objects.ids()], [...src.objects.ids()]);
  });
}

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

/** A source store whose one commit holds `files` small distinct files, 50 to a directory, two levels deep. */
async function manyFiles(files: number): Promise<{ store: Store; head: CommitId }> {
  const store = memoryStore();
  await createArena(store, 'a');
  const edits = new Map<string, TreeEntry>();
  for (let i = 0; i < files; i++) {
    const { id, size } = await store.blobs.write((async function* () { yield Buffer.from(`file ${i}\n`); })());
    edits.set(`d${Math.floor(i / 500)}/e${Math.floor(i / 50) % 10}/f${i}.txt`, { kind: 'file', name: 'x', mode: 0o644, mtime: MTIME, size, blob: id });
  }
  const tree = await editTree(store, undefined, edits);
  return { store, head: await createCommit(store, { tree, parents: [], message: 'many', time: 1 }) };
}

test('the files a fetch has under way stay bounded as the number of files grows (invariant 4)', async () => {
  const slots = 40;
  const peaks: number[] = [];
  for (const files of [1000, 4000]) {
    const { store: src, head } = await manyFiles(files);
    const dest = memoryStore();
    const { queue, bad, fetcher } = setup(dest, { maxFilesUnderWay: slots, treesAhead: 8 });
    let peak = 0;
    const { result } = await drive(fetcher, () => fetcher.fetchCommit(head, ['p']), queue, src, { p: 'good' }, Infinity, () => { peak = Math.max(peak, fetcher.pending); });
    await result;
    assert.deepEqual(bad, []);
    assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
    assert.deepEqual([...dest.objects.ids()].sort(), [...src.objects.ids()].sort());
    peaks.push(peak);
  }
  // The files under way, the subtrees asked ahead, and the tree the walk is at.
  for (const peak of peaks) assert.ok(peak <= slots + 8 + 1, `${peak} requests were out at once`);
  assert.ok(peaks[0]! >= slots, 'the slots are used');
});

/**
 * Answers WANTs late and out of order: it gathers every request sent until the fetcher goes quiet, then
 * answers them last first. Tracks the chunk bytes asked for and not answered yet.
 */
async function driveReversed(fetcher: Fetcher, run: () => Promise<void>, queue: { peer: string; m: SyncMessage }[], src: Store, answer: (peer: string, id: Hash) => Promise<ObjectRecord | undefined>) {
  let settled = false;
  const result = run().finally(() => { settled = true; });
  result.catch(() => {});
  let outstanding = 0;
  let maxOutstanding = 0;
  let maxWantsOpen = 0;
  const open: { peer: string; id: Hash; size: number }[] = [];
  while (!settled) {
    await new Promise((r) => setImmediate(r));
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (next.m.type !== 'want') continue;
      for (const id of next.m.ids) {
        const size = src.objects.kind(id) === 'chunk' ? (await src.objects.get(id)).length : 0;
        outstanding += size;
        open.push({ peer: next.peer, id, size });
      }
    }
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    maxWantsOpen = Math.max(maxWantsOpen, open.length);
    const last = open.pop();
    if (last === undefined) continue;
    outstanding -= last.size;
    const record = await answer(last.peer, last.id);
    if (record === undefined) fetcher.receiveHaveNot(last.peer, [last.id]);
    else fetcher.receiveObjects(last.peer, [record]);
  }
  return { result, maxOutstanding, maxWantsOpen };
}

test('chunks answered out of order, in a small window and with no room to hold them, still verify', async () => {
  const { store: src, head } = await source();
  const chunkSizes = [...src.objects.ids()].filter((id) => src.objects.kind(id) === 'chunk').map(async (id) => (await src.objects.get(id)).length);
  const largest = Math.max(...await Promise.all(chunkSizes));
  for (const holdBytes of [0, 64 * 1024 * 1024]) {
    const dest = memoryStore();
    const limit = 2 * 1024 * 1024;
    const { queue, bad, fetcher } = setup(dest, { maxInFlightBytes: limit, holdBytes });
    const run = await driveReversed(fetcher, () => fetcher.fetchCommit(head, ['p']), queue, src, async (_peer, id) => ({ kind: src.objects.kind(id)!, id, bytes: await src.objects.get(id) }));
    await run.result;
    assert.deepEqual(bad, []);
    assert.ok(run.maxOutstanding <= Math.max(limit, largest), `${run.maxOutstanding} chunk bytes were asked for at once`);
    assert.ok(run.maxWantsOpen > 1, 'requests overlap');
    assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
  }
});

test('a manifest of other content sent for a blob is refused, and the blob is fetched from the next peer', async () => {
  const { store: src, head } = await source();
  const other = memoryStore();
  const { id: otherBlob } = await other.blobs.write((async function* () { yield randomBytes(6 * 1024 * 1024); })());
  assert.equal(other.objects.kind(otherBlob), 'manifest');
  const dest = memoryStore();
  const { queue, bad, fetcher } = setup(dest);
  const manifests = [...src.objects.ids()].filter((id) => src.objects.kind(id) === 'manifest');
  // The liar sends the other blob's manifest (and chunks) for every manifest it is asked for.
  const answer = async (peer: string, id: Hash): Promise<ObjectRecord | undefined> => {
    if (peer === 'liar' && manifests.includes(id)) return { kind: 'manifest', id, bytes: await other.objects.get(otherBlob) };
    const from = peer === 'liar' && !src.objects.has(id) ? other : src;
    if (!from.objects.has(id)) return undefined;
    return { kind: from.objects.kind(id)!, id, bytes: await from.objects.get(id) };
  };
  const { result } = await driveReversed(fetcher, () => fetcher.fetchCommit(head, ['liar', 'good']), queue, src, answer);
  await result;
  assert.deepEqual(bad.map((b) => b.code), ['BAD_OBJECT']);
  assert.equal((await fsck(dest, [head], { readData: true })).ok, true);
});
