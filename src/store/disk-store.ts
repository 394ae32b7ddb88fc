// openStore: the real store in a directory, created on first use (layout, config with the format version,
// node identity), held under a shared lock while open. Store layer; see docs/format.md ("Store layout").
import { mkdir, readFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError, generateKeypair, publicKeyOf, toHex, type NodeId } from '../core/index.ts';
import { createBlobs } from './blobs.ts';
import { CHUNK_MIN, chunkStream } from './chunker.ts';
import { DiskIndex } from './disk-index.ts';
import { DiskMetaStore } from './disk-meta.ts';
import { DiskObjectStore } from './disk-objects.ts';
import { writeFileDurable } from './durable-file.ts';
import { acquireShared, type StoreLock } from './locks.ts';
import { packPath, type DiskFaults } from './pack-file.ts';
import { MemoryMetaStore } from './memory.ts';
import type { Blobs, Identity, MetaStore, Objects, Store } from './ports.ts';
import { createObjects } from './typed.ts';

export const STORE_FORMAT = 'lode-store';
export const STORE_VERSION = 1;

export interface OpenStoreOptions {
  /** Pack size at which a writer seals its pack and starts another (default 32 MiB). */
  packTargetBytes?: number;
  /** Records appended and not yet indexed, past which appends wait for an index commit (default 65,536). */
  unindexedLimit?: number;
  /** Test hook: pack writes fail with ENOSPC after this many bytes (also LODE_TEST_ENOSPC_AFTER). */
  enospcAfterBytes?: number;
  /** Where the disposable cache (the stat cache) lives; default `<store>/cache`. */
  cacheDir?: string;
}

export class DiskStore implements Store {
  readonly path: string;
  readonly identity: Identity;
  readonly objects: DiskObjectStore;
  readonly blobs: Blobs;
  readonly typed: Objects;
  readonly meta: DiskMetaStore;
  readonly cache: MetaStore;
  /** Why the cache could not be opened (this run then keeps it in memory), or undefined. */
  readonly cacheProblem: string | undefined;
  readonly index: DiskIndex;
  readonly #cacheIndex: DiskIndex | undefined;
  readonly lockDir: string;
  readonly #lock: StoreLock;
  #closed = false;

  constructor(path: string, identity: Identity, index: DiskIndex, cache: OpenedCache, objects: DiskObjectStore, lock: StoreLock) {
    this.path = path;
    this.identity = identity;
    this.index = index;
    this.objects = objects;
    this.meta = new DiskMetaStore(index);
    this.#cacheIndex = cache.index;
    this.cache = cache.index ? new DiskMetaStore(cache.index) : new MemoryMetaStore();
    this.cacheProblem = cache.problem;
    // Restores of large files read chunks in a worker, straight from the packs the index names.
    this.blobs = createBlobs(objects, chunkStream, CHUNK_MIN, (id) => {
      const row = objects.index.row(id);
      if (!row || row.kind !== 'chunk') return undefined;
      const pack = objects.index.packName(row.pack);
      return { pack, packPath: packPath(objects.packDir, pack), offset: row.offset, storedLength: row.storedLength, rawLength: row.rawLength };
    });
    this.typed = createObjects(objects, (id, kind) => objects.getOfKind(id, kind));
    this.lockDir = join(path, 'locks');
    this.#lock = lock;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.objects.close();
    } finally {
      await this.index.close().catch(() => {});
      await this.#cacheIndex?.close().catch(() => {});
      await this.#lock.release();
    }
  }
}

async function ensureConfig(dir: string): Promise<void> {
  const file = join(dir, 'config');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    await writeFileDurable(file, `${JSON.stringify({ format: STORE_FORMAT, version: STORE_VERSION })}\n`, 0o600);
    return;
  }
  let config: { format?: unknown; version?: unknown };
  try {
    config = JSON.parse(text) as typeof config;
  } catch (e) {
    throw new StoreError('BAD_CONFIG', `${file} is not valid JSON`, { cause: e });
  }
  if (config.format !== STORE_FORMAT) throw new StoreError('BAD_CONFIG', `${dir} is not a lode store`);
  if (config.version !== STORE_VERSION) {
    throw new StoreError('UNSUPPORTED_VERSION', `store format version ${String(config.version)} is not supported (this lode reads ${STORE_VERSION})`);
  }
}

async function ensureIdentity(dir: string): Promise<Identity> {
  const keyFile = join(dir, 'node.key');
  let secretKey: Uint8Array;
  try {
    const hex = (await readFile(keyFile, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new StoreError('BAD_KEY', `${keyFile} does not hold a 32-byte hex key`);
    secretKey = Buffer.from(hex, 'hex');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    secretKey = generateKeypair().secretKey;
    await writeFileDurable(keyFile, `${toHex(secretKey)}\n`, 0o600);
  }
  await chmod(keyFile, 0o600);
  const nodeId = toHex(publicKeyOf(secretKey)) as NodeId;
  const idFile = join(dir, 'node_id');
  const written = await readFile(idFile, 'utf8').catch(() => '');
  if (written.trim() !== nodeId) await writeFileDurable(idFile, `${nodeId}\n`, 0o644);
  return { nodeId, secretKey };
}

interface OpenedCache { index?: DiskIndex | undefined; problem?: string | undefined }

/** The disposable cache; one that cannot be opened (unwritable, full disk) is replaced by memory for this run. */
async function openCache(dir: string): Promise<OpenedCache> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return { index: new DiskIndex(dir) };
  } catch (e) {
    return { problem: `cannot open the cache at ${dir}: ${(e as Error).message}` };
  }
}

function faultsFrom(opts: OpenStoreOptions): DiskFaults | undefined {
  const env = process.env.LODE_TEST_ENOSPC_AFTER;
  const limit = opts.enospcAfterBytes ?? (env !== undefined && env !== '' ? Number(env) : undefined);
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError('BAD_CONFIG', 'LODE_TEST_ENOSPC_AFTER must be a byte count');
  return { packBytesLeft: limit };
}

function setupError(e: unknown, dir: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: string }).code;
  return new StoreError(code === 'ENOSPC' || code === 'EDQUOT' ? 'DISK_FULL' : 'IO', `cannot set up the store at ${dir}: ${(e as Error).message}`, { cause: e });
}

/** Opens (creating on first use) the store in `dir`. Throws StoreError LOCKED while gc holds it. */
export async function openStore(dir: string, opts: OpenStoreOptions = {}): Promise<DiskStore> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The version check comes first: a store of another format is left exactly as it is.
    await ensureConfig(dir);
    for (const sub of ['packs', 'locks', 'index']) await mkdir(join(dir, sub), { mode: 0o700 }).catch((e: { code?: string }) => {
      if (e.code !== 'EEXIST') throw e;
    });
  } catch (e) {
    throw setupError(e, dir);
  }
  let identity: Identity;
  let lock: StoreLock;
  try {
    identity = await ensureIdentity(dir);
    lock = await acquireShared(join(dir, 'locks'));
  } catch (e) {
    throw setupError(e, dir);
  }
  try {
    const index = new DiskIndex(join(dir, 'index'));
    const cache = await openCache(opts.cacheDir ?? join(dir, 'cache'));
    const objects = new DiskObjectStore(index, join(dir, 'packs'), { packTargetBytes: opts.packTargetBytes, unindexedLimit: opts.unindexedLimit, faults: faultsFrom(opts) });
    return new DiskStore(dir, identity, index, cache, objects, lock);
  } catch (e) {
    await lock.release();
    throw e;
  }
}
