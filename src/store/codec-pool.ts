// A pool of codec worker threads for zstd (codec-worker.ts). Payloads are queued and sent in batches,
// one message per batch, so that the main thread keeps only reading, chunking and hashing; large files
// are read, cut and hashed whole in a worker (cutFile). Idle workers are unref'd: they never keep a
// finished process alive. Store layer.
import { Worker } from 'node:worker_threads';
import { StoreError } from '../core/index.ts';
import type { CutAck, CutReply, CutStart } from './file-cut-job.ts';
import type { BlobOutReply, BlobOutStart, ChunkRecord, FileOut, FileOutResult, FilesOutReply, FilesOutStart, OutFailure } from './blob-out-job.ts';

/** `check`: inflate and hash only, the raw bytes dropped in the worker (only the hash comes back). */
export type CodecOp = 'compress' | 'decompress' | 'check';
export interface CodecRequest { seq: number; op: CodecOp; buf: ArrayBuffer; offsets: number[]; lengths: number[]; rawLengths?: number[] }
/** `hashes`: for a decompress or check batch, the BLAKE3 (hex) of each output, so that verifying costs the caller no hashing. */
export interface CodecReply { seq: number; buf: ArrayBuffer; offsets: number[]; lengths: number[]; errors: (string | undefined)[]; hashes?: (string | undefined)[] }

interface Job { input: Uint8Array; rawLength: number; resolve: (out: Uint8Array | undefined, hash?: string) => void; reject: (e: unknown) => void }
interface Slot {
  worker: Worker;
  inflight: Map<number, Job[]>;
  bytes: number;
  cuts: Map<number, { sink: CutSink; weight: number }>;
  /** Blob and file writes in flight: settled by their reply, or rejected if the worker fails. */
  outs: Map<number, { settle: (reply: BlobOutReply | FilesOutReply) => void; reject: (e: unknown) => void; weight: number }>;
}

/** A blob write that failed in the worker; `stage` says whether reading the store or writing the file failed. */
export class BlobOutFailure {
  readonly stage: 'read' | 'write';
  readonly error: StoreError;
  constructor(stage: 'read' | 'write', error: StoreError) {
    this.stage = stage;
    this.error = error;
  }
}

/** The BlobOutFailure of a failure reported by a worker, the system error's code and syscall as its cause. */
export function outFailure(f: OutFailure): BlobOutFailure {
  return new BlobOutFailure(f.stage, new StoreError(f.code, f.message, { cause: { code: f.errno, syscall: f.syscall, message: f.message } }));
}

/** Receives a file cut job's results, on the main thread. */
export interface CutSink {
  cut(id: string, bytes: Uint8Array): void;
  end(whole: string, bytes: number): void;
  /** `cause` carries the system error's code and syscall when reading the file failed. */
  fail(e: StoreError): void;
}

/** How much queued work a running file cut counts as, when the pool picks the least loaded worker. */
const CUT_WEIGHT = 16 * 1024 * 1024;

/** A batch is sent once it holds this many bytes or jobs, or at the next turn of the event loop. */
const BATCH_BYTES = 1 << 20;
const BATCH_JOBS = 256;

// Named from the store folder, so that a bundle elsewhere under dist/ finds the worker too.
const workerUrl = new URL(`../store/codec-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class CodecPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queues: Record<CodecOp, { jobs: Job[]; bytes: number }> = { compress: { jobs: [], bytes: 0 }, decompress: { jobs: [], bytes: 0 }, check: { jobs: [], bytes: 0 } };
  #scheduled = false;
  #seq = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Whether no payload is queued or being worked on: a lone small one is then quicker done inline. */
  get idle(): boolean {
    return Object.values(this.#queues).every((q) => q.jobs.length === 0) && this.#slots.every((s) => s.inflight.size === 0);
  }

  /** Compresses (the zstd frame, or undefined when not worth it) or inflates (exactly rawLength bytes). */
  run(op: CodecOp, input: Uint8Array, rawLength = 0): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => this.#queue(op, { input, rawLength, resolve, reject }));
  }

  /** Inflates to exactly rawLength bytes, and gives their BLAKE3 (hex) computed in the worker too. */
  inflateHashed(input: Uint8Array, rawLength: number): Promise<{ raw: Uint8Array; hash: string | undefined }> {
    return new Promise((resolve, reject) => this.#queue('decompress', { input, rawLength, resolve: (raw, hash) => resolve({ raw: raw!, hash }), reject }));
  }

  /**
   * The BLAKE3 (hex) of what a frame inflates to (exactly rawLength bytes), the bytes themselves left in
   * the worker: for a check whose caller keeps the frame, not what it inflates to.
   */
  inflatedHash(input: Uint8Array, rawLength: number): Promise<string> {
    return new Promise((resolve, reject) => this.#queue('check', { input, rawLength, resolve: (_raw, hash) => resolve(hash!), reject }));
  }

  #queue(op: CodecOp, job: Job): void {
    const { input } = job;
    {
      const q = this.#queues[op];
      q.jobs.push(job);
      q.bytes += input.length;
      if (q.bytes >= BATCH_BYTES || q.jobs.length >= BATCH_JOBS) this.#send(op);
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          for (const op of Object.keys(this.#queues) as CodecOp[]) this.#send(op);
        });
      }
    }
  }

  /**
   * Has a worker read the open file `fd` from its current position to its end, cut and hash it. Chunks
   * arrive in order through `sink`; `ack` them once staged, or the worker stops after a few MiB.
   */
  cutFile(fd: number, sink: CutSink): { ack(bytes: number, stop?: boolean): void } {
    const slot = this.#pick();
    const seq = ++this.#seq;
    slot.cuts.set(seq, { sink, weight: CUT_WEIGHT });
    slot.bytes += CUT_WEIGHT;
    this.#busy(slot);
    const start: CutStart = { type: 'cut-file', seq, fd };
    slot.worker.postMessage(start);
    return {
      ack: (bytes, stop = false) => {
        if (!slot.cuts.has(seq)) return;
        const msg: CutAck = { type: 'cut-ack', seq, bytes, stop };
        slot.worker.postMessage(msg);
      },
    };
  }

  /**
   * Has a worker write the blob `blob`, made of `chunks` (in order), into the open file `fd` from offset
   * 0, verifying every record and the whole; resolves with the bytes written. Rejects with a
   * BlobOutFailure: a read failure carries the StoreError (CORRUPT, MISSING_PACK, …), a write failure
   * an error whose cause has the system error's `code` and `syscall`.
   */
  writeBlob(fd: number, blob: string, chunks: ChunkRecord[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const settle = (reply: BlobOutReply | FilesOutReply): void => {
        if (reply.type === 'blob-out-end') resolve(reply.bytes);
        else if (reply.type === 'blob-out-fail') reject(outFailure(reply));
      };
      this.#out(CUT_WEIGHT, settle, reject, (seq): BlobOutStart => ({ type: 'blob-out', seq, fd, blob, chunks }));
    });
  }

  /**
   * Has a worker write each one-chunk blob of `files` into a new file (see FilesOutStart); resolves with
   * one result per file. Rejects only when the worker itself fails.
   */
  writeFiles(createFlags: number, files: FileOut[]): Promise<FileOutResult[]> {
    return new Promise((resolve, reject) => {
      const settle = (reply: BlobOutReply | FilesOutReply): void => {
        if (reply.type === 'files-out-end') resolve(reply.results);
      };
      const weight = files.reduce((n, f) => n + f.chunk.storedLength, 0);
      this.#out(weight, settle, reject, (seq): FilesOutStart => ({ type: 'files-out', seq, createFlags, files }));
    });
  }

  #out(weight: number, settle: (reply: BlobOutReply | FilesOutReply) => void, reject: (e: unknown) => void, start: (seq: number) => BlobOutStart | FilesOutStart): void {
    const slot = this.#pick();
    const seq = ++this.#seq;
    slot.outs.set(seq, { settle, reject, weight });
    slot.bytes += weight;
    this.#busy(slot);
    slot.worker.postMessage(start(seq));
  }

  #outReply(slot: Slot, reply: BlobOutReply | FilesOutReply): void {
    const job = slot.outs.get(reply.seq);
    if (!job) return;
    slot.outs.delete(reply.seq);
    slot.bytes -= job.weight;
    this.#idleCheck(slot);
    job.settle(reply);
  }

  #cutReply(slot: Slot, reply: CutReply): void {
    const job = slot.cuts.get(reply.seq);
    if (!job) return;
    if (reply.type === 'cut') {
      job.sink.cut(reply.id, new Uint8Array(reply.buf));
      return;
    }
    slot.cuts.delete(reply.seq);
    slot.bytes -= job.weight;
    this.#idleCheck(slot);
    if (reply.type === 'cut-end') job.sink.end(reply.whole, reply.bytes);
    else job.sink.fail(new StoreError('SOURCE_READ', reply.message, { cause: { code: reply.code, syscall: reply.syscall, message: reply.message } }));
  }

  #busy(slot: Slot): void {
    if (slot.inflight.size + slot.cuts.size + slot.outs.size === 1) slot.worker.ref();
  }

  #idleCheck(slot: Slot): void {
    if (slot.inflight.size === 0 && slot.cuts.size === 0 && slot.outs.size === 0) slot.worker.unref();
  }

  #send(op: CodecOp): void {
    const q = this.#queues[op];
    if (q.jobs.length === 0) return;
    const jobs = q.jobs;
    this.#queues[op] = { jobs: [], bytes: 0 };
    const buf = new ArrayBuffer(q.bytes);
    const bytes = new Uint8Array(buf);
    const offsets: number[] = [];
    const lengths: number[] = [];
    let at = 0;
    for (const j of jobs) {
      bytes.set(j.input, at);
      offsets.push(at);
      lengths.push(j.input.length);
      at += j.input.length;
    }
    const slot = this.#pick();
    const seq = ++this.#seq;
    slot.inflight.set(seq, jobs);
    slot.bytes += q.bytes;
    this.#busy(slot);
    const req: CodecRequest = { seq, op, buf, offsets, lengths };
    if (op !== 'compress') req.rawLengths = jobs.map((j) => j.rawLength);
    slot.worker.postMessage(req, [buf]);
  }

  /** The worker with the fewest queued bytes; a new one while the pool is not full. */
  #pick(): Slot {
    let best: Slot | undefined;
    for (const s of this.#slots) if (!best || s.bytes < best.bytes) best = s;
    if (best && (best.bytes === 0 || this.#slots.length >= this.#size)) return best;
    return this.#spawn();
  }

  #spawn(): Slot {
    // A small young generation: a worker allocates few objects (its buffers live outside the heap).
    const worker = new Worker(workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    const slot: Slot = { worker, inflight: new Map(), bytes: 0, cuts: new Map(), outs: new Map() };
    worker.unref();
    worker.on('message', (reply: CodecReply | CutReply | BlobOutReply | FilesOutReply) => {
      if (!('type' in reply)) this.#receive(slot, reply);
      else if (reply.type === 'blob-out-end' || reply.type === 'blob-out-fail' || reply.type === 'files-out-end') this.#outReply(slot, reply);
      else this.#cutReply(slot, reply);
    });
    worker.on('error', (e) => this.#fail(slot, e));
    worker.on('exit', (code) => this.#fail(slot, new StoreError('CODEC_FAILED', `codec worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #receive(slot: Slot, reply: CodecReply): void {
    const jobs = slot.inflight.get(reply.seq);
    if (!jobs) return;
    slot.inflight.delete(reply.seq);
    const out = new Uint8Array(reply.buf);
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      slot.bytes -= job.input.length;
      const err = reply.errors[i];
      if (err !== undefined) job.reject(new StoreError('CORRUPT', err));
      else job.resolve(reply.lengths[i]! < 0 ? undefined : out.subarray(reply.offsets[i]!, reply.offsets[i]! + reply.lengths[i]!), reply.hashes?.[i]);
    }
    this.#idleCheck(slot);
  }

  #fail(slot: Slot, e: unknown): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    const err = e instanceof StoreError ? e : new StoreError('CODEC_FAILED', `codec worker failed: ${(e as Error)?.message}`, { cause: e });
    for (const jobs of slot.inflight.values()) for (const j of jobs) j.reject(err);
    slot.inflight.clear();
    for (const c of slot.cuts.values()) c.sink.fail(err);
    slot.cuts.clear();
    for (const o of slot.outs.values()) o.reject(new BlobOutFailure('read', err));
    slot.outs.clear();
  }
}
