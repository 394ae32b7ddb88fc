// Cutting a stream into chunks and hashing them: each cut carries its chunk id, and the BLAKE3 of the
// whole stream is known when the cuts end. Store layer, under blob assembly.
import { blake3, createHasher, toHex, type BlobId, type ChunkId, type Hasher } from '../core/index.ts';
import type { Chunker } from './ports.ts';

/** `release`, when present, frees `bytes` at once (without waiting for a GC); call it only when nothing reads them. */
export interface HashedCut { bytes: Uint8Array; id: ChunkId; release?: () => void }
export interface HashedCuts {
  cuts: AsyncIterable<HashedCut>;
  /** The BLAKE3 of all the bytes cut; call it only after `cuts` has ended. */
  whole(): BlobId;
}
export type HashingCutter = (source: AsyncIterable<Uint8Array>) => HashedCuts;

/** Cuts with `chunker` and hashes on this thread. A one-chunk stream is hashed once. */
export function localCutter(chunker: Chunker): HashingCutter {
  return (source) => {
    let whole: Hasher | undefined;
    let first: Uint8Array | undefined;
    let count = 0;
    async function* cuts(): AsyncIterable<HashedCut> {
      for await (const cut of chunker(source)) {
        // The whole-content hash equals the chunk hash for a one-chunk stream, so it starts only with
        // a second chunk.
        if (count++ === 1) {
          whole = createHasher();
          whole.update(first!);
          first = undefined;
        }
        if (whole) whole.update(cut.bytes);
        else first = cut.bytes;
        yield { bytes: cut.bytes, id: toHex(blake3(cut.bytes)) as ChunkId };
      }
    }
    return {
      cuts: cuts(),
      whole: () => toHex(whole ? whole.digest() : blake3(first ?? new Uint8Array(0))) as BlobId,
    };
  };
}
