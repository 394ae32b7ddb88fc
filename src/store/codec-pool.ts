// A pool of codec worker threads for zstd (codec-worker.ts). Payloads are queued and sent in batches,
// one message per batch, so that the main thread keeps only reading, chunking and hashing. Idle workers
// are unref'd: they never keep a finished process alive. Store layer.
import { Worker } from 'node:worker_threads';
import { StoreError } from '../core/index.ts';

export type CodecOp = 'compress' | 'decompress';
export interface CodecRequest { seq: number; op: CodecOp; buf: ArrayBuffer; offsets: number[]; lengths: number[]; rawLengths?: number[] }
export interface CodecReply { seq: number; buf: ArrayBuffer; offsets: number[]; lengths: number[]; errors: (string | undefined)[] }

interface Job { input: Uint8Array; rawLength: number; resolve: (out: Uint8Array | undefined) => void; reject: (e: unknown) => void }
interface Slot { worker: Worker; inflight: Map<number, Job[]>; bytes: number }

/** A batch is sent once it holds this many bytes or jobs, or at the next turn of the event loop. */
const BATCH_BYTES = 1 << 20;
const BATCH_JOBS = 256;

// Named from the store folder, so that a bundle elsewhere under dist/ finds the worker too.
const workerUrl = new URL(`../store/codec-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class CodecPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queues: Record<CodecOp, { jobs: Job[]; bytes: number }> = { compress: { jobs: [], bytes: 0 }, decompress: { jobs: [], bytes: 0 } };
  #scheduled = false;
  #seq = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Compresses (the zstd frame, or undefined when not worth it) or inflates (exactly rawLength bytes). */
  run(op: CodecOp, input: Uint8Array, rawLength = 0): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      const q = this.#queues[op];
      q.jobs.push({ input, rawLength, resolve, reject });
      q.bytes += input.length;
      if (q.bytes >= BATCH_BYTES || q.jobs.length >= BATCH_JOBS) this.#send(op);
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#send('compress');
          this.#send('decompress');
        });
      }
    });
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
    if (slot.inflight.size === 1) slot.worker.ref();
    const req: CodecRequest = { seq, op, buf, offsets, lengths };
    if (op === 'decompress') req.rawLengths = jobs.map((j) => j.rawLength);
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
    const worker = new Worker(workerUrl);
    const slot: Slot = { worker, inflight: new Map(), bytes: 0 };
    worker.unref();
    worker.on('message', (reply: CodecReply) => this.#receive(slot, reply));
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
      else job.resolve(reply.lengths[i]! < 0 ? undefined : out.subarray(reply.offsets[i]!, reply.offsets[i]! + reply.lengths[i]!));
    }
    if (slot.inflight.size === 0) slot.worker.unref();
  }

  #fail(slot: Slot, e: unknown): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    const err = e instanceof StoreError ? e : new StoreError('CODEC_FAILED', `codec worker failed: ${(e as Error)?.message}`, { cause: e });
    for (const jobs of slot.inflight.values()) for (const j of jobs) j.reject(err);
    slot.inflight.clear();
  }
}
