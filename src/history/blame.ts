// Blame: for each line of a file at a commit, the commit that last changed it. History layer: walks
// first parents, mapping lines back through diffLines until every line has an owner or the path ends.
import { HistoryError, type BlobId, type CommitId, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { diffLines, splitLines } from './line-diff.ts';
import { findEntry, pathComponents } from './paths.ts';
import { looksBinary } from './unified-diff.ts';

/** Each version of the file is held in memory while its lines are mapped; bigger files are refused. */
export const MAX_BLAME_BYTES = 8 * 1024 * 1024;

export interface BlameLine {
  /** 1-based line number in the blamed version. */
  line: number;
  commit: CommitId;
  /** The line's text, with its '\n' if it has one. */
  text: string;
}

/** The entry at `path`, or undefined where the path (or a directory on it) is absent from this version. */
async function entryAt(store: Store, root: TreeId, parts: readonly string[]): Promise<TreeEntry | undefined> {
  let tree = root;
  for (let i = 0; i < parts.length; i++) {
    const entry = findEntry(await store.typed.getTree(tree), parts[i]!);
    if (entry === undefined) return undefined;
    if (i === parts.length - 1) return entry;
    if (entry.kind !== 'dir') return undefined;
    tree = entry.tree;
  }
  return undefined;
}

async function readLines(store: Store, blob: BlobId, path: string): Promise<string[]> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of store.blobs.read(blob)) {
    size += chunk.length;
    if (size > MAX_BLAME_BYTES) throw new HistoryError('FILE_TOO_LARGE', `${path} is over 8 MiB; blame holds it in memory`);
    parts.push(chunk);
  }
  const bytes = Buffer.concat(parts);
  if (looksBinary(bytes)) throw new HistoryError('BINARY_FILE', `${path} looks binary; blame works on text`);
  return splitLines(bytes.toString('utf8'));
}

/** Who last changed each line of the file at `path` in commit `start`, following first parents. */
export async function blameFile(store: Store, start: CommitId, path: string): Promise<BlameLine[]> {
  const parts = pathComponents(path);
  if (parts.length === 0) throw new HistoryError('NOT_A_FILE', 'blame needs a file path, not the root');
  let id = start;
  let commit = await store.typed.getCommit(id);
  const first = await entryAt(store, commit.tree, parts);
  if (first === undefined) throw new HistoryError('NO_SUCH_PATH', `no ${parts.join('/')} in this version`);
  if (first.kind !== 'file') throw new HistoryError('NOT_A_FILE', `${parts.join('/')} is a ${first.kind}, not a file`);

  const lines = await readLines(store, first.blob, path);
  const owners: (CommitId | undefined)[] = new Array<CommitId | undefined>(lines.length).fill(undefined);
  let blob = first.blob;
  let current = lines;
  // For each line of the current version, the index of the blamed line it became, or -1 once owned.
  let origin = lines.map((_, i) => i);
  let pending = lines.length;

  while (pending > 0) {
    const parentId = commit.parents[0];
    const parent = parentId === undefined ? undefined : await store.typed.getCommit(parentId);
    const entry = parent === undefined ? undefined : await entryAt(store, parent.tree, parts);
    if (parentId === undefined || parent === undefined || entry === undefined || entry.kind !== 'file') {
      // The path starts here: every line not yet owned was written by this commit.
      for (const o of origin) if (o >= 0) owners[o] = id;
      break;
    }
    if (entry.blob !== blob) {
      const older = await readLines(store, entry.blob, path);
      const olderOrigin = new Array<number>(older.length).fill(-1);
      for (const edit of diffLines(older, current)) {
        for (let k = 0; k < edit.bEnd - edit.bStart; k++) {
          const o = origin[edit.bStart + k]!;
          if (o < 0) continue;
          if (edit.op === 'equal') olderOrigin[edit.aStart + k] = o;
          else { owners[o] = id; pending--; }
        }
      }
      current = older;
      origin = olderOrigin;
      blob = entry.blob;
    }
    id = parentId;
    commit = parent;
  }
  return lines.map((text, i) => ({ line: i + 1, commit: owners[i] ?? id, text }));
}
