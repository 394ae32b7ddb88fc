import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COPY_LIMIT, PackWriter } from './pack-file.ts';
import { PACK_HEADER_BYTES } from './pack-record.ts';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

async function withWriter(body: (writer: PackWriter, path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lode-pack-writer-'));
  try {
    const writer = await PackWriter.create(dir, 'a'.repeat(32), undefined);
    await body(writer, join(dir, `${'a'.repeat(32)}.pack`));
    await writer.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the pack holds every reserved buffer at its offset, small ones copied so that the caller may reuse them at once', async () => {
  await withWriter(async (writer, path) => {
    const expected: { offset: number; content: Uint8Array }[] = [];
    const reused = new Uint8Array(100);
    // Tiny, small and large buffers, some reserved while earlier ones are being written.
    const sizes = [1, 40, 100, 5000, COPY_LIMIT, COPY_LIMIT + 1, 300_000, 3, 200_000, 17];
    for (let round = 0; round < 40; round++) {
      for (const [i, size] of sizes.entries()) {
        const content = bytes(size, round * 100 + i);
        let given = content;
        if (size === 100) {
          reused.set(content);
          given = reused;
        }
        expected.push({ offset: writer.reserve([given]), content });
        // The caller's small buffer, reused at once: what was reserved is what it held then.
        if (given === reused) reused.fill(0xee);
      }
      if (round % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await writer.drained();
    const pack = await readFile(path);
    assert.equal(expected[0]!.offset, PACK_HEADER_BYTES);
    assert.equal(pack.length, writer.size);
    for (const { offset, content } of expected) {
      assert.deepEqual(pack.subarray(offset, offset + content.length), Buffer.from(content), `the ${content.length} bytes at ${offset}`);
    }
  });
});

test('drained() waits for what was reserved before it, not for a stream of records that goes on', async () => {
  await withWriter(async (writer) => {
    writer.reserve([bytes(COPY_LIMIT + 1, 0)]);
    let done = false;
    const waited = writer.drained().then(() => { done = true; });
    // A steady stream: the queue is never empty while it lasts (a transfer's receiver, say).
    let more = 0;
    while (!done && more < 3000) {
      for (let i = 0; i < 4; i++) writer.reserve([bytes(300_000, more)]);
      more++;
      await new Promise((r) => setImmediate(r));
    }
    await waited;
    assert.ok(more < 3000, 'drained() waited for the whole stream reserved after it');
  });
});
