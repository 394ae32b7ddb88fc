// fsck: checks a store from a set of root commits. Index rows must point inside existing packs; with
// readData every indexed record is re-read and re-hashed; then the walk from the roots names each bad
// object with the paths that reach it. Store layer; the CLI prints the report.
import { readdir, stat } from 'node:fs/promises';
import { type ChunkId, type CommitId, type Hash } from '../core/index.ts';
import { packsInProgress } from './disk-objects.ts';
import { DiskStore } from './disk-store.ts';
import { RECORD_HEADER_BYTES, PACK_HEADER_BYTES } from './pack-record.ts';
import type { Store } from './ports.ts';
import { walkReachable, type Defect } from './reachable.ts';

export type FsckCode = Defect['code'] | 'BAD_LOCATION' | 'MISSING_PACK';

export interface FsckError {
  code: FsckCode;
  /** The object at fault, when there is one. */
  id?: Hash;
  /** The pack at fault, for pack-level errors. */
  pack?: string;
  message: string;
  /** "<commit id>:<path in tree>" for each way the roots reach the object (capped at MAX_PATHS). */
  paths: string[];
}

export interface FsckCounts {
  commits: number; trees: number; blobs: number; chunks: number;
  indexedObjects: number; packs: number; bytesVerified: number;
  /** Pack files no index row refers to (a writer crashed before its flush): safe for gc to delete. */
  unindexedPacks: number;
  /** Bytes gc could free: unindexed packs plus dead records inside indexed packs. */
  reclaimableBytes: number;
}

export interface FsckReport { ok: boolean; errors: FsckError[]; counts: FsckCounts }

/** In the 'data' phase `done` and `total` count raw bytes; in the others, objects (total 0: unknown). */
export interface FsckProgress { phase: 'index' | 'data' | 'walk'; done: number; total: number }
export interface FsckOptions { readData: boolean; onProgress?: (p: FsckProgress) => void }

export const MAX_PATHS = 100;

class Problems {
  readonly byKey = new Map<string, FsckError>();
  add(e: Omit<FsckError, 'paths'>, path?: string): void {
    const key = `${e.id ?? ''}|${e.pack ?? ''}`;
    let p = this.byKey.get(key);
    if (!p) this.byKey.set(key, (p = { ...e, paths: [] }));
    if (path !== undefined && p.paths.length < MAX_PATHS && !p.paths.includes(path)) p.paths.push(path);
  }
  get(id: Hash): FsckError | undefined {
    return this.byKey.get(`${id}|`);
  }
}

/** Index rows against the pack files: every row inside an existing pack; unindexed packs counted. */
async function checkPacks(store: DiskStore, problems: Problems, counts: FsckCounts, progress: FsckOptions['onProgress']): Promise<[Hash, number, number, number][]> {
  const table = store.index.packTable();
  const sizes = new Map<number, number>();
  for (const [n, name] of table) {
    try {
      sizes.set(n, (await stat(`${store.objects.packDir}/${name}.pack`)).size);
    } catch {
      problems.add({ code: 'MISSING_PACK', pack: name, message: `pack ${name} is indexed but missing` });
    }
  }
  const live = new Map<number, number>();
  const order: [Hash, number, number, number][] = [];
  let done = 0;
  for (const [id, row] of store.index.rows()) {
    counts.indexedObjects++;
    const name = table.get(row.pack);
    const size = sizes.get(row.pack);
    const end = row.offset + RECORD_HEADER_BYTES + row.storedLength;
    if (name === undefined) {
      problems.add({ code: 'BAD_LOCATION', id, message: `object ${id}: index refers to unregistered pack number ${row.pack}` });
    } else if (size === undefined) {
      problems.add({ code: 'MISSING_PACK', id, pack: undefined, message: `object ${id}: its pack ${name} is missing` });
    } else if (row.offset < PACK_HEADER_BYTES || end > size) {
      problems.add({ code: 'BAD_LOCATION', id, message: `object ${id}: index row points outside pack ${name} (${row.offset}+${end - row.offset} > ${size})` });
    } else {
      live.set(row.pack, (live.get(row.pack) ?? 0) + end - row.offset);
      order.push([id, row.pack, row.offset, row.rawLength]);
    }
    if (++done % 10000 === 0) progress?.({ phase: 'index', done, total: 0 });
  }
  counts.packs = table.size;
  for (const [n, size] of sizes) counts.reclaimableBytes += Math.max(0, size - PACK_HEADER_BYTES - (live.get(n) ?? 0));
  const known = new Set(table.values());
  for (const f of await readdir(store.objects.packDir)) {
    const name = f.replace(/\.pack$/, '');
    if (!f.endsWith('.pack') || known.has(name) || packsInProgress.has(name)) continue;
    counts.unindexedPacks++;
    counts.reclaimableBytes += (await stat(`${store.objects.packDir}/${f}`)).size;
  }
  // Pack, then offset: the data pass reads each pack front to back.
  order.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
  return order;
}

/** Re-reads every object through the store's verifying `get`, a few at a time. */
async function verifyData(store: Store, ids: Iterable<Hash>, total: number, problems: Problems, counts: FsckCounts, progress: FsckOptions['onProgress']): Promise<void> {
  const it = ids[Symbol.iterator]();
  let objectsDone = 0;
  async function worker(): Promise<void> {
    for (let r = it.next(); !r.done; r = it.next()) {
      const id = r.value;
      if (problems.get(id)) continue;
      try {
        const bytes = await store.objects.get(id);
        counts.bytesVerified += bytes.length;
        if (++objectsDone % 16 === 0) progress?.({ phase: 'data', done: counts.bytesVerified, total });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'CORRUPT') problems.add({ code: 'CORRUPT', id, message: (e as Error).message });
        else if (code === 'MISSING_PACK') problems.add({ code: 'MISSING_PACK', id, message: (e as Error).message });
        else throw e;
      }
    }
  }
  await Promise.all([worker(), worker(), worker()]);
  progress?.({ phase: 'data', done: counts.bytesVerified, total });
}

export async function fsck(store: Store, roots: CommitId[], opts: FsckOptions): Promise<FsckReport> {
  const problems = new Problems();
  const counts: FsckCounts = { commits: 0, trees: 0, blobs: 0, chunks: 0, indexedObjects: 0, packs: 0, bytesVerified: 0, unindexedPacks: 0, reclaimableBytes: 0 };
  const progress = opts.onProgress;
  let order: Hash[];
  let totalBytes = 0;
  if (store instanceof DiskStore) {
    await store.objects.flush();
    const rows = await checkPacks(store, problems, counts, progress);
    order = rows.map(([id]) => id);
    for (const r of rows) totalBytes += r[3];
  } else {
    order = [...store.objects.ids()];
    counts.indexedObjects = order.length;
  }
  if (opts.readData) await verifyData(store, order, totalBytes, problems, counts, progress);

  let walked = 0;
  const walk = await walkReachable(store.objects, roots, {
    checkChunk(id: ChunkId): Defect | undefined {
      if (++walked % 1000 === 0) progress?.({ phase: 'walk', done: walked, total: 0 });
      const p = problems.get(id);
      return p && { id, code: p.code === 'CORRUPT' ? 'CORRUPT' : 'MISSING', message: p.message };
    },
    defect(d, path) {
      // A defect already found by the index or data pass keeps its code and gains the path.
      const known = problems.get(d.id);
      problems.add(known ?? { code: d.code, id: d.id, message: d.message }, path);
    },
  });
  Object.assign(counts, walk);
  const errors = [...problems.byKey.values()];
  return { ok: errors.length === 0, errors, counts };
}
