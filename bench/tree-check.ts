// Summarizes a directory tree (files, bytes, and one BLAKE3 over every path, type, size, link target and
// content) so that a restore can be checked against its source. Benchmark support only.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createHasher } from '../src/core/index.ts';

export interface TreeSummary { files: number; dirs: number; symlinks: number; bytes: number; digest: string }

const block = Buffer.allocUnsafe(8 * 1024 * 1024);

function hashFile(path: string, into: ReturnType<typeof createHasher>): void {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, block, 0, block.length, null);
      if (n === 0) break;
      into.update(block.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** Walks `root` in name order. With `content` false only the listing and sizes are hashed. */
export function summarizeTree(root: string, content = true): TreeSummary {
  const s = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const h = createHasher();
  const enc = new TextEncoder();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path);
      if (st.isDirectory()) {
        s.dirs++;
        h.update(enc.encode(`d ${relPath}\n`));
        walk(path, relPath);
      } else if (st.isSymbolicLink()) {
        s.symlinks++;
        h.update(enc.encode(`l ${relPath} ${readlinkSync(path)}\n`));
      } else if (st.isFile()) {
        s.files++;
        s.bytes += st.size;
        h.update(enc.encode(`f ${relPath} ${st.size}\n`));
        if (content) hashFile(path, h);
      }
    }
  };
  walk(root, '');
  return { ...s, digest: Buffer.from(h.digest()).toString('hex') };
}
