// The main-thread side of a file cut job (file-cut-job.ts): an open file's chunks, cut and hashed by a
// codec worker that reads the file itself, as the same HashedCuts that the local cutter gives. The main
// thread then only stages them. Store layer, under blob assembly.
import type { BlobId, ChunkId } from '../core/index.ts';
import type { CodecPool } from './codec-pool.ts';
import type { HashedCut, HashedCuts } from './hashing-cutter.ts';

/**
 * HashedCuts of the file open as `fd`, read from its current position to its end; `bytes()` is how much
 * was read. `finished` resolves once the worker no longer uses `fd`: only then may it be closed (a
 * reused descriptor number must never be read by a job that outlived its file).
 */
export function workerCutter(pool: CodecPool, fd: number): HashedCuts & { bytes(): number; finished: Promise<void> } {
  const ready: HashedCut[] = [];
  let ended = false;
  let failure: unknown;
  let whole: BlobId | undefined;
  let total = 0;
  let wake: (() => void) | undefined;
  const { promise: finished, resolve: finish } = Promise.withResolvers<void>();
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const job = pool.cutFile(fd, {
    cut: (id, bytes) => {
      // The buffer came from the worker, transferred, and only this cut refers to it: once the store is
      // done with it, detaching it frees it at once (a big file's chunks would otherwise wait for a GC).
      ready.push({ id: id as ChunkId, bytes, release: () => { (bytes.buffer as ArrayBuffer).transfer(0); } });
      notify();
    },
    end: (w, bytes) => {
      whole = w as BlobId;
      total = bytes;
      ended = true;
      finish();
      notify();
    },
    fail: (e) => {
      failure = e;
      ended = true;
      finish();
      notify();
    },
  });
  async function* cuts(): AsyncIterable<HashedCut> {
    try {
      for (;;) {
        const next = ready.shift();
        if (next) {
          const length = next.bytes.length; // before the yield: the consumer may release the bytes
          yield next;
          // Taken and being staged: the worker may read that much further.
          job.ack(length);
          continue;
        }
        if (failure !== undefined) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      // The consumer stopped early (a failed put): the worker must stop reading too.
      if (!ended) job.ack(0, true);
    }
  }
  return {
    cuts: cuts(),
    whole: () => whole!,
    bytes: () => total,
    finished,
  };
}
