// openStore: the real store in a directory, created on first use (layout, config with the format version,
// node identity), held under a shared lock while open. Store layer; see docs/format-store.md.
import { mkdir, readFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError, generateKeypair, publicKeyOf, toHex } from "../core/index.js";
import { createBlobs } from "./blobs.js";
import { chunkStream } from "./chunker.js";
import { DiskIndex } from "./disk-index.js";
import { DiskMetaStore } from "./disk-meta.js";
import { DiskObjectStore } from "./disk-objects.js";
import { writeFileDurable } from "./durable-file.js";
import { acquireShared } from "./locks.js";
import { createObjects } from "./typed.js";
export const STORE_FORMAT = 'lode-store';
export const STORE_VERSION = 1;
export class DiskStore {
    path;
    identity;
    objects;
    blobs;
    typed;
    meta;
    index;
    lockDir;
    #lock;
    #closed = false;
    constructor(path, identity, index, objects, lock) {
        this.path = path;
        this.identity = identity;
        this.index = index;
        this.objects = objects;
        this.meta = new DiskMetaStore(index);
        this.blobs = createBlobs(objects, chunkStream);
        this.typed = createObjects(objects);
        this.lockDir = join(path, 'locks');
        this.#lock = lock;
    }
    async close() {
        if (this.#closed)
            return;
        this.#closed = true;
        try {
            await this.objects.close();
        }
        finally {
            await this.index.close().catch(() => { });
            await this.#lock.release();
        }
    }
}
async function ensureConfig(dir) {
    const file = join(dir, 'config');
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (e) {
        if (e.code !== 'ENOENT')
            throw e;
        await writeFileDurable(file, `${JSON.stringify({ format: STORE_FORMAT, version: STORE_VERSION })}\n`, 0o600);
        return;
    }
    let config;
    try {
        config = JSON.parse(text);
    }
    catch (e) {
        throw new StoreError('BAD_CONFIG', `${file} is not valid JSON`, { cause: e });
    }
    if (config.format !== STORE_FORMAT)
        throw new StoreError('BAD_CONFIG', `${dir} is not a lode store`);
    if (config.version !== STORE_VERSION) {
        throw new StoreError('UNSUPPORTED_VERSION', `store format version ${String(config.version)} is not supported (this lode reads ${STORE_VERSION})`);
    }
}
async function ensureIdentity(dir) {
    const keyFile = join(dir, 'node.key');
    let secretKey;
    try {
        const hex = (await readFile(keyFile, 'utf8')).trim();
        if (!/^[0-9a-f]{64}$/.test(hex))
            throw new StoreError('BAD_KEY', `${keyFile} does not hold a 32-byte hex key`);
        secretKey = Buffer.from(hex, 'hex');
    }
    catch (e) {
        if (e.code !== 'ENOENT')
            throw e;
        secretKey = generateKeypair().secretKey;
        await writeFileDurable(keyFile, `${toHex(secretKey)}\n`, 0o600);
    }
    await chmod(keyFile, 0o600);
    const nodeId = toHex(publicKeyOf(secretKey));
    const idFile = join(dir, 'node_id');
    const written = await readFile(idFile, 'utf8').catch(() => '');
    if (written.trim() !== nodeId)
        await writeFileDurable(idFile, `${nodeId}\n`, 0o644);
    return { nodeId, secretKey };
}
function faultsFrom(opts) {
    const env = process.env.LODE_TEST_ENOSPC_AFTER;
    const limit = opts.enospcAfterBytes ?? (env !== undefined && env !== '' ? Number(env) : undefined);
    if (limit === undefined)
        return undefined;
    if (!Number.isSafeInteger(limit) || limit < 0)
        throw new StoreError('BAD_CONFIG', 'LODE_TEST_ENOSPC_AFTER must be a byte count');
    return { packBytesLeft: limit };
}
/** Opens (creating on first use) the store in `dir`. Throws StoreError LOCKED while gc holds it. */
export async function openStore(dir, opts = {}) {
    try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // The version check comes first: a store of another format is left exactly as it is.
        await ensureConfig(dir);
        for (const sub of ['packs', 'locks', 'index'])
            await mkdir(join(dir, sub), { mode: 0o700 }).catch((e) => {
                if (e.code !== 'EEXIST')
                    throw e;
            });
    }
    catch (e) {
        if (e instanceof StoreError)
            throw e;
        const code = e.code;
        throw new StoreError(code === 'ENOSPC' ? 'DISK_FULL' : 'IO', `cannot set up the store at ${dir}: ${e.message}`, { cause: e });
    }
    const identity = await ensureIdentity(dir);
    const lock = await acquireShared(join(dir, 'locks'));
    try {
        const index = new DiskIndex(join(dir, 'index'));
        const objects = new DiskObjectStore(index, join(dir, 'packs'), { packTargetBytes: opts.packTargetBytes, faults: faultsFrom(opts) });
        return new DiskStore(dir, identity, index, objects, lock);
    }
    catch (e) {
        await lock.release();
        throw e;
    }
}
