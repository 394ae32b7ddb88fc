import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { tuneGarbageCollection } from './gc-tuning.ts';

it('sets the V8 flag only on a V8 that has it (13.6, Node 24, and later)', () => {
  assert.equal(tuneGarbageCollection('12.4.254.21-node.57'), false, 'Node 22');
  assert.equal(tuneGarbageCollection('13.5.1'), false);
  assert.equal(tuneGarbageCollection('13.6.233.17-node.53'), true);
  assert.equal(tuneGarbageCollection('14.1.146'), true);
});

it('takes dead Buffers without a full GC per 64 MiB once set, and prints nothing', () => {
  // 1 GiB of short-lived 1 MiB Buffers: V8's default runs a full mark-compact for every 64 MiB of them.
  const script = `
    import { tuneGarbageCollection } from ${JSON.stringify(new URL('./gc-tuning.ts', import.meta.url).href)};
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    if (process.argv[1] === 'tuned') tuneGarbageCollection();
    let full = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++; }).observe({ entryTypes: ['gc'] });
    const keep = [];
    for (let i = 0; i < 1024; i++) { keep.push(Buffer.allocUnsafe(1 << 20).fill(i)); if (keep.length > 4) keep.shift(); }
    setTimeout(() => console.log(full), 50);`;
  const run = (mode: string) => spawnSync(process.execPath, ['--input-type=module', '-e', script, mode], { encoding: 'utf8' });
  const plain = run('plain');
  const tuned = run('tuned');
  assert.equal(tuned.stderr, '');
  if (Number(process.versions.v8.split('.')[0]) < 13) return; // nothing to compare on an older V8
  assert.ok(Number(plain.stdout) >= 8, `default: ${plain.stdout.trim()} full GCs`);
  assert.ok(Number(tuned.stdout) <= 2, `tuned: ${tuned.stdout.trim()} full GCs`);
});
