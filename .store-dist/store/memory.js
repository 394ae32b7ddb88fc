// In-memory fakes of the store's ports, for unit tests of the layers above. They pass the same
// conformance suite as the real store (testing/conformance.ts).
import { blake3Hex, generateKeypair, toHex, StoreError } from "../core/index.js";
import { createBlobs } from "./blobs.js";
import { chunkStream } from "./chunker.js";
import { createObjects } from "./typed.js";
export class MemoryObjectStore {
    #objects = new Map();
    has(id) { return this.#objects.has(id); }
    kind(id) { return this.#objects.get(id)?.kind; }
    async get(id) {
        const o = this.#objects.get(id);
        if (!o)
            throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
        if (o.kind !== 'manifest' && blake3Hex(o.bytes) !== id)
            throw new StoreError('CORRUPT', `object ${id} does not match its hash`);
        return o.bytes.slice();
    }
    async put(kind, id, bytes) {
        if (this.#objects.has(id))
            return false;
        // Uint8Array.from copies; a Buffer's slice() would share the caller's memory.
        this.#objects.set(id, { kind, bytes: Uint8Array.from(bytes) });
        return true;
    }
    async flush() { }
    *ids() { yield* [...this.#objects.keys()].sort(); }
    /** Test hook: flips one byte of a stored object, as a bad disk would. */
    corrupt(id) {
        const o = this.#objects.get(id);
        if (!o || o.bytes.length === 0)
            throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
        o.bytes[0] ^= 0xff;
    }
}
export class MemoryMetaStore {
    #tables = new Map();
    #rows(name) {
        let t = this.#tables.get(name);
        if (!t)
            this.#tables.set(name, (t = new Map()));
        return t;
    }
    table(name) {
        const rows = () => this.#rows(name);
        return {
            get: (key) => rows().get(key)?.slice(),
            *range(prefix) {
                const keys = [...rows().keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
                for (const k of keys)
                    yield [k, rows().get(k).slice()];
            },
        };
    }
    async write(fn) {
        const ops = [];
        fn({
            put: (table, key, value) => {
                const copy = Uint8Array.from(value);
                ops.push(() => this.#rows(table).set(key, copy));
            },
            delete: (table, key) => void ops.push(() => this.#rows(table).delete(key)),
        });
        for (const op of ops)
            op();
    }
}
export function memoryStore() {
    const objects = new MemoryObjectStore();
    const keys = generateKeypair();
    return {
        path: undefined,
        identity: { nodeId: toHex(keys.publicKey), secretKey: keys.secretKey },
        objects,
        blobs: createBlobs(objects, chunkStream),
        typed: createObjects(objects),
        meta: new MemoryMetaStore(),
        async close() { },
    };
}
