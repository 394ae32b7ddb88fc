// A codec worker thread: compresses (already sampled as compressible) or inflates a batch of pack payloads sent by the codec pool, so
// that zstd runs beside the main thread's reading, chunking and hashing. Store layer.
import { parentPort } from 'node:worker_threads';
import { compressFrame, decompressSync } from './payload-codec.ts';
import type { CodecReply, CodecRequest } from './codec-pool.ts';

parentPort!.on('message', (req: CodecRequest) => {
  const input = new Uint8Array(req.buf);
  const outputs: (Uint8Array | undefined)[] = [];
  const errors: (string | undefined)[] = [];
  let total = 0;
  for (let i = 0; i < req.lengths.length; i++) {
    const item = input.subarray(req.offsets[i]!, req.offsets[i]! + req.lengths[i]!);
    try {
      const out = req.op === 'compress' ? compressFrame(item) : decompressSync(item, req.rawLengths![i]!);
      outputs.push(out);
      total += out?.length ?? 0;
      errors.push(undefined);
    } catch (e) {
      outputs.push(undefined);
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
  parentPort!.postMessage(reply, [buf]);
});
