// A codec worker thread: compresses (already sampled as compressible), inflates and hashes, or only hashes
// what they inflate to, a batch of pack payloads sent by the codec pool, so that zstd runs beside the main
// thread; reads, cuts and hashes large files for snapshots (file-cut-job.ts); writes blobs into files for
// restores (blob-out-job.ts). Store layer.
import { parentPort } from 'node:worker_threads';
import { compressFrame, decompressSync, decompressTransient } from './payload-codec.ts';
import type { CodecReply, CodecRequest } from './codec-pool.ts';
import type { CutAck, CutReply, CutStart } from './file-cut-job.ts';
import type { BlobOutReply, BlobOutStart, FilesOutReply, FilesOutStart } from './blob-out-job.ts';

// Loaded on the first file job only: a worker that only compresses stays small (no hashing, no core).
const cutJobs = new URL(`./file-cut-job${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
let cutModule: Promise<typeof import('./file-cut-job.ts')> | undefined;
const blobOutJobs = new URL(`./blob-out-job${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
let blobOutModule: Promise<typeof import('./blob-out-job.ts')> | undefined;

function postCut(reply: CutReply | BlobOutReply | FilesOutReply, transfer?: ArrayBuffer[]): void {
  parentPort!.postMessage(reply, transfer ?? []);
}

/** BLAKE3 for verifying what this worker inflates; core is loaded on the first decompress batch. */
let hashHex: ((b: Uint8Array) => string) | undefined;
const core = new URL(`../core/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

parentPort!.on('message', (msg: CodecRequest | CutStart | CutAck | BlobOutStart | FilesOutStart) => {
  if (!('type' in msg) && msg.op !== 'compress' && hashHex === undefined) {
    // Replies are matched by sequence number, so a batch may be answered after a later one.
    void (import(core) as Promise<typeof import('../core/index.ts')>).then((m) => {
      hashHex ??= (b) => m.blake3Hex(b);
      codec(msg);
    });
    return;
  }
  if ('type' in msg && (msg.type === 'blob-out' || msg.type === 'files-out')) {
    blobOutModule ??= import(blobOutJobs) as Promise<typeof import('./blob-out-job.ts')>;
    void blobOutModule.then((m) => (msg.type === 'blob-out' ? m.runBlobOut(msg, postCut) : m.runFilesOut(msg, postCut)));
    return;
  }
  if ('type' in msg) {
    // Messages of one job stay in order: every one waits for the same module promise.
    cutModule ??= import(cutJobs) as Promise<typeof import('./file-cut-job.ts')>;
    void cutModule.then((m) => (msg.type === 'cut-file' ? m.runCutJob(msg, postCut) : m.ackCut(msg)));
    return;
  }
  codec(msg);
});

function codec(req: CodecRequest): void {
  const input = new Uint8Array(req.buf);
  const outputs: (Uint8Array | undefined)[] = [];
  const errors: (string | undefined)[] = [];
  const hashes: (string | undefined)[] = [];
  let total = 0;
  for (let i = 0; i < req.lengths.length; i++) {
    const item = input.subarray(req.offsets[i]!, req.offsets[i]! + req.lengths[i]!);
    try {
      if (req.op === 'check') {
        // Inflated into this thread's reused buffer and dropped: only the hash goes back.
        hashes.push(hashHex!(decompressTransient(item, req.rawLengths![i]!)));
        outputs.push(undefined);
      } else {
        const out = req.op === 'compress' ? compressFrame(item) : decompressSync(item, req.rawLengths![i]!);
        outputs.push(out);
        if (req.op === 'decompress') hashes.push(hashHex!(out!));
        total += out?.length ?? 0;
      }
      errors.push(undefined);
    } catch (e) {
      outputs.push(undefined);
      if (req.op !== 'compress') hashes.push(undefined);
      errors.push((e as Error).message);
    }
  }
  // One buffer back, transferred, whatever the batch size.
  const buf = new ArrayBuffer(total);
  const bytes = new Uint8Array(buf);
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const out of outputs) {
    offsets.push(at);
    lengths.push(out ? out.length : -1);
    if (out) {
      bytes.set(out, at);
      at += out.length;
    }
  }
  const reply: CodecReply = { seq: req.seq, buf, offsets, lengths, errors };
  if (req.op !== 'compress') reply.hashes = hashes;
  parentPort!.postMessage(reply, [buf]);
}
