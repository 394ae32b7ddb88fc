// Blob assembly: a file's content cut into chunks by the chunker, stored chunk by chunk, and read back
// as a verified stream. A blob of one chunk is that chunk; a larger one has a manifest keyed by blob id.
// Writes keep a few chunk puts in flight (compression runs on the threadpool meanwhile) and reads
// fetch a few chunks ahead, so memory stays a small multiple of the chunk size.
import { blake3, createHasher, decodeManifest, encodeManifest, toHex, StoreError } from "../core/index.js";
import { CHUNK_MIN } from "./chunker.js";
/** Chunk puts in flight per blob write. */
const WRITE_AHEAD = 3;
/** Chunk reads in flight per blob read. */
const READ_AHEAD = 2;
/**
 * Reads the source until `limit` bytes or its end. A content-defined chunker never cuts before its
 * minimum chunk size, so content shorter than that is one chunk and needs no chunker: small files
 * (most files) skip it. Returns the head, and whether the source ended within it.
 */
async function readHead(it, limit) {
    const head = [];
    let n = 0;
    while (n < limit) {
        const r = await it.next();
        if (r.done)
            return { head, ended: true };
        head.push(r.value);
        n += r.value.length;
    }
    return { head, ended: false };
}
async function* replay(head, it) {
    yield* head;
    for (let r = await it.next(); !r.done; r = await it.next())
        yield r.value;
}
async function* single(bytes) {
    if (bytes.length > 0)
        yield { bytes, offset: 0 };
}
/** `minChunk` is the chunker's minimum chunk size (content shorter than it is stored as one chunk). */
export function createBlobs(objects, chunker, minChunk = CHUNK_MIN) {
    async function manifest(id) {
        const kind = objects.kind(id);
        if (kind === 'chunk') {
            const bytes = await objects.get(id);
            return { size: bytes.length, chunks: [{ id: id, size: bytes.length }] };
        }
        if (kind === 'manifest')
            return decodeManifest(await objects.get(id));
        throw new StoreError('NOT_FOUND', `blob ${id} is not in the store`);
    }
    return {
        /** The source must not reuse a buffer after yielding it: chunks may be subarrays still being stored. */
        async write(source) {
            const chunks = [];
            let size = 0;
            let newChunks = 0;
            let newBytes = 0;
            // The whole-content hash equals the chunk hash for a one-chunk blob, so it starts only with a
            // second chunk, and most files (one chunk) are hashed once.
            let whole;
            let first;
            const inflight = new Set();
            let failure;
            const it = source[Symbol.asyncIterator]();
            const { head, ended } = await readHead(it, minChunk);
            const cuts = ended ? single(head.length === 1 ? head[0] : Buffer.concat(head)) : chunker(replay(head, it));
            for await (const cut of cuts) {
                if (failure !== undefined)
                    break;
                if (chunks.length === 1) {
                    whole = createHasher();
                    whole.update(first);
                    first = undefined;
                }
                if (whole)
                    whole.update(cut.bytes);
                else
                    first = cut.bytes;
                const id = toHex(blake3(cut.bytes));
                const len = cut.bytes.length;
                chunks.push({ id, size: len });
                size += len;
                const p = objects.put('chunk', id, cut.bytes).then((isNew) => {
                    if (isNew) {
                        newChunks++;
                        newBytes += len;
                    }
                }, (e) => { failure ??= e; }).finally(() => inflight.delete(p));
                inflight.add(p);
                if (inflight.size >= WRITE_AHEAD)
                    await Promise.race(inflight);
            }
            await Promise.all(inflight);
            if (failure !== undefined)
                throw failure;
            if (chunks.length === 0) {
                const id = toHex(blake3(new Uint8Array(0)));
                if (await objects.put('chunk', id, new Uint8Array(0)))
                    newChunks++;
                return { id, size: 0, chunks: 0, newChunks, newBytes };
            }
            const id = (chunks.length === 1 ? chunks[0].id : toHex(whole.digest()));
            if (chunks.length > 1)
                await objects.put('manifest', id, encodeManifest({ size, chunks }));
            return { id, size, chunks: chunks.length, newChunks, newBytes };
        },
        async *read(id) {
            const m = await manifest(id);
            if (m.chunks.length === 1 && m.chunks[0].id === id) {
                yield await objects.get(id);
                return;
            }
            const whole = createHasher();
            const ahead = [];
            let next = 0;
            const fill = () => {
                while (ahead.length < READ_AHEAD && next < m.chunks.length) {
                    const p = objects.get(m.chunks[next++].id);
                    p.catch(() => { }); // awaited in order below; do not let an early failure go unhandled
                    ahead.push(p);
                }
            };
            fill();
            for (let i = 0; i < m.chunks.length; i++) {
                const bytes = await ahead.shift();
                fill();
                if (bytes.length !== m.chunks[i].size)
                    throw new StoreError('CORRUPT', `blob ${id}: chunk ${m.chunks[i].id} has the wrong size`);
                whole.update(bytes);
                yield bytes;
            }
            if (toHex(whole.digest()) !== id)
                throw new StoreError('CORRUPT', `blob ${id}: content does not match its id`);
        },
        manifest,
    };
}
