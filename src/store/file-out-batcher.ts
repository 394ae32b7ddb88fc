// Gathers the one-chunk blob writes of Blobs.writeNewFile into batches for the codec workers: one message
// per batch of new files instead of one per file. A batch goes once it holds BATCH_FILES files or
// BATCH_BYTES stored bytes, or at the next turn of the event loop. Store layer, used by blobs.ts.
import type { CodecPool } from './codec-pool.ts';
import type { FileOut, FileOutResult } from './blob-out-job.ts';

const BATCH_FILES = 64;
const BATCH_BYTES = 8 * 1024 * 1024;

interface Waiting { resolve: (r: FileOutResult) => void; reject: (e: unknown) => void }

export class FileOutBatcher {
  readonly #pool: CodecPool;
  #createFlags = 0;
  #files: FileOut[] = [];
  #waiting: Waiting[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(pool: CodecPool) {
    this.#pool = pool;
  }

  write(createFlags: number, file: FileOut): Promise<FileOutResult> {
    if (this.#files.length > 0 && createFlags !== this.#createFlags) this.#send();
    this.#createFlags = createFlags;
    const { promise, resolve, reject } = Promise.withResolvers<FileOutResult>();
    this.#files.push(file);
    this.#waiting.push({ resolve, reject });
    this.#bytes += file.chunk.storedLength;
    if (this.#files.length >= BATCH_FILES || this.#bytes >= BATCH_BYTES) this.#send();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#send();
      });
    }
    return promise;
  }

  #send(): void {
    if (this.#files.length === 0) return;
    const files = this.#files;
    const waiting = this.#waiting;
    this.#files = [];
    this.#waiting = [];
    this.#bytes = 0;
    this.#pool.writeFiles(this.#createFlags, files).then(
      (results) => waiting.forEach((w, i) => w.resolve(results[i]!)),
      (e: unknown) => waiting.forEach((w) => w.reject(e)),
    );
  }
}
