// Compares the direct tree codec with the cborg path it replaced (cborg.encode of the entry maps; cborg
// decode, field checks and a re-encode to check canonical form), on 3,000 trees of 15 entries.
// A script, not a timed test: `node bench/tree-codec-speed.ts [rounds]`.
import * as cborg from 'cborg';
import { decodeTree, encodeTree, fields as f, type Tree, type TreeEntry } from '../src/core/index.ts';

const rounds = Number(process.argv[2] ?? 5);
const TREES = 3_000;
const ENTRIES = 15;

let seed = 0x9e3779b9;
function rand(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed;
}
const hex = () => Array.from({ length: 8 }, () => rand().toString(16).padStart(8, '0')).join('');

function makeTree(t: number): Tree {
  const entries: TreeEntry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const name = `entry-${t}-${String(i).padStart(2, '0')}${i % 5 === 0 ? '-é' : ''}.txt`;
    const base = { name, mode: i % 3 === 0 ? 0o755 : 0o644, mtime: { sec: 1_700_000_000 + (rand() % 1_000_000), nsec: rand() % 1_000_000_000 } };
    const k = i % 7;
    entries.push(k === 0 ? { ...base, kind: 'dir', tree: hex() as never }
      : k === 1 ? { ...base, kind: 'symlink', target: `../target/${name}` }
      : { ...base, kind: 'file', size: rand() * 8, blob: hex() as never });
  }
  return { entries };
}

// The codec as it was: cborg with the same options and the same checks.
const KIND_CODES = { file: 0, dir: 1, symlink: 2, conflict: 3 } as const;
const KINDS = ['file', 'dir', 'symlink'] as const;
const decodeOptions = { strict: true, allowIndefinite: false, allowUndefined: false, allowNaN: false, allowInfinity: false, allowBigInt: false, rejectDuplicateMapKeys: true, useMaps: false };
const id = (h: string) => Buffer.from(h, 'hex');

function cborgEncode(tree: Tree): Uint8Array {
  for (let i = 1; i < tree.entries.length; i++) {
    if (Buffer.compare(Buffer.from(tree.entries[i - 1]!.name), Buffer.from(tree.entries[i]!.name)) >= 0) throw new RangeError('unsorted');
  }
  return cborg.encode({
    t: 'tree', v: 1, e: tree.entries.map((e) => {
      const m: Record<string, unknown> = { n: e.name, k: KIND_CODES[e.kind], m: e.mode, t: [e.mtime.sec, e.mtime.nsec] };
      if (e.kind === 'file') { m.s = e.size; m.id = id(e.blob); }
      if (e.kind === 'dir' || e.kind === 'conflict') m.id = id(e.tree);
      if (e.kind === 'symlink') m.l = e.target;
      return m;
    }),
  }, cborg.rfc8949EncodeOptions);
}

function cborgDecode(bytes: Uint8Array): Tree {
  const m = f.asMap(cborg.decode(bytes, decodeOptions), 'tree');
  f.exactKeys(m, 'tree', ['t', 'v', 'e']);
  f.literal(m.t, 'tree', 'tree.t');
  f.literal(m.v, 1, 'tree.v');
  const entries = f.list(m.e, 'tree.e', 1_000_000).map((v, i): TreeEntry => {
    const what = `tree entry ${i}`;
    const e = f.asMap(v, what);
    const kind = KINDS[f.uint(e.k, `${what}.k`, 2)]!;
    f.exactKeys(e, what, ['n', 'k', 'm', 't', ...(kind === 'file' ? ['s', 'id'] : kind === 'dir' ? ['id'] : ['l'])]);
    const name = f.text(e.n, `${what}.n`, 255);
    const mode = f.uint(e.m, `${what}.m`, 0o7777);
    const t = f.list(e.t, `${what}.t`, 2);
    const mtime = { sec: f.int(t[0], `${what}.t`), nsec: f.uint(t[1], `${what}.t`, 999_999_999) };
    if (kind === 'file') return { kind, name, mode, mtime, size: f.uint(e.s, `${what}.s`), blob: f.hash(e.id, `${what}.id`) };
    if (kind === 'dir') return { kind, name, mode, mtime, tree: f.hash(e.id, `${what}.id`) };
    return { kind, name, mode, mtime, target: f.text(e.l, `${what}.l`, 4096) };
  });
  const tree = { entries };
  if (Buffer.compare(bytes, cborgEncode(tree)) !== 0) throw new RangeError('non-canonical');
  return tree;
}

const trees = Array.from({ length: TREES }, (_, t) => makeTree(t));
const encoded = trees.map(encodeTree);
for (let i = 0; i < TREES; i++) {
  if (Buffer.compare(encoded[i]!, cborgEncode(trees[i]!)) !== 0) throw new RangeError(`tree ${i}: the encodings differ`);
}

function time(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

const best = { cborgEnc: Infinity, enc: Infinity, cborgDec: Infinity, dec: Infinity };
for (let r = 0; r < rounds; r++) {
  best.cborgEnc = Math.min(best.cborgEnc, time(() => { for (const t of trees) cborgEncode(t); }));
  best.enc = Math.min(best.enc, time(() => { for (const t of trees) encodeTree(t); }));
  best.cborgDec = Math.min(best.cborgDec, time(() => { for (const b of encoded) cborgDecode(b); }));
  best.dec = Math.min(best.dec, time(() => { for (const b of encoded) decodeTree(b); }));
}
const bytes = encoded.reduce((n, b) => n + b.length, 0);
console.log(`${TREES} trees of ${ENTRIES} entries, ${(bytes / TREES).toFixed(0)} bytes each; best of ${rounds} rounds`);
console.log(`encode: cborg ${best.cborgEnc.toFixed(1)} ms, direct ${best.enc.toFixed(1)} ms, ${(best.cborgEnc / best.enc).toFixed(1)}x faster`);
console.log(`decode: cborg ${best.cborgDec.toFixed(1)} ms, direct ${best.dec.toFixed(1)} ms, ${(best.cborgDec / best.dec).toFixed(1)}x faster`);
