// In-memory fakes of the store's ports, for unit tests of the layers above. They pass the same
// conformance suite as the real store (testing/conformance.ts).
import { blake3Hex, generateKeypair, toHex, StoreError, type Hash, type NodeId } from '../core/index.ts';
import { createBlobs } from './blobs.ts';
import { chunkStream } from './chunker.ts';
import { MIN_COMPRESS, compressFrame, decompressSync } from './payload-codec.ts';
import type { MetaStore, MetaTable, MetaWrite, ObjectKind, ObjectStore, Store, StoredObject } from './ports.ts';
import { createObjects } from './typed.ts';

export class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<Hash, { kind: ObjectKind; bytes: Uint8Array }>();

  has(id: Hash): boolean { return this.#objects.has(id); }
  kind(id: Hash): ObjectKind | undefined { return this.#objects.get(id)?.kind; }

  async get(id: Hash): Promise<Uint8Array> {
    const o = this.#objects.get(id);
    if (!o) throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
    if (o.kind !== 'manifest' && blake3Hex(o.bytes) !== id) throw new StoreError('CORRUPT', `object ${id} does not match its hash`);
    return o.bytes.slice();
  }

  async put(kind: ObjectKind, id: Hash, bytes: Uint8Array): Promise<boolean> {
    if (this.#objects.has(id)) return false;
    // Uint8Array.from copies; a Buffer's slice() would share the caller's memory.
    this.#objects.set(id, { kind, bytes: Uint8Array.from(bytes) });
    return true;
  }

  /** Compressed as the disk store would (the same zstd frames), so in-memory sync runs the stored path too. */
  async getStored(id: Hash): Promise<StoredObject> {
    const kind = this.kind(id);
    const bytes = await this.get(id);
    const frame = bytes.length < MIN_COMPRESS ? undefined : compressFrame(bytes);
    return frame === undefined ? { kind: kind!, compressed: false, rawLength: bytes.length, bytes } : { kind: kind!, compressed: true, rawLength: bytes.length, bytes: frame };
  }

  async putStored(id: Hash, stored: StoredObject): Promise<boolean> {
    if (this.#objects.has(id)) return false;
    // Kept raw, like everything here; a frame that does not inflate to its length is refused as the disk store's reader would.
    let raw: Uint8Array;
    try {
      raw = stored.compressed ? decompressSync(stored.bytes, stored.rawLength) : stored.bytes;
    } catch (e) {
      throw new StoreError('CORRUPT', `object ${id}: stored payload does not inflate to ${stored.rawLength} bytes`, { cause: e });
    }
    if (raw.length !== stored.rawLength) throw new StoreError('CORRUPT', `object ${id}: stored length differs from raw length`);
    return this.put(stored.kind, id, raw);
  }

  async flush(): Promise<void> {}

  *ids(): Iterable<Hash> { yield* [...this.#objects.keys()].sort(); }

  /** Test hook: flips one byte of a stored object, as a bad disk would. */
  corrupt(id: Hash): void {
    const o = this.#objects.get(id);
    if (!o || o.bytes.length === 0) throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
    o.bytes[0]! ^= 0xff;
  }
}

export class MemoryMetaStore implements MetaStore {
  readonly #tables = new Map<string, Map<string, Uint8Array>>();
  /** Each table's keys in byte order, rebuilt lazily after a write touches that table. */
  readonly #sorted = new Map<string, string[]>();

  #rows(name: string): Map<string, Uint8Array> {
    let t = this.#tables.get(name);
    if (!t) this.#tables.set(name, (t = new Map()));
    return t;
  }

  #keys(name: string): string[] {
    let keys = this.#sorted.get(name);
    if (!keys) {
      keys = [...this.#rows(name).keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      this.#sorted.set(name, keys);
    }
    return keys;
  }

  table(name: string): MetaTable {
    return {
      get: (key) => {
        const value = this.#rows(name).get(key);
        return value && new Uint8Array(value);
      },
      range: (prefix) => this.#range(name, prefix),
    };
  }

  *#range(name: string, prefix: string): Iterable<[string, Uint8Array]> {
    const keys = this.#keys(name);
    const rows = this.#rows(name);
    const p = Buffer.from(prefix);
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(Buffer.from(keys[mid]!), p) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) {
      const value = rows.get(keys[i]!);
      if (value) yield [keys[i]!, new Uint8Array(value)];
    }
  }

  async write(fn: (w: MetaWrite) => void): Promise<void> {
    const ops: (() => void)[] = [];
    const touched = new Set<string>();
    fn({
      put: (table, key, value) => {
        touched.add(table);
        const copy = new Uint8Array(value);
        ops.push(() => this.#rows(table).set(key, copy));
      },
      delete: (table, key) => {
        touched.add(table);
        ops.push(() => this.#rows(table).delete(key));
      },
    });
    for (const op of ops) op();
    for (const t of touched) this.#sorted.delete(t);
  }
}

export function memoryStore(): Store & { objects: MemoryObjectStore } {
  const objects = new MemoryObjectStore();
  const keys = generateKeypair();
  return {
    path: undefined,
    identity: { nodeId: toHex(keys.publicKey) as NodeId, secretKey: keys.secretKey },
    objects,
    blobs: createBlobs(objects, chunkStream),
    typed: createObjects(objects),
    meta: new MemoryMetaStore(),
    cache: new MemoryMetaStore(),
    async close() {},
  };
}
