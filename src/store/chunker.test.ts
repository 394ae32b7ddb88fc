// Tests of the FastCDC chunker: the committed boundary vectors (also in docs/format.md), independence
// from input buffer sizes, size bounds, insertion locality, and the gear table's derivation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake3, blake3Hex } from '../core/index.ts';
import { CHUNK_AVG, CHUNK_MAX, CHUNK_MIN, GEAR, MASK_L, MASK_S, chunkStream, cutPoint } from './chunker.ts';
import type { Cut } from './ports.ts';

const MiB = 1024 * 1024;

/** The vector input: xorshift32 (13, 17, 5) from seed 0x9e3779b9, each state emitted as 4 bytes little-endian. */
function xorshiftBytes(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 255; out[i + 1] = (x >>> 8) & 255; out[i + 2] = (x >>> 16) & 255; out[i + 3] = x >>> 24;
  }
  return out;
}

const VECTOR_INPUT_B3 = 'cab1e6617b4738f9d92804310126060cd27ef99aeb87482b251646d5e36d1db2';
const VECTOR_LENGTHS = [
  1060355, 1052905, 1206894, 1199627, 1137056, 1185563, 1740606, 1058772, 745573, 1185103,
  1212643, 1120944, 263473, 1238379, 1075188, 1260234, 1492460, 1355015, 380730,
];
const VECTOR_FIRST_IDS = [
  '0ab89ac920cbbe467482f41be21396d7fb50a544d7f560f6766e0849f9d934a1',
  '102d4bbf30ac8d94cf0ac52cc290b09de01f92a13732c1a6995f0e14920884ac',
  'acf1095e5c1718b68878d6ca1ec65fb3e80c4551fdf8b799e0645b8a8e038aba',
];

const vector = xorshiftBytes(20 * MiB);

function syncLengths(data: Uint8Array): number[] {
  const lengths: number[] = [];
  for (let pos = 0; pos < data.length; ) {
    const cut = cutPoint(data, pos, data.length);
    lengths.push(cut - pos);
    pos = cut;
  }
  return lengths;
}

async function* inPieces(data: Uint8Array, sizes: (i: number) => number): AsyncIterable<Uint8Array> {
  for (let pos = 0, i = 0; pos < data.length; i++) {
    const next = Math.min(data.length, pos + sizes(i));
    yield data.subarray(pos, next);
    pos = next;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Cut[]> {
  const cuts: Cut[] = [];
  for await (const cut of chunkStream(source)) cuts.push(cut);
  return cuts;
}

/** Checks the cuts tile `data` exactly and returns their lengths. */
function assertTiles(cuts: Cut[], data: Uint8Array): number[] {
  let offset = 0;
  for (const cut of cuts) {
    assert.equal(cut.offset, offset);
    assert.ok(Buffer.from(cut.bytes).equals(data.subarray(offset, offset + cut.bytes.length)), `bytes at ${offset}`);
    offset += cut.bytes.length;
  }
  assert.equal(offset, data.length);
  return cuts.map((c) => c.bytes.length);
}

test('the gear table is its documented derivation', () => {
  const prefix = new TextEncoder().encode('lode-fastcdc-gear-v1');
  assert.equal(GEAR.length, 256);
  for (let i = 0; i < 256; i++) {
    const digest = blake3(Uint8Array.from([...prefix, i]));
    const word = digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24);
    assert.equal(GEAR[i], word, `GEAR[${i}]`);
  }
});

test('sizes and masks are the format constants', () => {
  assert.deepEqual([CHUNK_MIN, CHUNK_AVG, CHUNK_MAX], [256 * 1024, MiB, 4 * MiB]);
  assert.equal(MASK_S, 0xfffffc00); // top 22 bits
  assert.equal(MASK_L, 0xffffc000); // top 18 bits
});

test('the committed vectors: input, chunk lengths and first chunk ids', async () => {
  assert.equal(blake3Hex(vector), VECTOR_INPUT_B3);
  assert.deepEqual(syncLengths(vector), VECTOR_LENGTHS);
  const cuts = await collect(inPieces(vector, () => MiB));
  assert.deepEqual(assertTiles(cuts, vector), VECTOR_LENGTHS);
  assert.deepEqual(cuts.slice(0, 3).map((c) => blake3Hex(c.bytes)), VECTOR_FIRST_IDS);
});

const pieceSizes: [string, (i: number) => number][] = [
  ['4 KiB', () => 4096],
  ['64 KiB', () => 65536],
  ['1 MiB + 1', () => MiB + 1],
  ['7 MiB', () => 7 * MiB],
  ['whole input', () => vector.length],
  ['mixed 1 B .. 5 MiB', (i) => [1, 3 * MiB + 17, 100, 5 * MiB, 65536, 2, 262145][i % 7]!],
];
for (const [name, sizes] of pieceSizes) {
  test(`same cuts whatever the input buffer sizes: ${name}`, async () => {
    assert.deepEqual(assertTiles(await collect(inPieces(vector, sizes)), vector), VECTOR_LENGTHS);
  });
}

// Tiny buffers cost an await each, so these run on a stretch starting at the short 13th vector chunk.
const shortStart = VECTOR_LENGTHS.slice(0, 12).reduce((a, b) => a + b, 0);
for (const [size, length, expected] of [
  [1, 263473 + 300000, [263473, 300000]],
  [7, 263473 + 1238379 + 1000, [263473, 1238379, 1000]],
] as const) {
  test(`same cuts with ${size}-byte input buffers`, async () => {
    const stretch = vector.subarray(shortStart, shortStart + length);
    assert.deepEqual(assertTiles(await collect(inPieces(stretch, () => size)), stretch), expected);
  });
}

test('every chunk but the last is within (CHUNK_MIN, CHUNK_MAX]', async () => {
  const zeros = new Uint8Array(10 * MiB + 5);
  const inputs = [vector, zeros, xorshiftBytes(30 * MiB, 1)];
  for (const data of inputs) {
    const lengths = assertTiles(await collect(inPieces(data, () => 3 * MiB)), data);
    for (const len of lengths.slice(0, -1)) assert.ok(len > CHUNK_MIN && len <= CHUNK_MAX, `chunk of ${len} bytes`);
  }
  // All-zero input never changes the hash after 32 bytes, and this table gives no cut on it: max-size cuts.
  assert.deepEqual(syncLengths(zeros), [CHUNK_MAX, CHUNK_MAX, 2 * MiB + 5]);
});

test('empty and short inputs', async () => {
  assert.deepEqual(await collect(inPieces(new Uint8Array(0), () => 1)), []);
  const short = vector.subarray(0, 100);
  const cuts = await collect(inPieces(short, () => 30));
  assert.deepEqual(assertTiles(cuts, short), [100]);
  assert.equal(cutPoint(short, 0, 100), 100);
  assert.equal(cutPoint(short, 100, 100), 100);
});

test('a 100-byte insertion in the middle changes at most 2 chunks', async () => {
  const original = xorshiftBytes(96 * MiB, 7);
  const middle = original.length / 2 + 12345;
  const edited = new Uint8Array(original.length + 100);
  edited.set(original.subarray(0, middle));
  edited.set(xorshiftBytes(100, 99), middle);
  edited.set(original.subarray(middle), middle + 100);
  const known = new Set((await collect(inPieces(original, () => 4 * MiB))).map((c) => blake3Hex(c.bytes)));
  const cuts = await collect(inPieces(edited, () => 4 * MiB));
  const fresh = cuts.filter((c) => !known.has(blake3Hex(c.bytes)));
  assert.ok(cuts.length > 60, `only ${cuts.length} chunks`);
  assert.ok(fresh.length >= 1 && fresh.length <= 2, `${fresh.length} new chunks of ${cuts.length}`);
});

test('yielded chunks are never overwritten afterwards', async () => {
  const ids: string[] = [];
  const held: Uint8Array[] = [];
  for await (const cut of chunkStream(inPieces(vector, (i) => (i % 2 ? 65536 : 3 * MiB + 1)))) {
    ids.push(blake3Hex(cut.bytes));
    held.push(cut.bytes);
  }
  assert.deepEqual(held.map((b) => blake3Hex(b)), ids);
});
