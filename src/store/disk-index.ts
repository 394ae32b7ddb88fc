// The store's LMDB index (one env at <store>/index): object locations, the pack-number table, counters,
// and the MetaStore's named tables. Every commit is synchronous and durable. Store layer, disk side.
import { randomBytes } from 'node:crypto';
import { open, type Database, type RootDatabase } from 'lmdb';
import { StoreError, hashToBytes, hashFromBytes, type Hash } from '../core/index.ts';
import { KIND_CODES, KINDS } from './pack-record.ts';
import type { ObjectKind } from './ports.ts';

/** Where one object lives: its record starts at `offset` in pack number `pack`. */
export interface IndexRow { kind: ObjectKind; pack: number; offset: number; storedLength: number; rawLength: number }

/** kind u8, pack u32, record offset u48, stored length u32, raw length u32 (all big-endian). */
export const ROW_BYTES = 19;

export function encodeRow(r: IndexRow): Buffer {
  const b = Buffer.allocUnsafe(ROW_BYTES);
  b[0] = KIND_CODES[r.kind];
  b.writeUInt32BE(r.pack, 1);
  b.writeUIntBE(r.offset, 5, 6);
  b.writeUInt32BE(r.storedLength, 11);
  b.writeUInt32BE(r.rawLength, 15);
  return b;
}

/** `b` may be a Buffer whose `length` is less than its byteLength (lmdb's fast buffer); `length` counts. */
export function decodeRow(b: Uint8Array, id: string): IndexRow {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const kind = KINDS[buf[0] ?? 255];
  if (buf.length !== ROW_BYTES || kind === undefined) throw new StoreError('CORRUPT_INDEX', `index row of ${id} is malformed`);
  // The u48 offset as u16 and u32: readUIntBE(…, 6) is several times slower, and every read comes here.
  const offset = buf.readUInt16BE(5) * 2 ** 32 + buf.readUInt32BE(7);
  return { kind, pack: buf.readUInt32BE(1), offset, storedLength: buf.readUInt32BE(11), rawLength: buf.readUInt32BE(15) };
}

export function packKey(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** A fresh random pack name: 32 lowercase hex digits, so concurrent writers never collide. */
export function newPackName(): string {
  return randomBytes(16).toString('hex');
}

const NEXT_PACK = Buffer.from('next-pack');
const HASH_KEY_BYTES = 32;
const ROW_KEY = Buffer.alloc(HASH_KEY_BYTES);
const PACK_NAME = /^[0-9a-f]{32}$/;

export class DiskIndex {
  readonly env: RootDatabase<Buffer, Buffer>;
  /** id (32 bytes) -> IndexRow */
  readonly objects: Database<Buffer, Buffer>;
  /** pack number (u32 BE) -> pack name (ASCII hex) */
  readonly packs: Database<Buffer, Buffer>;
  /** counters such as the next pack number */
  readonly state: Database<Buffer, Buffer>;
  readonly #tables = new Map<string, Database<Buffer, Buffer>>();
  readonly #packNames = new Map<number, string>();
  readonly #packNumbers = new Map<string, number>();

  constructor(path: string) {
    try {
      // overlappingSync off: a commit returns only once LMDB has synced it, so "committed" means "durable".
      this.env = open<Buffer, Buffer>({ path, maxDbs: 256, overlappingSync: false, encoding: 'binary', keyEncoding: 'binary' });
      this.objects = this.env.openDB({ name: 'objects', encoding: 'binary', keyEncoding: 'binary' });
      this.packs = this.env.openDB({ name: 'packs', encoding: 'binary', keyEncoding: 'binary' });
      this.state = this.env.openDB({ name: 'state', encoding: 'binary', keyEncoding: 'binary' });
    } catch (e) {
      throw indexError(e, 'opening the index');
    }
  }

  row(id: Hash): IndexRow | undefined {
    // lmdb copies the key before it returns, so one scratch buffer serves every lookup.
    if (id.length !== 2 * HASH_KEY_BYTES || ROW_KEY.write(id, 'hex') !== HASH_KEY_BYTES) return undefined;
    const b = this.objects.getBinaryFast(ROW_KEY);
    // lmdb-js's fast buffer reports its true size only through `length` (byteLength is its capacity),
    // which decodeRow reads.
    return b === undefined ? undefined : decodeRow(b, id);
  }

  has(id: Hash): boolean {
    return this.objects.doesExist(hashToBytes(id));
  }

  *rows(): Iterable<[Hash, IndexRow]> {
    for (const { key, value } of this.objects.getRange({})) {
      const id = hashFromBytes(key);
      yield [id, decodeRow(value, id)];
    }
  }

  *ids(): Iterable<Hash> {
    for (const key of this.objects.getKeys({})) yield hashFromBytes(key);
  }

  packName(n: number): string {
    let name = this.#packNames.get(n);
    if (name === undefined) {
      // Another process (or gc) may have registered it since we last looked.
      const b = this.packs.getBinary(packKey(n));
      if (b === undefined) throw new StoreError('CORRUPT_INDEX', `index refers to pack number ${n}, which is not registered`);
      name = b.toString('latin1');
      this.#remember(n, name);
    }
    return name;
  }

  /** Every registered pack: number -> name. */
  packTable(): Map<number, string> {
    const table = new Map<number, string>();
    for (const { key, value } of this.packs.getRange({})) {
      const name = Buffer.from(value).toString('latin1');
      if (!PACK_NAME.test(name)) throw new StoreError('CORRUPT_INDEX', `pack table holds a bad pack name`);
      table.set(Buffer.from(key).readUInt32BE(0), name);
    }
    return table;
  }

  packNumber(name: string): number | undefined {
    return this.#packNumbers.get(name);
  }

  /** Inside a write transaction: the pack's number, registering it when it is new. */
  registerPackInTxn(name: string): number {
    const known = this.#packNumbers.get(name);
    if (known !== undefined) return known;
    const cur = this.state.getBinary(NEXT_PACK);
    const n = cur === undefined ? 1 : cur.readUInt32BE(0);
    this.state.putSync(NEXT_PACK, packKey(n + 1));
    this.packs.putSync(packKey(n), Buffer.from(name, 'latin1'));
    this.#remember(n, name);
    return n;
  }

  forgetPack(n: number): void {
    const name = this.#packNames.get(n);
    this.#packNames.delete(n);
    if (name !== undefined) this.#packNumbers.delete(name);
  }

  #remember(n: number, name: string): void {
    this.#packNames.set(n, name);
    this.#packNumbers.set(name, n);
  }

  table(name: string): Database<Buffer, Buffer> {
    let db = this.#tables.get(name);
    if (!db) {
      db = this.env.openDB({ name: `meta/${name}`, encoding: 'binary', keyEncoding: 'binary' });
      this.#tables.set(name, db);
    }
    return db;
  }

  /** Runs `fn` in one write transaction and resolves once it is committed and synced. */
  async write<T>(fn: () => T): Promise<T> {
    try {
      return await this.env.transaction(fn);
    } catch (e) {
      throw this.#failed(e);
    }
  }

  /**
   * Like write, but commits and syncs before it returns, on this thread. For small metadata writes on a
   * latency path (a head entry, a branch move): an async commit waits for the write thread's next batch
   * and for this thread to take its callback, which on a busy daemon took 5-10 times the sync itself.
   */
  writeNow<T>(fn: () => T): T {
    try {
      return this.env.transactionSync(fn);
    } catch (e) {
      throw this.#failed(e);
    }
  }

  /** A failed transaction may have registered pack numbers in memory that never committed: forgets them. */
  #failed(e: unknown): unknown {
    this.#packNames.clear();
    this.#packNumbers.clear();
    return indexError(e, 'committing to the index');
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}

/** LMDB failures as StoreErrors: a full disk or map is DISK_FULL; anything else is INDEX_FAILED. */
export function indexError(e: unknown, doing: string): unknown {
  if (e instanceof StoreError) return e;
  const err = e as { code?: string; message?: string };
  const text = `${err.code ?? ''} ${err.message ?? ''}`;
  if (/ENOSPC|EDQUOT|MDB_MAP_FULL|No space left|quota/i.test(text)) {
    return new StoreError('DISK_FULL', `disk full while ${doing}`, { cause: e });
  }
  return new StoreError('INDEX_FAILED', `LMDB failed while ${doing}: ${err.message ?? String(e)}`, { cause: e });
}
