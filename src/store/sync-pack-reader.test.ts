// SyncPackReader: synchronous reads of pack byte ranges return exactly the bytes on disk (after the pack
// grew or was damaged, from the next turn of the event loop on), and report the end of the pack, a
// missing pack and a foreign file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePackHeader } from './pack-record.ts';
import { SyncPackReader } from './sync-pack-reader.ts';
import { tempDir } from './testing/disk-harness.ts';

test('SyncPackReader: reads what is on disk now, and reports the end, a missing pack and a foreign file', async () => {
  const dir = await tempDir();
  try {
    const path = (name: string): string => join(dir, `${name}.pack`);
    const content = Buffer.concat([encodePackHeader(), randomBytes(200_000)]);
    writeFileSync(path('p'), content);
    const reader = new SyncPackReader(path, 1);
    for (const [offset, length] of [[16, 100], [65_530, 20], [5, 150_000], [content.length - 1, 1]] as const) {
      assert.deepEqual(reader.read('p', offset, length), content.subarray(offset, offset + length), `${offset}+${length}`);
    }
    const end = content.length;
    assert.throws(() => reader.read('p', end - 4, 8), { code: 'CORRUPT' });
    const more = randomBytes(100);
    appendFileSync(path('p'), more);
    assert.deepEqual(reader.read('p', end - 4, 8), Buffer.concat([content.subarray(end - 4), more.subarray(0, 4)]), 'bytes appended since are read');
    // A read brings in its neighbours for the rest of this turn; damage shows from the next turn on.
    assert.equal(reader.read('p', 100, 1)[0], content[100]);
    const damaged = Buffer.from(content);
    damaged[100]! ^= 0xff;
    damaged[20_000]! ^= 0xff;
    writeFileSync(path('p'), damaged);
    assert.equal(reader.read('p', 20_000, 1)[0], content[20_000], 'a neighbour is served from the window this turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reader.read('p', 100, 1)[0], damaged[100]);
    assert.equal(reader.read('p', 20_000, 1)[0], damaged[20_000]);
    // A second pack pushes the first one's descriptor out (maxOpen 1); both still read.
    writeFileSync(path('q'), Buffer.concat([encodePackHeader(), Buffer.alloc(100, 7)]));
    assert.deepEqual(reader.read('q', 20, 30), Buffer.alloc(30, 7));
    assert.equal(reader.read('p', 100, 1)[0], damaged[100]);
    unlinkSync(path('q'));
    reader.evict('q');
    assert.throws(() => reader.read('q', 20, 30), { code: 'MISSING_PACK' });
    writeFileSync(path('bad'), Buffer.alloc(100));
    assert.throws(() => reader.read('bad', 20, 30), { code: 'BAD_PACK' });
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
