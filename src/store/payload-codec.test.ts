// The payload codec keeps one zstd context per thread: its frames must be plain zstd frames (the public
// decoder reads them), decoding must give exactly the expected length, and a damaged frame must fail
// without spoiling the next one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { compressFrame, decompressSync } from './payload-codec.ts';

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
});
