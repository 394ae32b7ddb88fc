// Property and mutation tests of the direct object codecs: their bytes equal cborg's encoding of the same
// maps, they round-trip, and damaged bytes either throw a FormatError or are exactly a canonical object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeCbor, decodeCbor, encodeTree, decodeTree, encodeCommit, decodeCommit, commitSigningBytes, encodeManifest, decodeManifest,
  FormatError, type Tree, type TreeEntry, type Commit, type BlobManifest,
} from './index.ts';

const hx = (id: string) => Buffer.from(id, 'hex');
const KIND = { file: 0, dir: 1, symlink: 2, conflict: 3 } as const;

// The reference encodings: the object maps as docs/format.md lays them out, encoded by cborg.
function referenceTree(tree: Tree): Uint8Array {
  return encodeCbor({
    t: 'tree', v: 1, e: tree.entries.map((e) => ({
      n: e.name, k: KIND[e.kind], m: e.mode, t: [e.mtime.sec, e.mtime.nsec],
      ...(e.kind === 'file' ? { s: e.size, id: hx(e.blob) } : e.kind === 'symlink' ? { l: e.target } : { id: hx(e.tree) }),
    })),
  });
}
function referenceCommit(c: Omit<Commit, 'sig'> & { sig?: Uint8Array }): Uint8Array {
  const m = { t: 'commit', v: 1, tree: hx(c.tree), parents: c.parents.map(hx), author: hx(c.author), time: c.time, msg: c.message };
  return encodeCbor(c.sig === undefined ? m : { ...m, sig: c.sig });
}
function referenceManifest(b: BlobManifest): Uint8Array {
  return encodeCbor({ t: 'blob', v: 1, size: b.size, c: b.chunks.map((c) => [hx(c.id), c.size]) });
}

const PLAIN = { noNullPrototype: true } as const;
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((s) => s.isWellFormed());
const entryName = fc.oneof(
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }),
  anyText(40),
  fc.constantFrom('\uFEFFbom', 'a'.repeat(255), 'é'.repeat(127), '...', '.a', ' '),
).filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0') && Buffer.byteLength(s) <= 255);
const mtime = fc.record({
  sec: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 33 }), fc.constantFrom(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, -1, -24, -25, -256, -257)),
  nsec: fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, 999_999_999)),
}, PLAIN);
const mode = fc.oneof(fc.integer({ min: 0, max: 0o7777 }), fc.constantFrom(0, 23, 24, 255, 256, 0o7777));
const size = fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 23, 24, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER));
const entry = (name: string): fc.Arbitrary<TreeEntry> => fc.oneof(
  fc.record({ kind: fc.constant('file' as const), name: fc.constant(name), mode, mtime, size, blob: hex32 }, PLAIN) as fc.Arbitrary<TreeEntry>,
  fc.record({ kind: fc.constant('dir' as const), name: fc.constant(name), mode, mtime, tree: hex32 }, PLAIN) as fc.Arbitrary<TreeEntry>,
  fc.record({ kind: fc.constant('symlink' as const), name: fc.constant(name), mode, mtime, target: anyText(300) }, PLAIN) as fc.Arbitrary<TreeEntry>,
  fc.record({ kind: fc.constant('conflict' as const), name: fc.constant(name), mode, mtime, tree: hex32 }, PLAIN) as fc.Arbitrary<TreeEntry>,
);
const treeArb: fc.Arbitrary<Tree> = fc.uniqueArray(entryName, { maxLength: 300, selector: (s) => Buffer.from(s).toString('hex') })
  .chain((names) => fc.tuple(...names.sort(byteOrder).map(entry)))
  .map((entries) => ({ entries }));

const commitArb = fc.record({
  tree: hex32, parents: fc.array(hex32, { maxLength: 64 }), author: hex32,
  time: fc.oneof(fc.integer(), fc.constantFrom(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1_700_000_000_000)),
  message: anyText(400), sig: fc.uint8Array({ minLength: 64, maxLength: 64 }),
}, PLAIN) as unknown as fc.Arbitrary<Commit>;

const manifestArb: fc.Arbitrary<BlobManifest> = fc.array(fc.record({ id: hex32, size: fc.integer({ min: 0, max: 2 ** 40 }) }, PLAIN), { maxLength: 50 })
  .map((chunks) => ({ size: chunks.reduce((n, c) => n + c.size, 0), chunks })) as fc.Arbitrary<BlobManifest>;

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

test('tree: direct encoding equals cborg, and decoding inverts it', () => {
  fc.assert(fc.property(treeArb, (tree) => {
    const bytes = encodeTree(tree);
    assert.ok(same(bytes, referenceTree(tree)));
    assert.deepEqual(decodeTree(bytes), tree);
  }), { numRuns: 150 });
});

test('tree: names with lone surrogates encode as cborg does', () => {
  const tree: Tree = { entries: [{ kind: 'symlink', name: 'a\uD800', mode: 0, mtime: { sec: 0, nsec: 0 }, target: '\uDC00x' }] };
  assert.ok(same(encodeTree(tree), referenceTree(tree)));
});

test('commit and manifest: direct encoding equals cborg, and decoding inverts it', () => {
  fc.assert(fc.property(commitArb, (c) => {
    const bytes = encodeCommit(c);
    assert.ok(same(bytes, referenceCommit(c)));
    const { sig: _sig, ...unsigned } = c;
    assert.ok(same(commitSigningBytes(unsigned), referenceCommit(unsigned)));
    assert.deepEqual(decodeCommit(bytes), c);
  }), { numRuns: 150 });
  fc.assert(fc.property(manifestArb, (m) => {
    const bytes = encodeManifest(m);
    assert.ok(same(bytes, referenceManifest(m)));
    assert.deepEqual(decodeManifest(bytes), m);
  }), { numRuns: 150 });
});

/** Damaged bytes must throw a FormatError, or be the canonical encoding of what they decode to. */
function assertStrict(decode: (b: Uint8Array) => unknown, encode: (v: never) => Uint8Array, damaged: Uint8Array): void {
  let value: unknown;
  try {
    value = decode(damaged);
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected a FormatError, got ${String(e)}`);
    return;
  }
  assert.ok(same(encode(value as never), damaged), 'accepted bytes that are not canonical');
  decodeCbor(damaged, 'accepted bytes'); // and that the generic strict decoder accepts too
}

const damage = (valid: fc.Arbitrary<Uint8Array>) => valid.chain((bytes) => fc.oneof(
  fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => { const b = Buffer.from(bytes); b[at]! ^= x; return b; }),
  fc.nat(bytes.length - 1).map((n) => bytes.subarray(0, n)),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((tail) => Buffer.concat([bytes, tail])),
));

test('tree, commit and manifest: flipped, truncated or extended bytes throw a FormatError', () => {
  const smallTree = treeArb.filter((t) => t.entries.length < 20);
  fc.assert(fc.property(damage(smallTree.map(encodeTree)), (b) => assertStrict(decodeTree, encodeTree, b)), { numRuns: 3000 });
  fc.assert(fc.property(damage(commitArb.map(encodeCommit)), (b) => assertStrict(decodeCommit, encodeCommit, b)), { numRuns: 1000 });
  fc.assert(fc.property(damage(manifestArb.map(encodeManifest)), (b) => assertStrict(decodeManifest, encodeManifest, b)), { numRuns: 1000 });
});

const fixture = Buffer.from('a3616581a6616b00616d1901a4616e616161730361748201026269645820' + '00'.repeat(32) + '61746474726565617601', 'hex');

test('tree: each kind of damage has its error code', () => {
  const patch = (from: string, to: string) => Buffer.from(fixture.toString('hex').replace(from, to), 'hex');
  const cases: [string, Uint8Array][] = [
    ['BAD_ENCODING', patch('616d1901a4', '616d1a000001a4')], // mode in more bytes than needed (cborg strict)
    ['BAD_ENCODING', patch('616e6161', '616e61ff')], // name is not UTF-8
    ['BAD_ENCODING', patch('616581', '61659f').subarray(0, 0)], // empty input
    ['BAD_ENCODING', Buffer.concat([patch('616581a6', '61659fa6').subarray(0, fixture.length - 10), Buffer.from('ff61746474726565617601', 'hex')])], // indefinite list
    ['NON_CANONICAL', patch('616b00616d1901a4', '616d1901a4616b00')], // keys out of order
    ['NON_CANONICAL', patch('616d1901a4', '616df95c00')], // mode as a float (1.0-like half float)
    ['BAD_FIELD', patch('616b00', '616b04')],
    ['UNKNOWN_FIELD', patch('616b00', '616b03')], // a conflict has no size
    ['BAD_FIELD', patch('5820' + '00'.repeat(32), '5821' + '00'.repeat(33))],
    ['MISSING_FIELD', patch('a6616b00', 'a6616b02')], // a symlink without a target
    ['MISSING_FIELD', encodeCbor({ t: 'tree', v: 1 })],
    ['UNKNOWN_FIELD', encodeCbor({ t: 'tree', v: 1, e: [{ n: 'a', k: 2, m: 0, t: [0, 0], l: 'x', x: 0 }] })],
    ['TOO_LARGE', encodeCbor({ t: 'tree', v: 1, e: [{ n: 'a'.repeat(256), k: 2, m: 0, t: [0, 0], l: 'x' }] })],
    ['HOSTILE_NAME', patch('616e6161', '616e612f')],
    ['UNSORTED_TREE', encodeCbor({ t: 'tree', v: 1, e: [0, 1].map(() => ({ n: 'a', k: 2, m: 0, t: [0, 0], l: 'x' })) })],
  ];
  for (const [code, bytes] of cases) assert.throws(() => decodeTree(bytes), { code }, `${code} ${Buffer.from(bytes).toString('hex')}`);
});

test('tree: a name starting with U+FEFF round-trips', () => {
  const tree: Tree = { entries: [{ kind: 'symlink', name: '\uFEFFa', mode: 0, mtime: { sec: 0, nsec: 0 }, target: '\uFEFF' }] };
  assert.deepEqual(decodeTree(encodeTree(tree)), tree);
});

test('tree: the conflict entry fixture from docs/format.md decodes, and encodes back to the same bytes', () => {
  const bytes = Buffer.from('a3616581a5616b03616d1901a4616e616161748201026269645820' + '00'.repeat(32) + '61746474726565617601', 'hex');
  const tree = decodeTree(bytes);
  assert.deepEqual(tree.entries, [{ kind: 'conflict', name: 'a', mode: 0o644, mtime: { sec: 1, nsec: 2 }, tree: '00'.repeat(32) }]);
  assert.ok(Buffer.from(encodeTree(tree)).equals(bytes));
  // A conflict needs its sides tree id, as a dir does.
  assert.throws(() => decodeTree(Buffer.from(bytes.toString('hex').replace('a5616b03', 'a4616b03').replace('6269645820' + '00'.repeat(32), ''), 'hex')), { code: 'MISSING_FIELD' });
});
