import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blake3Hex, createHasher, loadWasm, encodeTree, decodeTree, encodeCommit, decodeCommit, encodeManifest, decodeManifest,
  encodeCbor, generateKeypair, signBytes, verifyBytes, publicKeyOf, toHex, type Tree, type BlobId, type TreeId,
  type CommitId, type NodeId, type ChunkId,
} from './index.ts';

// BLAKE3 test vectors: the empty input and "abc" (from the BLAKE3 reference implementation).
const VECTORS: [string, string][] = [
  ['', 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  ['abc', '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'],
];

test('blake3: native and wasm agree with the reference vectors', async () => {
  const wasm = await loadWasm();
  for (const [input, want] of VECTORS) {
    assert.equal(blake3Hex(Buffer.from(input)), want);
    assert.equal(toHex(wasm.hash(Buffer.from(input))), want);
  }
});

test('blake3: streaming equals one-shot, for both implementations, with interleaved hashers', async () => {
  const data = Buffer.alloc(3_000_017);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const wasm = await loadWasm();
  for (const make of [createHasher, wasm.create]) {
    const a = make();
    const b = make();
    for (let off = 0; off < data.length; off += 65_536) {
      a.update(data.subarray(off, off + 65_536));
      b.update(data.subarray(0, 1));
    }
    assert.equal(toHex(a.digest()), blake3Hex(data));
    assert.notEqual(toHex(b.digest()), blake3Hex(data));
  }
});

test('blake3: agrees with b3sum', { skip: !hasB3sum() && 'SKIPPED LOUDLY: b3sum is not installed (apt-get install b3sum)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lode-b3-'));
  const file = join(dir, 'f');
  const data = Buffer.from('lode '.repeat(100_000));
  writeFileSync(file, data);
  const out = execFileSync('b3sum', ['--no-names', file]).toString().trim();
  assert.equal(blake3Hex(data), out);
});

function hasB3sum(): boolean {
  try { execFileSync('b3sum', ['--version']); return true; } catch { return false; }
}

const id = (c: string) => c.repeat(64) as never;

test('tree codec round-trips and rejects hostile or non-canonical input', () => {
  const tree: Tree = {
    entries: [
      { kind: 'dir', name: 'a', mode: 0o755, mtime: { sec: 1, nsec: 2 }, tree: id('a') as TreeId },
      { kind: 'file', name: 'b.txt', mode: 0o644, mtime: { sec: 3, nsec: 4 }, size: 10, blob: id('b') as BlobId },
      { kind: 'symlink', name: 'l', mode: 0o777, mtime: { sec: -5, nsec: 0 }, target: '../x' },
    ],
  };
  const bytes = encodeTree(tree);
  assert.deepEqual(decodeTree(bytes), tree);
  assert.throws(() => decodeTree(Buffer.concat([bytes, Buffer.from([0])])), { code: 'BAD_ENCODING' });
  for (const name of ['..', '.', 'a/b', 'x\0y', '']) {
    const bad = encodeCbor({ t: 'tree', v: 1, e: [{ n: name, k: 2, m: 0o777, t: [0, 0], l: 'x' }] });
    assert.throws(() => decodeTree(bad), { code: 'HOSTILE_NAME' }, name);
  }
  const unknown = encodeCbor({ t: 'tree', v: 1, e: [], extra: 1 });
  assert.throws(() => decodeTree(unknown), { code: 'UNKNOWN_FIELD' });
  const future = encodeCbor({ t: 'tree', v: 2, e: [] });
  assert.throws(() => decodeTree(future), { code: 'BAD_FIELD' });
  const unsorted = encodeCbor({ t: 'tree', v: 1, e: [{ n: 'b', k: 2, m: 0, t: [0, 0], l: 'x' }, { n: 'a', k: 2, m: 0, t: [0, 0], l: 'x' }] });
  assert.throws(() => decodeTree(unsorted), { code: 'UNSORTED_TREE' });
});

test('commit codec round-trips; signatures fail after any single byte changes', () => {
  const keys = generateKeypair();
  assert.deepEqual(publicKeyOf(keys.secretKey), keys.publicKey);
  const base = { tree: id('c') as TreeId, parents: [id('d') as CommitId], author: toHex(keys.publicKey) as NodeId, time: 1_700_000_000_000, message: 'héllo' };
  const unsigned = encodeCommit({ ...base, sig: new Uint8Array(64) });
  const commit = decodeCommit(unsigned);
  assert.deepEqual(commit.parents, base.parents);
  const msg = Buffer.from('sign me');
  const sig = signBytes(keys.secretKey, msg);
  assert.ok(verifyBytes(keys.publicKey, msg, sig));
  for (let i = 0; i < msg.length; i++) {
    const t = Buffer.from(msg); t[i]! ^= 1;
    assert.ok(!verifyBytes(keys.publicKey, t, sig));
  }
});

test('manifest codec checks that chunk sizes add up', () => {
  const m = { size: 30, chunks: [{ id: id('1') as ChunkId, size: 10 }, { id: id('2') as ChunkId, size: 20 }] };
  assert.deepEqual(decodeManifest(encodeManifest(m)), m);
  assert.throws(() => decodeManifest(encodeCbor({ t: 'blob', v: 1, size: 31, c: [[Buffer.alloc(32), 30]] })), { code: 'BAD_FIELD' });
});
