// gc: under the exclusive lock, marks what the roots reach, then frees the rest. Packs with no live
// record are dropped; packs with much dead space are copied live-only to a new pack, which is fsync'd
// before the index moves to it and the old pack is deleted. A crash at any step loses nothing live.
import { readdir, stat, unlink } from 'node:fs/promises';
import { StoreError, hashToBytes, type CommitId, type Hash } from '../core/index.ts';
import { encodeRow, newPackName, packKey, type IndexRow } from './disk-index.ts';
import { PACK_TARGET_BYTES, packsInProgress } from './disk-objects.ts';
import { DiskStore } from './disk-store.ts';
import { acquireExclusive } from './locks.ts';
import { PackWriter, packPath } from './pack-file.ts';
import { PACK_HEADER_BYTES, RECORD_HEADER_BYTES } from './pack-record.ts';
import type { Store } from './ports.ts';
import { walkReachable } from './reachable.ts';
import { verifyRecord } from './record-reader.ts';

export interface GcOptions {
  /** Repack a pack when at least this fraction of it is dead (default 0.25). */
  repackThreshold?: number;
}

/** Packs smaller than this are merged by gc (each snapshot process starts a pack of its own). */
const SMALL_PACK = 4 * 1024 * 1024;

export interface GcReport {
  liveObjects: number;
  deletedObjects: number;
  deletedPacks: number;
  repackedPacks: number;
  /** Unindexed pack files left by writers that crashed before flushing. */
  leftoverPacks: number;
  bytesFreed: number;
}

interface PackState { n: number; name: string; size: number; live: [Hash, IndexRow][]; dead: Hash[]; liveBytes: number }

function recordBytes(row: IndexRow): number {
  return RECORD_HEADER_BYTES + row.storedLength;
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

export async function gc(store: Store, roots: CommitId[], opts: GcOptions = {}): Promise<GcReport> {
  if (!(store instanceof DiskStore)) throw new StoreError('UNSUPPORTED', 'gc runs on an on-disk store only');
  const threshold = opts.repackThreshold ?? 0.25;
  const packTarget = PACK_TARGET_BYTES;
  const lock = await acquireExclusive(store.lockDir);
  try {
    const objects = store.objects;
    const index = store.index;
    // Everything this store staged becomes indexed, and its pack closed, so every pack is fair game.
    await objects.seal();

    const live = new Set<Hash>();
    await walkReachable(objects, roots, {
      reached: (id) => void live.add(id),
      defect(d, path) {
        // Deleting with part of the graph unreadable could free what a damaged object refers to.
        throw new StoreError('GC_ABORTED', `gc stopped, nothing was deleted: ${d.message} (reached at ${path}); run fsck`);
      },
    });

    const report: GcReport = { liveObjects: live.size, deletedObjects: 0, deletedPacks: 0, repackedPacks: 0, leftoverPacks: 0, bytesFreed: 0 };
    const packs = new Map<number, PackState>();
    for (const [n, name] of index.packTable()) {
      packs.set(n, { n, name, size: await sizeOf(packPath(objects.packDir, name)), live: [], dead: [], liveBytes: 0 });
    }
    for (const [id, row] of index.rows()) {
      const p = packs.get(row.pack);
      if (!p) throw new StoreError('CORRUPT_INDEX', `object ${id} refers to unregistered pack number ${row.pack}; run fsck`);
      if (live.has(id)) {
        p.live.push([id, row]);
        p.liveBytes += recordBytes(row);
      } else {
        p.dead.push(id);
      }
    }

    const toRepack: PackState[] = [];
    for (const p of packs.values()) {
      const deadFraction = p.size === 0 ? 0 : (p.size - PACK_HEADER_BYTES - p.liveBytes) / p.size;
      report.deletedObjects += p.dead.length;
      if (p.live.length === 0) {
        await index.write(() => {
          for (const id of p.dead) index.objects.removeSync(hashToBytes(id));
          index.packs.removeSync(packKey(p.n));
        });
        await dropPackFile(store, p);
        report.deletedPacks++;
        report.bytesFreed += p.size;
      } else if (deadFraction >= threshold || p.size < SMALL_PACK) {
        toRepack.push(p);
      } else if (p.dead.length > 0) {
        // Not worth copying: the rows go, the bytes stay as dead space until the pack is repacked.
        await index.write(() => {
          for (const id of p.dead) index.objects.removeSync(hashToBytes(id));
        });
      }
    }
    // Small packs are merged when there are two or more; a lone one is repacked only for its dead space.
    const small = toRepack.filter((p) => p.size < SMALL_PACK);
    const lone = small.length === 1 && small[0]!.size - PACK_HEADER_BYTES - small[0]!.liveBytes < threshold * small[0]!.size ? small[0] : undefined;
    const candidates = toRepack.filter((p) => p !== lone);
    if (lone && lone.dead.length > 0) {
      await index.write(() => {
        for (const id of lone.dead) index.objects.removeSync(hashToBytes(id));
      });
    }
    for (const group of groupsOf(candidates, packTarget)) {
      if (await repack(store, group)) {
        report.repackedPacks += group.length;
        for (const p of group) report.bytesFreed += p.size - PACK_HEADER_BYTES - p.liveBytes;
      } else {
        // A corrupt live record keeps its packs as they are; only their dead rows go.
        for (const p of group) await index.write(() => {
          for (const id of p.dead) index.objects.removeSync(hashToBytes(id));
        });
      }
    }

    // The exclusive lock means no live writer in another process, and packsInProgress lists this
    // process's: any other unindexed pack is a crashed writer's leftover.
    const known = new Set(index.packTable().values());
    for (const f of await readdir(objects.packDir)) {
      if (!f.endsWith('.pack') || known.has(f.slice(0, -5)) || packsInProgress.has(f.slice(0, -5))) continue;
      const path = `${objects.packDir}/${f}`;
      report.bytesFreed += await sizeOf(path);
      await unlink(path).catch(() => {});
      report.leftoverPacks++;
    }
    return report;
  } finally {
    await lock.release();
  }
}

async function dropPackFile(store: DiskStore, p: PackState): Promise<void> {
  store.index.forgetPack(p.n);
  store.objects.reader.evict(p.name);
  await unlink(packPath(store.objects.packDir, p.name)).catch((e: { code?: string }) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Packs to repack together, each group's live bytes about one pack's worth. */
function groupsOf(packs: PackState[], target: number): PackState[][] {
  const groups: PackState[][] = [];
  let cur: PackState[] = [];
  let bytes = 0;
  for (const p of packs) {
    if (cur.length > 0 && bytes + p.liveBytes > target) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += p.liveBytes;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/**
 * Copies the live records of a group of packs, verified, into one new pack; the index moves to it only
 * once the copy is durable, and the old packs are deleted after that. False (nothing changed) if a live
 * record is corrupt.
 */
async function repack(store: DiskStore, group: PackState[]): Promise<boolean> {
  const { index, objects } = store;
  const writer = await PackWriter.create(objects.packDir, newPackName(), undefined);
  const moved: [Hash, IndexRow][] = [];
  try {
    for (const p of group) {
      p.live.sort((a, b) => a[1].offset - b[1].offset);
      for (const [id, row] of p.live) {
        const loc = { kind: row.kind, pack: p.name, offset: row.offset, storedLength: row.storedLength, rawLength: row.rawLength };
        const record = await objects.reader.read(p.name, row.offset, recordBytes(row));
        // Verify before copying: gc must not launder a corrupt record into a fresh pack.
        await verifyRecord(record, id, loc);
        const offset = writer.reserve([record]);
        if (writer.queuedBytes > 16 * 1024 * 1024) await writer.drained();
        moved.push([id, { ...row, offset }]);
      }
    }
    await writer.sync();
  } catch (e) {
    await writer.close().catch(() => {});
    await unlink(writer.path).catch(() => {});
    if ((e as { code?: string }).code === 'CORRUPT') return false;
    throw e;
  }
  await writer.close();
  await index.write(() => {
    const n = index.registerPackInTxn(writer.name);
    for (const [id, row] of moved) index.objects.putSync(hashToBytes(id), encodeRow({ ...row, pack: n }));
    for (const p of group) {
      for (const id of p.dead) index.objects.removeSync(hashToBytes(id));
      index.packs.removeSync(packKey(p.n));
    }
  });
  for (const p of group) await dropPackFile(store, p);
  return true;
}
