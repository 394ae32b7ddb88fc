// Corruption: flip one byte inside a chunk's record in a pack file (layout per docs/format.md ("Store layout"):
// a 16-byte pack header, then records of a 52-byte header and a payload). `fsck --read-data` must name
// the chunk and every file path that uses it and exit non-zero; `cat` and `restore` of those files must
// fail loudly (CORRUPT, exit 5) and never hand out wrong bytes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { blake3Hex } from '../src/core/index.ts';
import { chunkStream } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';
import { buildTree, seededBytes } from './tree.ts';

const PACK_HEADER = 16;
const RECORD_HEADER = 52;

/** Finds the record of object `id` in the store's packs: the pack file and its payload's offset and length. */
async function findRecord(store: string, id: string): Promise<{ file: string; payload: number; length: number } | undefined> {
  const dir = join(store, 'packs');
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.pack')) continue;
    const bytes = await readFile(join(dir, name));
    assert.equal(bytes.subarray(0, 8).toString('latin1'), 'LODEPACK', `${name} is not a pack`);
    let at = PACK_HEADER;
    while (at + RECORD_HEADER <= bytes.length) {
      const stored = bytes.readUInt32BE(at + 44);
      if (bytes.subarray(at + 8, at + 40).toString('hex') === id) return { file: join(dir, name), payload: at + RECORD_HEADER, length: stored };
      at += RECORD_HEADER + stored;
    }
  }
  return undefined;
}

async function flipByte(file: string, offset: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    b[0] = b[0]! ^ 0x5a;
    await fh.write(b, 0, 1, offset);
  } finally {
    await fh.close();
  }
}

async function chunkIds(content: Buffer): Promise<string[]> {
  const ids: string[] = [];
  for await (const cut of chunkStream((async function* () { yield content; })())) ids.push(blake3Hex(cut.bytes));
  return ids;
}

const victim = seededBytes(200 * 1024, 7);
const big = seededBytes(6 * 1024 * 1024, 8);
const other = Buffer.from('an innocent bystander\n');

interface Case { what: string; file: string; content: Buffer; affected: string[]; chunk: () => Promise<string> }
const cases: Case[] = [
  { what: 'a single-chunk file and its duplicate', file: 'victim.txt', content: victim, affected: ['victim.txt', 'copies/victim-again.txt'], chunk: async () => blake3Hex(victim) },
  { what: 'the middle chunk of a multi-chunk file', file: 'big.bin', content: big, affected: ['big.bin'], chunk: async () => {
    const ids = await chunkIds(big);
    assert.ok(ids.length >= 3, `big.bin has ${ids.length} chunks`);
    return ids[Math.floor(ids.length / 2)]!;
  } },
];

interface FsckDoc { ok: boolean; errors: { code: string; id?: string; paths: string[] }[] }

for (const c of cases) {
  describe(`corruption in ${c.what}`, () => {
    const work = suiteDir('corrupt');
    let store: string;
    let chunk: string;
    let commit: string;

    before(async () => {
      store = join(work, 'store');
      const src = join(work, 'src');
      await buildTree(src, [
        { path: 'victim.txt', kind: 'file', content: victim },
        { path: 'copies/victim-again.txt', kind: 'file', content: victim },
        { path: 'big.bin', kind: 'file', content: big },
        { path: 'other.txt', kind: 'file', content: other },
      ]);
      const { run, doc } = await lodeJson<{ commit: string }>(['snapshot', src, '--arena', 'data'], { store });
      assert.equal(run.code, 0, explain(run));
      commit = doc.commit;
      chunk = await c.chunk();
      const record = await findRecord(store, chunk);
      assert.ok(record, `no record for chunk ${chunk} in the packs`);
      await flipByte(record.file, record.payload + Math.floor(record.length / 2));
    });

    test('fsck --read-data names the chunk and the paths that use it, and exits non-zero', async () => {
      const { run, doc } = await lodeJson<FsckDoc>(['fsck', '--read-data'], { store });
      assert.equal(run.code, 1, explain(run));
      assert.equal(doc.ok, false);
      const error = doc.errors.find((e) => e.id === chunk);
      assert.ok(error, `chunk ${chunk} not reported: ${JSON.stringify(doc.errors)}`);
      assert.equal(error.code, 'CORRUPT');
      assert.deepEqual([...error.paths].sort(), c.affected.map((p) => `${commit}:${p}`).sort());
      const human = await lode(['fsck', '--read-data'], { store });
      assert.equal(human.code, 1, explain(human));
      assert.ok(human.stdout.includes(chunk), human.stdout);
      for (const p of c.affected) assert.ok(human.stdout.includes(p), `${p} in:\n${human.stdout}`);
      assert.equal(errorCodeOf(human), 'FSCK_FAILED');
    });

    for (const path of c.affected) {
      test(`cat ${path} fails with CORRUPT (exit 5) after at most a correct prefix`, async () => {
        const run = await lode(['cat', `data:${path}`], { store });
        assert.equal(run.code, 5, explain(run));
        assert.equal(errorCodeOf(run), 'CORRUPT');
        assert.ok(run.stdoutBytes.length < c.content.length);
        assert.ok(c.content.subarray(0, run.stdoutBytes.length).equals(run.stdoutBytes), 'cat wrote bytes that differ from the original');
      });
    }

    test('cat of an unaffected file still works', async () => {
      const run = await lode(['cat', 'data:other.txt'], { store });
      assert.equal(run.code, 0, explain(run));
      assert.ok(run.stdoutBytes.equals(other));
    });

    test('restore reports the affected files, exits non-zero and writes no wrong bytes under their names', async () => {
      const out = join(work, 'restored');
      const run = await lode(['restore', 'data', out], { store });
      assert.equal(run.code, 5, explain(run));
      for (const p of c.affected) {
        assert.ok(run.stderr.includes(p), `${p} not reported: ${run.stderr}`);
        const target = join(out, p);
        if (existsSync(target)) assert.ok((await readFile(target)).equals(c.content), `${p} restored with wrong bytes`);
      }
      assert.ok((await readFile(join(out, 'other.txt'))).equals(other));
      // No partial file is left behind under a temporary name either.
      const left = (await readdir(out, { recursive: true })).filter((n) => !['victim.txt', 'copies', 'copies/victim-again.txt', 'big.bin', 'other.txt'].includes(n));
      assert.deepEqual(left, []);
    });
  });
}
