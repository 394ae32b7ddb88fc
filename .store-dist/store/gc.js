// gc: under the exclusive lock, marks what the roots reach, then frees the rest. Packs with no live
// record are dropped; packs with much dead space are copied live-only to a new pack, which is fsync'd
// before the index moves to it and the old pack is deleted. A crash at any step loses nothing live.
import { readdir, stat, unlink } from 'node:fs/promises';
import { StoreError, hashToBytes } from "../core/index.js";
import { encodeRow, newPackName, packKey } from "./disk-index.js";
import { DiskStore } from "./disk-store.js";
import { acquireExclusive } from "./locks.js";
import { PackWriter, packPath } from "./pack-file.js";
import { PACK_HEADER_BYTES, RECORD_HEADER_BYTES } from "./pack-record.js";
import { walkReachable } from "./reachable.js";
import { verifyRecord } from "./record-reader.js";
function recordBytes(row) {
    return RECORD_HEADER_BYTES + row.storedLength;
}
async function sizeOf(path) {
    return stat(path).then((s) => s.size, () => 0);
}
export async function gc(store, roots, opts = {}) {
    if (!(store instanceof DiskStore))
        throw new StoreError('UNSUPPORTED', 'gc runs on an on-disk store only');
    const threshold = opts.repackThreshold ?? 0.25;
    const lock = await acquireExclusive(store.lockDir);
    try {
        const objects = store.objects;
        const index = store.index;
        // Everything this store staged becomes indexed, and its pack closed, so every pack is fair game.
        await objects.seal();
        const live = new Set();
        await walkReachable(objects, roots, {
            reached: (id) => void live.add(id),
            defect(d, path) {
                // Deleting with part of the graph unreadable could free what a damaged object refers to.
                throw new StoreError('GC_ABORTED', `gc stopped, nothing was deleted: ${d.message} (reached at ${path}); run fsck`);
            },
        });
        const report = { liveObjects: live.size, deletedObjects: 0, deletedPacks: 0, repackedPacks: 0, leftoverPacks: 0, bytesFreed: 0 };
        const packs = new Map();
        for (const [n, name] of index.packTable()) {
            packs.set(n, { n, name, size: await sizeOf(packPath(objects.packDir, name)), live: [], dead: [], liveBytes: 0 });
        }
        for (const [id, row] of index.rows()) {
            const p = packs.get(row.pack);
            if (!p)
                throw new StoreError('CORRUPT_INDEX', `object ${id} refers to unregistered pack number ${row.pack}; run fsck`);
            if (live.has(id)) {
                p.live.push([id, row]);
                p.liveBytes += recordBytes(row);
            }
            else {
                p.dead.push(id);
            }
        }
        for (const p of packs.values()) {
            const deadFraction = p.size === 0 ? 0 : (p.size - PACK_HEADER_BYTES - p.liveBytes) / p.size;
            if (p.live.length === 0) {
                await index.write(() => {
                    for (const id of p.dead)
                        index.objects.removeSync(hashToBytes(id));
                    index.packs.removeSync(packKey(p.n));
                });
                await dropPackFile(store, p);
                report.deletedPacks++;
                report.bytesFreed += p.size;
            }
            else if (deadFraction >= threshold && (await repack(store, p))) {
                report.repackedPacks++;
                report.bytesFreed += p.size - PACK_HEADER_BYTES - p.liveBytes;
            }
            else if (p.dead.length > 0) {
                // Not worth copying: the rows go, the bytes stay as dead space until the pack is repacked.
                await index.write(() => {
                    for (const id of p.dead)
                        index.objects.removeSync(hashToBytes(id));
                });
            }
            report.deletedObjects += p.dead.length;
        }
        // The exclusive lock means no live writer: an unindexed pack is a crashed writer's leftover.
        const known = new Set(index.packTable().values());
        for (const f of await readdir(objects.packDir)) {
            if (!f.endsWith('.pack') || known.has(f.slice(0, -5)))
                continue;
            const path = `${objects.packDir}/${f}`;
            report.bytesFreed += await sizeOf(path);
            await unlink(path).catch(() => { });
            report.leftoverPacks++;
        }
        return report;
    }
    finally {
        await lock.release();
    }
}
async function dropPackFile(store, p) {
    store.index.forgetPack(p.n);
    store.objects.reader.evict(p.name);
    await unlink(packPath(store.objects.packDir, p.name)).catch((e) => {
        if (e.code !== 'ENOENT')
            throw e;
    });
}
/** Copies a pack's live records, verified, to a new pack; the index moves only once the copy is durable. */
async function repack(store, p) {
    const { index, objects } = store;
    const writer = await PackWriter.create(objects.packDir, newPackName(), undefined);
    const moved = [];
    try {
        p.live.sort((a, b) => a[1].offset - b[1].offset);
        for (const [id, row] of p.live) {
            const loc = { kind: row.kind, pack: p.name, offset: row.offset, storedLength: row.storedLength, rawLength: row.rawLength };
            const record = await objects.reader.read(p.name, row.offset, recordBytes(row));
            // Verify before copying: gc must not launder a corrupt record into a fresh pack.
            await verifyRecord(record, id, loc);
            const offset = writer.reserve([record]);
            if (writer.queuedBytes > 16 * 1024 * 1024)
                await writer.drained();
            moved.push([id, { ...row, offset }]);
        }
        await writer.sync();
    }
    catch (e) {
        await writer.close().catch(() => { });
        await unlink(writer.path).catch(() => { });
        // A corrupt live record stays where it is, for fsck to report; the pack is left alone.
        if (e.code === 'CORRUPT')
            return false;
        throw e;
    }
    await writer.close();
    await index.write(() => {
        const n = index.registerPackInTxn(writer.name);
        for (const [id, row] of moved)
            index.objects.putSync(hashToBytes(id), encodeRow({ ...row, pack: n }));
        for (const id of p.dead)
            index.objects.removeSync(hashToBytes(id));
        index.packs.removeSync(packKey(p.n));
    });
    await dropPackFile(store, p);
    return true;
}
