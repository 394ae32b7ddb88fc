// Directory fixtures for the CLI tests: build a tree from a declarative list, and compare two trees
// entry by entry (kind, mode, size, bytes, symlink target, mtime).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readlink, symlink, utimes, lutimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type FixtureEntry =
  | { path: string; kind: 'file'; content: Buffer | string; mode?: number; mtime?: number }
  | { path: string; kind: 'dir'; mode?: number; mtime?: number }
  | { path: string; kind: 'symlink'; target: string; mtime?: number };

/** Deterministic pseudo-random bytes (fast, and the same on every run for a seed). */
export function seededBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`seed:${seed}`).digest();
  let i = 0;
  // Stretch with a cheap xorshift so that 10s of MiB take milliseconds, not seconds.
  let x = block.readUInt32LE(0) | 1;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out.writeInt32LE(x | 0, i);
  }
  block = createHash('sha256').update(out.subarray(0, Math.min(64, size))).digest();
  for (; i < size; i++) out[i] = block[i % 32]!;
  return out;
}

export function randomContent(size: number): Buffer {
  return randomBytes(size);
}

/** Writes the entries (parents first is not required); modes and mtimes are applied after all content. */
export async function buildTree(root: string, entries: FixtureEntry[]): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const e of entries) {
    const full = join(root, e.path);
    await mkdir(e.kind === 'dir' ? full : dirname(full), { recursive: true });
    if (e.kind === 'file') await writeFile(full, e.content);
    if (e.kind === 'symlink') await symlink(e.target, full);
  }
  // Deepest first, so setting a directory's mtime is not undone by writing into it.
  const byDepth = [...entries].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const e of byDepth) {
    const full = join(root, e.path);
    if (e.kind !== 'symlink' && e.mode !== undefined) await chmod(full, e.mode);
    if (e.mtime !== undefined) {
      if (e.kind === 'symlink') await lutimes(full, e.mtime, e.mtime);
      else await utimes(full, e.mtime, e.mtime);
    }
  }
}

export interface Observed {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size?: number;
  sha256?: string;
  target?: string;
  mtimeMs: number;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every entry under `root` by relative path (root itself excluded). */
export async function observeTree(root: string, skip: (rel: string) => boolean = () => false): Promise<Map<string, Observed>> {
  const out = new Map<string, Observed>();
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (skip(r)) continue;
      const full = join(dir, name);
      const st = await lstat(full);
      const base = { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs };
      if (st.isSymbolicLink()) out.set(r, { ...base, kind: 'symlink', target: await readlink(full) });
      else if (st.isDirectory()) {
        out.set(r, { ...base, kind: 'dir' });
        await walk(full, r);
      } else if (st.isFile()) out.set(r, { ...base, kind: 'file', size: st.size, sha256: await sha256File(full) });
      else out.set(r, { ...base, kind: 'other' });
    }
  }
  await walk(root, '');
  return out;
}

export interface CompareOptions {
  /** Compare symlink mtimes too (lutimes). */
  symlinkMtimes?: boolean;
  /** Allowed mtime difference in ms (timestamps pass through doubles on the way). */
  mtimeToleranceMs?: number;
  skip?: (rel: string) => boolean;
}

/** Lists every difference between two trees; empty when they match. */
export async function compareTrees(expected: string, actual: string, opts: CompareOptions = {}): Promise<string[]> {
  const tol = opts.mtimeToleranceMs ?? 1;
  const a = await observeTree(expected, opts.skip);
  const b = await observeTree(actual, opts.skip);
  const diffs: string[] = [];
  for (const [path, x] of a) {
    const y = b.get(path);
    if (y === undefined) { diffs.push(`missing: ${path}`); continue; }
    if (x.kind !== y.kind) { diffs.push(`${path}: kind ${x.kind} != ${y.kind}`); continue; }
    if (x.kind !== 'symlink' && x.mode !== y.mode) diffs.push(`${path}: mode ${x.mode.toString(8)} != ${y.mode.toString(8)}`);
    if (x.size !== y.size) diffs.push(`${path}: size ${x.size} != ${y.size}`);
    if (x.sha256 !== y.sha256) diffs.push(`${path}: content differs`);
    if (x.target !== y.target) diffs.push(`${path}: target ${x.target} != ${y.target}`);
    const checkMtime = x.kind !== 'symlink' || opts.symlinkMtimes === true;
    if (checkMtime && Math.abs(x.mtimeMs - y.mtimeMs) > tol) diffs.push(`${path}: mtime ${x.mtimeMs} != ${y.mtimeMs}`);
  }
  for (const path of b.keys()) if (!a.has(path)) diffs.push(`unexpected: ${path}`);
  return diffs;
}
