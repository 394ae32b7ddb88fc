// A child process for crash and lock tests: it works on a store until the parent kills it (SIGKILL).
// Usage: node store-child.ts <dir> <mode> [packTargetBytes]
//   stage: puts objects without flushing, prints "staged", waits;
//   write: snapshots random files forever, recording each durable commit under meta roots/<id>;
//   hold:  opens the store (shared lock), prints "open", waits;
//   gc:    runs gc keeping the commits listed in meta keep/<id>, prints "gc done", exits;
//   count: increments meta counters/n 50 times (read-check-write inside MetaStore.write), exits.
import { randomBytes } from 'node:crypto';
import { blake3Hex, type CommitId } from '../../core/index.ts';
import { openStore } from '../disk-store.ts';
import { gc } from '../gc.ts';
import { commitFiles } from './history-fixture.ts';

const [dir, mode, target] = process.argv.slice(2);
const store = await openStore(dir!, { packTargetBytes: target ? Number(target) : 256 * 1024 });
const forever = (): Promise<never> => new Promise(() => setInterval(() => {}, 1 << 30));

if (mode === 'stage') {
  let last = '';
  for (let i = 0; i < 20; i++) {
    const b = randomBytes(50_000);
    last = blake3Hex(b);
    await store.objects.put('chunk', last as never, b);
  }
  // put returns before its record is written; a get waits for that, so the pack holds all 20 records.
  await store.objects.get(last as never);
  process.stdout.write('staged\n');
  await forever();
} else if (mode === 'hold') {
  process.stdout.write('open\n');
  await forever();
} else if (mode === 'write') {
  let parent: CommitId[] = [];
  for (let n = 0; ; n++) {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 8; i++) files[`d${i % 3}/f${n}-${i}`] = randomBytes(Math.floor(Math.random() * 300_000));
    files.shared = Buffer.from('the same in every commit');
    const c = await commitFiles(store, files, parent);
    await store.meta.write((w) => w.put('roots', c, new Uint8Array(0)));
    parent = [c];
    process.stdout.write(`commit ${c}\n`);
  }
} else if (mode === 'count') {
  const t = store.meta.table('counters');
  for (let i = 0; i < 50; i++) {
    await store.meta.write((w) => {
      const cur = t.get('n');
      const n = cur === undefined ? 0 : Buffer.from(cur).readUInt32BE(0);
      const next = Buffer.alloc(4);
      next.writeUInt32BE(n + 1, 0);
      w.put('counters', 'n', next);
    });
  }
  await store.close();
  process.stdout.write('counted\n');
} else if (mode === 'gc') {
  const keep = [...store.meta.table('keep').range('')].map(([k]) => k as CommitId);
  process.stdout.write('gc start\n');
  await gc(store, keep, { repackThreshold: 0.1 });
  await store.close();
  process.stdout.write('gc done\n');
}
