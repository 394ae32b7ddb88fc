// The directory record codec: one fixed, versioned layout (fixture bytes), a lossless round trip, lstat
// comparisons that notice any change of a trusted fact, and any other bytes (damaged, truncated, an
// older version) decoding to no record at all, which the walk treats as "look again".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { blake3, type BlobId, type TreeId } from '../core/index.ts';
import { DirRecord, encodeDirRecord, type RecordEntry } from './dir-record.ts';

const tree = '11'.repeat(32) as TreeId;
const entries: RecordEntry[] = [
  {
    entry: { kind: 'file', name: 'a.txt', mode: 0o644, mtime: { sec: 1_700_000_000, nsec: 123_456_789 }, size: 5, blob: 'ab'.repeat(32) as BlobId },
    facts: { mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_001_000_000_007n, size: 5n, ino: 2n ** 40n + 7n },
  },
  { entry: { kind: 'dir', name: 'sub', mode: 0o755, mtime: { sec: -5, nsec: 999_999_999 }, tree: 'cd'.repeat(32) as TreeId } },
  { entry: { kind: 'symlink', name: 'link', mode: 0o777, mtime: { sec: 3, nsec: 0 }, target: 'a.txt' } },
  { entry: { kind: 'file', name: 'racy', mode: 0o600, mtime: { sec: 4, nsec: 1 }, size: 0, blob: 'ef'.repeat(32) as BlobId } },
];

function stat(over: Partial<Record<'mode' | 'mtimeNs' | 'ctimeNs' | 'size' | 'ino', bigint>> = {}): BigIntStats {
  return { mode: 0o100644n, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_001_000_000_007n, size: 5n, ino: 2n ** 40n + 7n, ...over } as unknown as BigIntStats;
}

test('a directory record has one fixed binary layout (fixture bytes) and round-trips', () => {
  const bytes = encodeDirRecord(tree, entries);
  const hex = Buffer.from(bytes).toString('hex');
  // Header: version 3, tree flag, 4 entries, 19 bytes of names, 5 bytes of targets, the tree id.
  assert.equal(hex.slice(0, 28), '0301' + '00000004' + '00000013' + '00000005');
  assert.equal(hex.slice(28, 92), '11'.repeat(32));
  assert.equal(Buffer.from(bytes.subarray(46, 70)).toString(), 'a.txt\0sub\0link\0racya.txt');
  // The first slot: a trusted file.
  assert.equal(Buffer.from(bytes.subarray(70, 70 + 68)).toString('hex'),
    '0000' + '01a4' + '17979cfe3d85cd15' + '17979cfe71c4ca07' + '0000000000000005' + '0000010000000007' + 'ab'.repeat(32));
  assert.equal(bytes.length, 70 + 4 * 68 + 8);
  // The last 8 bytes: BLAKE3 of the rest, cut short.
  assert.deepEqual(bytes.subarray(70 + 4 * 68), blake3(bytes.subarray(0, 70 + 4 * 68)).subarray(0, 8));
  const r = DirRecord.decode(bytes);
  assert.ok(r);
  assert.equal(r.tree, tree);
  assert.deepEqual(r.names, ['a.txt', 'sub', 'link', 'racy']);
  assert.deepEqual([0, 1, 2, 3].map((i) => r.entry(i)), entries);
  assert.equal(DirRecord.decode(encodeDirRecord(undefined, []))?.tree, undefined);
  assert.deepEqual(DirRecord.decode(encodeDirRecord(undefined, []))?.names, []);
});

test('a file slot matches only an lstat with every trusted fact the same; an untrusted file never matches', () => {
  const r = DirRecord.decode(encodeDirRecord(tree, entries))!;
  assert.equal(r.fileUnchanged(0, stat()), true);
  for (const changed of [{ mtimeNs: 1_700_000_000_123_456_790n }, { ctimeNs: 1_700_000_001_000_000_008n }, { size: 6n }, { ino: 8n }, { mode: 0o100755n }]) {
    assert.equal(r.fileUnchanged(0, stat(changed)), false, JSON.stringify(changed, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
  assert.equal(r.fileUnchanged(3, stat({ mode: 0o100600n, mtimeNs: 4_000_000_001n, ctimeNs: 0n, size: 0n, ino: 0n })), false);
  assert.equal(r.fileUnchanged(1, stat()), false, 'a directory slot is no file');
  assert.equal(r.dirUnchanged(1, stat({ mode: 0o40755n, mtimeNs: -4_000_000_001n }), 'cd'.repeat(32) as TreeId), true);
  assert.equal(r.dirUnchanged(1, stat({ mode: 0o40755n, mtimeNs: -4_000_000_001n }), 'ce'.repeat(32) as TreeId), false);
  assert.equal(r.symlinkUnchanged(2, stat({ mode: 0o120777n, mtimeNs: 3_000_000_000n }), 'a.txt'), true);
  assert.equal(r.symlinkUnchanged(2, stat({ mode: 0o120777n, mtimeNs: 3_000_000_000n }), 'b.txt'), false);
  assert.equal(r.slotOf('link', 0), 2);
  assert.equal(r.slotOf('nope', 0), undefined);
});

/** `body` with a valid check: the structure, not the check, must refuse it. */
function sealed(body: Uint8Array): Buffer {
  return Buffer.concat([body, blake3(body).subarray(0, 8)]);
}

test('damaged, truncated or foreign bytes are no record', () => {
  const good = Buffer.from(encodeDirRecord(tree, entries));
  const body = good.subarray(0, good.length - 8);
  const damaged = (at: number, value: number): Buffer => {
    const b = Buffer.from(body);
    b[at] = value;
    return sealed(b);
  };
  // Any single flipped byte fails the check.
  for (let at = 0; at < good.length; at++) {
    const b = Buffer.from(good);
    b[at]! ^= 0x01;
    assert.equal(DirRecord.decode(b), undefined, `byte ${at} flipped`);
  }
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['a version-2 file row', Buffer.from('0200' + '00'.repeat(72), 'hex')],
    ['truncated', good.subarray(0, good.length - 1)],
    ['truncated, check recomputed', sealed(body.subarray(0, body.length - 1))],
    ['one byte too many, check recomputed', sealed(Buffer.concat([body, Buffer.of(0)]))],
    ['a later version', damaged(0, 4)],
    ['unknown header flags', damaged(1, 3)],
    ['an unknown kind', damaged(70, 3)],
    ['unknown slot flags', damaged(71, 2)],
    ['a name that is not UTF-8', damaged(46, 0xff)],
    ['an empty name', damaged(51, 0x73)], // 'a.txt\0sub' becomes 'a.txtssub': one name short
    ['a symlink without its target', damaged(70, 2)], // 'a.txt' made a symlink: two links, one target
  ];
  for (const [what, bytes] of bad) assert.equal(DirRecord.decode(bytes), undefined, what);
});
