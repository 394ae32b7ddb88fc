// The payload codec keeps one zstd context per thread: its frames must be plain zstd frames (the public
// decoder reads them), decoding must give exactly the expected length, and a damaged frame must fail
// without spoiling the next one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { compressFrame, decompressSync, decompressTransient } from './payload-codec.ts';

const text = Buffer.from('lode payload codec text, repeated so that it compresses. '.repeat(40_000));

describe('payload codec', () => {
  for (const size of [300, 1000, 70_000, 1_000_000, text.length]) {
    it(`round-trips ${size} bytes through reused contexts`, () => {
      for (let round = 0; round < 3; round++) {
        const raw = text.subarray(round, round + size);
        const z = compressFrame(raw);
        assert.ok(z !== undefined && z.length < raw.length);
        assert.ok(zlib.zstdDecompressSync(z).equals(raw), 'a standard zstd frame');
        assert.ok(Buffer.from(decompressSync(z, raw.length)).equals(raw));
        assert.throws(() => decompressSync(z, raw.length + 1), RangeError);
        assert.throws(() => decompressSync(z, raw.length - 1), RangeError);
      }
    });
  }

  it('refuses truncated and damaged frames, and decodes the next good frame', () => {
    const raw = text.subarray(0, 200_000);
    const z = compressFrame(raw)!;
    assert.throws(() => decompressSync(z.subarray(0, z.length - 8), raw.length), RangeError);
    const bad = Buffer.from(z);
    bad.fill(0xa5, 4, 40);
    assert.throws(() => decompressSync(bad, raw.length), RangeError);
    assert.ok(Buffer.from(decompressSync(z, raw.length)).equals(raw));
  });

  it('leaves incompressible bytes uncompressed', () => {
    assert.equal(compressFrame(randomBytes(100_000)), undefined);
  });

  it('inflates transiently into one reused buffer, with the same checks', () => {
    const a = text.subarray(0, 300_000);
    const b = text.subarray(7, 100_007);
    const za = compressFrame(a)!;
    const zb = compressFrame(b)!;
    const first = decompressTransient(za, a.length);
    assert.ok(Buffer.from(first).equals(a));
    const second = decompressTransient(zb, b.length);
    assert.ok(Buffer.from(second).equals(b));
    assert.equal(second.buffer, first.buffer, 'the second frame reuses the first one\'s buffer');
    assert.throws(() => decompressTransient(za, a.length + 1), RangeError);
    assert.throws(() => decompressTransient(za, a.length - 1), RangeError);
    assert.throws(() => decompressTransient(randomBytes(500), 1000), RangeError);
    assert.ok(Buffer.from(decompressTransient(za, a.length)).equals(a), 'a good frame decodes after a bad one');
    // Past what a thread keeps (a chunk's largest size), a buffer of its own.
    const big = Buffer.alloc(5 * 1024 * 1024, 'x');
    const zbig = compressFrame(big)!;
    const out = decompressTransient(zbig, big.length);
    assert.ok(Buffer.from(out).equals(big));
    assert.notEqual(out.buffer, decompressTransient(za, a.length).buffer);
  });

  it('reuses one context frame after frame; a frame that stops before its end fails and spoils nothing', () => {
    const lines = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `line ${seed} ${i % 997}\n`).join('')).subarray(0, n);
    const a = lines(50_000, 1);
    const plain = Buffer.from(compressFrame(a)!);
    const summed = zlib.zstdCompressSync(a, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } });
    // The first block of a small frame is its last: clear that bit and the decoder waits for another.
    const desc = plain[4]!;
    const single = (desc & 0x20) !== 0;
    const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][desc & 3]! + (desc >>> 6 === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][desc >>> 6]!);
    const notLast = Buffer.from(plain);
    notLast[at]! &= ~1;
    for (const inflate of [decompressSync, decompressTransient]) {
      for (const stops of [summed.subarray(0, -4), notLast, plain.subarray(0, -1)]) {
        assert.throws(() => inflate(stops, a.length), RangeError);
        const b = lines(60_000, 2);
        assert.ok(Buffer.from(inflate(compressFrame(b)!, b.length)).equals(b), 'the next frame decodes on its own');
      }
      for (let i = 0; i < 20; i++) {
        const c = lines(1000 + i * 777, i);
        assert.ok(Buffer.from(inflate(compressFrame(c)!, c.length)).equals(c));
      }
    }
    // A frame the compressor gave up on (no room left) does not spoil the next one either.
    assert.ok(compressFrame(Buffer.concat([lines(1000, 5), randomBytes(300_000)])) === undefined);
    const d = lines(70_000, 3);
    assert.ok(zlib.zstdDecompressSync(compressFrame(d)!).equals(d));
  });
});

