// Builds the benchmark dataset: real files copied from this machine (many small ones) plus large random
// files, a duplicate of one and a copy of another with 100 bytes inserted in the middle. A script, not a test.
//
//   node bench/dataset.ts DIR [--real-mb 600] [--big-mb 300]
import { randomFillSync } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const MiB = 1024 * 1024;
/** Where real files come from, in order, until the budget is spent. */
const SOURCES = [
  '/usr/share/doc', '/usr/include', '/usr/lib/python3', '/usr/lib/python3.11', '/usr/lib/python3.12', '/usr/lib/python3.13',
  '/usr/share/perl', '/usr/share/perl5', '/usr/share/locale', '/usr/share/man', '/usr/lib/x86_64-linux-gnu', '/usr/share',
];

interface Counts { files: number; bytes: number; symlinks: number; escapingLinks: number; dirs: number; skipped: number }

/** Copies regular files, symlinks and directories under `src` into `dst` until `budget` bytes are copied. */
function copyTree(src: string, dst: string, root: string, budget: number, counts: Counts): void {
  let names;
  try {
    names = readdirSync(src, { withFileTypes: true });
  } catch {
    counts.skipped++;
    return;
  }
  mkdirSync(dst, { recursive: true });
  counts.dirs++;
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const d of names) {
    if (counts.bytes >= budget) return;
    const from = join(src, d.name);
    const to = join(dst, d.name);
    if (existsSync(to)) continue; // /usr/share comes after its own subfolders
    try {
      if (d.isDirectory()) copyTree(from, to, root, budget, counts);
      else if (d.isSymbolicLink()) {
        const target = readlinkSync(from);
        // lode's restore refuses links that escape the target (e.g. to /etc/alternatives), by design; such
        // links would make the restores differ, so the dataset keeps only links that stay inside it.
        if (isAbsolute(target) || !resolve(dirname(to), target).startsWith(root + sep)) {
          counts.escapingLinks++;
          continue;
        }
        symlinkSync(target, to);
        counts.symlinks++;
      } else if (d.isFile()) {
        copyFileSync(from, to);
        counts.files++;
        counts.bytes += statSync(to).size;
      }
    } catch {
      counts.skipped++; // unreadable or vanished: the dataset is a sample anyway
    }
  }
}

/** Writes `size` random bytes, streaming in 8 MiB blocks. */
export function writeRandom(path: string, size: number): void {
  const fd = openSync(path, 'w');
  const block = Buffer.allocUnsafe(8 * MiB);
  for (let done = 0; done < size; ) {
    const n = Math.min(block.length, size - done);
    randomFillSync(block, 0, n);
    writeSync(fd, block, 0, n);
    done += n;
  }
  closeSync(fd);
}

/** Copies `from` to `to` with `insert` placed at byte `at`, streaming. */
function copyWithInsert(from: string, to: string, at: number, insert: Uint8Array): void {
  const input = openSync(from, 'r');
  const output = openSync(to, 'w');
  const block = Buffer.allocUnsafe(8 * MiB);
  let pos = 0;
  for (;;) {
    const want = pos < at ? Math.min(block.length, at - pos) : block.length;
    const n = readSync(input, block, 0, want, pos);
    if (n === 0) break;
    writeSync(output, block, 0, n);
    pos += n;
    if (pos === at) writeSync(output, insert);
  }
  closeSync(input);
  closeSync(output);
}

export function buildDataset(dir: string, realMb: number, bigMb: number): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    process.stderr.write(`dataset: ${dir} is not empty; remove it or choose another directory\n`);
    process.exit(2);
  }
  const real = join(dir, 'real');
  const counts: Counts = { files: 0, bytes: 0, symlinks: 0, escapingLinks: 0, dirs: 0, skipped: 0 };
  for (const source of SOURCES) {
    if (counts.bytes >= realMb * MiB) break;
    if (!existsSync(source)) continue;
    copyTree(source, join(real, source.slice(1)), resolve(dir), realMb * MiB, counts);
  }
  console.log(`real files: ${counts.files} files, ${(counts.bytes / MiB).toFixed(0)} MiB, ${counts.symlinks} symlinks (${counts.escapingLinks} leaving the dataset left out), ${counts.dirs} dirs, ${counts.skipped} skipped`);

  const big = join(dir, 'big');
  mkdirSync(big, { recursive: true });
  const size = bigMb * MiB;
  writeRandom(join(big, 'random-a.bin'), size);
  writeRandom(join(big, 'random-b.bin'), size + 12345);
  copyFileSync(join(big, 'random-a.bin'), join(big, 'random-a-duplicate.bin'));
  const insert = Buffer.alloc(100);
  randomFillSync(insert);
  copyWithInsert(join(big, 'random-b.bin'), join(big, 'random-b-inserted.bin'), Math.floor(size / 2), insert);
  console.log(`big files: random-a.bin and random-b.bin (${bigMb} MiB each), random-a-duplicate.bin, random-b-inserted.bin (+100 bytes in the middle)`);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'real-mb': { type: 'string', default: '600' }, 'big-mb': { type: 'string', default: '300' } },
  });
  const dir = positionals[0];
  if (dir === undefined) {
    process.stderr.write('usage: node bench/dataset.ts DIR [--real-mb 600] [--big-mb 300]\n');
    process.exit(2);
  }
  buildDataset(dir, Number(values['real-mb']), Number(values['big-mb']));
}
