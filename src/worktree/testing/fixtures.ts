// Test fixtures for the worktree layer: temporary directories, sample trees, both store kinds, and a
// recursive comparison of two directories (bytes, modes, mtimes, symlinks). Used by *.test.ts only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TreeId } from '../../core/index.ts';
import { memoryStore, openStore, type Store } from '../../store/index.ts';

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lode-wt-${label}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const isRoot = process.getuid?.() === 0;

/** The two store kinds every round trip runs against. */
export const storeKinds: { name: string; open(): Promise<{ store: Store; cleanup(): Promise<void> }> }[] = [
  { name: 'memory', async open() { const store = memoryStore(); return { store, cleanup: () => store.close() }; } },
  {
    name: 'disk',
    async open() {
      const dir = tempDir('store');
      const store = await openStore(dir);
      return { store, cleanup: async () => { await store.close(); removeDir(dir); } };
    },
  },
];

/** A tree with nested and empty directories, empty and multi-chunk files, symlinks, modes and unicode names. */
export function buildSampleTree(root: string): void {
  const w = (rel: string, data: string | Uint8Array, mode = 0o644) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    fs.chmodSync(p, mode);
  };
  w('hello.txt', 'hello world\n');
  w('empty-file', '');
  w('secret', 'only me\n', 0o600);
  w('bin/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  if (isRoot) w('bin/suid', 'setuid\n', 0o4755);
  w('a/b/c/deep.txt', 'deep\n');
  w('big.bin', randomBytes(9 * 1024 * 1024));
  w('dup.bin', fs.readFileSync(path.join(root, 'big.bin')));
  w('é/日本/🎉.txt', 'unicode ✓\n');
  w('Zebra', 'sorts before lowercase\n');
  fs.mkdirSync(path.join(root, 'empty-dir'));
  fs.mkdirSync(path.join(root, 'a/empty-inner'), { recursive: true });
  fs.symlinkSync('hello.txt', path.join(root, 'link-to-hello'));
  fs.symlinkSync('../../hello.txt', path.join(root, 'a/b/up-link'));
  fs.symlinkSync('does-not-exist', path.join(root, 'dangling'));
  fs.mkdirSync(path.join(root, 'ro-dir'), { mode: 0o755 });
  w('ro-dir/inside', 'in a read-only dir\n');
  fs.chmodSync(path.join(root, 'ro-dir'), 0o555);
  // Distinct mtimes with nanoseconds, set last so writing children does not change them.
  fs.utimesSync(path.join(root, 'hello.txt'), 1_600_000_000.123456, 1_600_000_000.123456);
  fs.lutimesSync(path.join(root, 'link-to-hello'), 1_500_000_000, 1_500_000_000);
  fs.utimesSync(path.join(root, 'a/b'), 1_400_000_000.5, 1_400_000_000.5);
}

export interface Difference { path: string; what: string }

/** Differences between two directories: kind, bytes, mode, mtime (to 1 µs, what utimes can set) and link targets. */
export function compareDirs(a: string, b: string, rel = ''): Difference[] {
  const out: Difference[] = [];
  const names = new Set([...fs.readdirSync(path.join(a, rel)), ...fs.readdirSync(path.join(b, rel))]);
  for (const name of [...names].sort()) {
    const r = rel === '' ? name : `${rel}/${name}`;
    const pa = path.join(a, r);
    const pb = path.join(b, r);
    if (!fs.existsSync(pa) && !isLink(pa)) { out.push({ path: r, what: 'missing in first' }); continue; }
    if (!fs.existsSync(pb) && !isLink(pb)) { out.push({ path: r, what: 'missing in second' }); continue; }
    const sa = fs.lstatSync(pa, { bigint: true });
    const sb = fs.lstatSync(pb, { bigint: true });
    const kind = (s: fs.BigIntStats) => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other');
    if (kind(sa) !== kind(sb)) { out.push({ path: r, what: `kind ${kind(sa)} vs ${kind(sb)}` }); continue; }
    if (!sa.isSymbolicLink() && (sa.mode & 0o7777n) !== (sb.mode & 0o7777n)) out.push({ path: r, what: `mode ${sa.mode.toString(8)} vs ${sb.mode.toString(8)}` });
    const dt = sa.mtimeNs - sb.mtimeNs;
    if (dt > 1000n || dt < -1000n) out.push({ path: r, what: `mtime ${sa.mtimeNs} vs ${sb.mtimeNs}` });
    if (sa.isFile() && !fs.readFileSync(pa).equals(fs.readFileSync(pb))) out.push({ path: r, what: 'content' });
    if (sa.isSymbolicLink() && fs.readlinkSync(pa) !== fs.readlinkSync(pb)) out.push({ path: r, what: 'link target' });
    if (sa.isDirectory()) out.push(...compareDirs(a, b, r));
  }
  return out;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every path in a tree, depth first, directories before their contents. */
export async function treePaths(store: Store, tree: TreeId, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await store.typed.getTree(tree)).entries) {
    out.push(prefix + e.name);
    if (e.kind === 'dir') out.push(...(await treePaths(store, e.tree, `${prefix}${e.name}/`)));
  }
  return out;
}
