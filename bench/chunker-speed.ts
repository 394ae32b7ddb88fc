// Measures the chunker's throughput (MB/s) on pseudo-random bytes, for several input buffer sizes.
// A script, not a timed test: `node bench/chunker-speed.ts [MiB]`.
import { chunkStream, cutPoint } from '../src/store/chunker.ts';

const mib = Number(process.argv[2] ?? 256);
const data = new Uint8Array(mib * 1024 * 1024);
let x = 0x9e3779b9;
for (let i = 0; i < data.length; i += 4) {
  x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
  data[i] = x & 255; data[i + 1] = (x >>> 8) & 255; data[i + 2] = (x >>> 16) & 255; data[i + 3] = x >>> 24;
}

function mbps(bytes: number, ms: number): string {
  return ((bytes / 1e6) / (ms / 1e3)).toFixed(0);
}

async function* pieces(size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(i + size, data.length));
}

function syncCore(): number {
  let n = 0;
  for (let pos = 0; pos < data.length; n++) pos = cutPoint(data, pos, data.length);
  return n;
}

for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const n = syncCore();
  const t1 = performance.now();
  console.log(`cutPoint (whole buffer): ${mbps(data.length, t1 - t0)} MB/s, ${n} chunks, avg ${(data.length / n / 1024).toFixed(0)} KiB`);
}
for (const size of [64 * 1024, 1024 * 1024, 8 * 1024 * 1024]) {
  const t0 = performance.now();
  let n = 0;
  for await (const _ of chunkStream(pieces(size))) n++;
  const t1 = performance.now();
  console.log(`chunkStream, ${size / 1024} KiB buffers: ${mbps(data.length, t1 - t0)} MB/s, ${n} chunks`);
}
