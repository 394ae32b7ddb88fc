// One file or symlink on disk as a tree entry (worktree layer), read the way a snapshot reads it: what
// `lode resolve --take FILE` records.
import fs, { type BigIntStats } from 'node:fs';
import type { FileEntry, SymlinkEntry } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { mtimeOfNs } from './dir-record.ts';
import { readFileBlob } from './file-reader.ts';

/** The entry named `name` for the regular file or symlink at `absPath`, which `st` (its lstat) describes. */
export async function entryOfPath(store: Store, absPath: string, name: string, st: BigIntStats): Promise<FileEntry | SymlinkEntry> {
  const base = { name, mode: Number(st.mode) & 0o7777, mtime: mtimeOfNs(st.mtimeNs) };
  if (st.isSymbolicLink()) return { kind: 'symlink', ...base, target: fs.readlinkSync(absPath) };
  const { blob } = await readFileBlob(store.blobs, absPath, st);
  return { kind: 'file', ...base, size: blob.size, blob: blob.id };
}
