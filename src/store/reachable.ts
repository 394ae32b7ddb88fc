// Walks what a set of root commits reaches (commits and their parents, trees, blobs, chunks) over any
// ObjectStore, reporting each object with the path that reached it. Shared by fsck and gc. Store layer.
import { decodeCommit, decodeManifest, decodeTree, isLodeError, type BlobId, type ChunkId, type CommitId, type Hash, type TreeId } from '../core/index.ts';
import type { ObjectKind, ObjectStore } from './ports.ts';

/** A reachable object that cannot be used: missing, of the wrong kind, corrupt or undecodable. */
export interface Defect { id: Hash; code: 'MISSING' | 'WRONG_KIND' | 'CORRUPT' | 'UNDECODABLE'; message: string }

export interface WalkVisitor {
  /** Called once per distinct reachable object that exists with the right kind. */
  reached?(id: Hash, kind: ObjectKind): void;
  /**
   * Chunks are not read by the walk; this decides whether one is usable (fsck consults its data check).
   * Returns a defect to report, or undefined.
   */
  checkChunk?(id: ChunkId): Defect | undefined;
  /** A defect together with the paths ("<commit>:<path>") through which it is reachable. */
  defect(d: Defect, path: string): void;
}

interface BadRef { defect: Defect; rel: string }
const NONE: BadRef[] = [];

function join(prefix: string, name: string): string {
  return prefix === '' ? name : name === '' ? prefix : `${prefix}/${name}`;
}

function defectOf(id: Hash, e: unknown, what: string): Defect {
  if (isLodeError(e) && (e.code === 'NOT_FOUND' || e.code === 'MISSING_PACK')) return { id, code: 'MISSING', message: `${what} ${id} is missing` };
  if (isLodeError(e) && e.code === 'CORRUPT') return { id, code: 'CORRUPT', message: e.message };
  if (isLodeError(e) && e.name === 'FormatError') return { id, code: 'UNDECODABLE', message: `${what} ${id}: ${e.message}` };
  throw e;
}

/** Visits everything reachable from `roots`. Each tree and blob is examined once, however many paths reach it. */
export interface WalkCounts { commits: number; trees: number; blobs: number; chunks: number }

export async function walkReachable(objects: ObjectStore, roots: CommitId[], v: WalkVisitor): Promise<WalkCounts> {
  const trees = new Map<TreeId, BadRef[]>();
  const blobs = new Map<BlobId, BadRef[]>();
  const chunks = new Map<ChunkId, Defect | null>();

  function expect(id: Hash, kind: ObjectKind): Defect | undefined {
    const actual = objects.kind(id);
    if (actual === undefined) return { id, code: 'MISSING', message: `${kind} ${id} is missing` };
    if (actual !== kind) return { id, code: 'WRONG_KIND', message: `${id} should be a ${kind} but is a ${actual}` };
    return undefined;
  }

  function chunk(id: ChunkId): Defect | null {
    let d = chunks.get(id);
    if (d !== undefined) return d;
    d = expect(id, 'chunk') ?? v.checkChunk?.(id) ?? null;
    if (d === null) v.reached?.(id, 'chunk');
    chunks.set(id, d);
    return d;
  }

  async function blob(id: BlobId): Promise<BadRef[]> {
    const memo = blobs.get(id);
    if (memo) return memo;
    let bad: BadRef[] = NONE;
    const kind = objects.kind(id);
    if (kind === 'chunk') {
      const d = chunk(id as unknown as ChunkId);
      if (d) bad = [{ defect: d, rel: '' }];
    } else if (kind === 'manifest') {
      try {
        const m = decodeManifest(await objects.get(id));
        v.reached?.(id, 'manifest');
        for (const c of m.chunks) {
          const d = chunk(c.id);
          if (d) bad = [...bad, { defect: d, rel: '' }];
        }
      } catch (e) {
        bad = [{ defect: defectOf(id, e, 'blob manifest'), rel: '' }];
      }
    } else {
      bad = [{ defect: kind === undefined ? { id, code: 'MISSING', message: `blob ${id} is missing` } : { id, code: 'WRONG_KIND', message: `blob ${id} is a ${kind}` }, rel: '' }];
    }
    blobs.set(id, bad);
    return bad;
  }

  async function tree(id: TreeId): Promise<BadRef[]> {
    const memo = trees.get(id);
    if (memo) return memo;
    let bad: BadRef[] = NONE;
    const wrong = expect(id, 'tree');
    if (wrong) {
      bad = [{ defect: wrong, rel: '' }];
    } else {
      try {
        const t = decodeTree(await objects.get(id));
        v.reached?.(id, 'tree');
        for (const e of t.entries) {
          const sub = e.kind === 'file' ? await blob(e.blob) : e.kind === 'symlink' ? NONE : await tree(e.tree);
          for (const b of sub) bad = [...bad, { defect: b.defect, rel: join(e.name, b.rel) }];
        }
      } catch (e) {
        bad = [{ defect: defectOf(id, e, 'tree'), rel: '' }];
      }
    }
    trees.set(id, bad);
    return bad;
  }

  const seen = new Set<CommitId>();
  const todo = [...roots];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const wrong = expect(id, 'commit');
    if (wrong) {
      v.defect(wrong, `${id}:`);
      continue;
    }
    let commit;
    try {
      commit = decodeCommit(await objects.get(id));
    } catch (e) {
      v.defect(defectOf(id, e, 'commit'), `${id}:`);
      continue;
    }
    v.reached?.(id, 'commit');
    for (const b of await tree(commit.tree)) v.defect(b.defect, `${id}:${b.rel}`);
    todo.push(...commit.parents);
  }
  return { commits: seen.size, trees: trees.size, blobs: blobs.size, chunks: chunks.size };
}
