// The real MetaStore: each named table is an LMDB sub-database (meta/<name>) in the index env; keys are
// UTF-8 and sort byte-wise, values are bytes. `write` commits one synced transaction. Store layer.
import { StoreError } from '../core/index.ts';
import type { DiskIndex } from './disk-index.ts';
import type { MetaStore, MetaTable, MetaWrite } from './ports.ts';

/** LMDB's key size limit (lmdb-js builds with a 1978-byte maximum; we keep well under it). */
export const MAX_META_KEY_BYTES = 1024;

function keyBytes(key: string): Buffer {
  const b = Buffer.from(key, 'utf8');
  if (b.length === 0 || b.length > MAX_META_KEY_BYTES) throw new StoreError('BAD_KEY', `metadata keys are 1 to ${MAX_META_KEY_BYTES} bytes`);
  return b;
}

function checkTable(name: string): string {
  if (name.length === 0 || Buffer.byteLength(name) > 200) throw new StoreError('BAD_TABLE', `bad metadata table name ${JSON.stringify(name)}`);
  return name;
}

/** The smallest byte string greater than every string starting with `prefix`, or undefined if none. */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

export class DiskMetaStore implements MetaStore {
  readonly #index: DiskIndex;

  constructor(index: DiskIndex) {
    this.#index = index;
  }

  table(name: string): MetaTable {
    const db = this.#index.table(checkTable(name));
    return {
      get: (key) => {
        const v = db.getBinary(keyBytes(key));
        return v === undefined ? undefined : new Uint8Array(v);
      },
      *range(prefix) {
        const start = Buffer.from(prefix, 'utf8');
        const end = prefixEnd(start);
        const opts = start.length === 0 ? {} : end === undefined ? { start } : { start, end };
        for (const { key, value } of db.getRange(opts)) {
          yield [Buffer.from(key).toString('utf8'), new Uint8Array(value)];
        }
      },
    };
  }

  /**
   * Runs `fn` inside the LMDB write transaction, which excludes every other writer, in every process: a
   * `table(..).get` in `fn` sees the state the writes will apply to, so read-check-write is atomic.
   * If `fn` throws, nothing is written and the error is rethrown.
   */
  async write(fn: (w: MetaWrite) => void): Promise<void> {
    let failure: { error: unknown } | undefined;
    // Metadata writes are small and often on a latency path (a head entry, a branch move): committed now.
    this.#index.writeNow(() => {
      const ops: { db: ReturnType<DiskIndex['table']>; key: Buffer; value: Uint8Array | undefined }[] = [];
      try {
        fn({
          put: (table, key, value) => void ops.push({ db: this.#index.table(checkTable(table)), key: keyBytes(key), value: Uint8Array.from(value) }),
          delete: (table, key) => void ops.push({ db: this.#index.table(checkTable(table)), key: keyBytes(key), value: undefined }),
        });
      } catch (error) {
        failure = { error };
        return;
      }
      for (const op of ops) {
        if (op.value === undefined) op.db.removeSync(op.key);
        else op.db.putSync(op.key, Buffer.from(op.value.buffer, op.value.byteOffset, op.value.byteLength));
      }
    });
    if (failure) throw failure.error;
  }
}
