// The sync benchmark of issue 4, with real `lode daemon` processes on 127.0.0.1: (1) a cold-start transfer
// of a dataset, and of one large random file, from node a to a node b that joined by ticket, against rsync
// of the same directory; (2) how long a commit takes to reach all of 5 daemons. Prints a table and writes
// JSON to bench/out/. A script, not a test.
//
//   node bench/sync.ts [--dataset /tmp/lode-ds] [--small] [--parts transfer,big,propagate] [--big-mib 1024]
//                      [--runs 20] [--transfer-runs 3] [--nodes 5] [--work DIR] [--keep] [--profile DIR] [--lode-only]
//                      [--many 20000,80000] (with --parts many)
//   --parts many: small-file trees of --many counts, to show memory does not grow with the file count.
//   --lode-only: rsync is not run (for comparing lode builds by time and CPU; no ratio is printed).
//   --transfer-runs N: each transfer N times (rsync, then lode, each time), reported as medians: rsync's
//   own time for the dataset varied 5-10 s between runs on the 2-core VM.
//   LODE_BENCH_BIN=/path/to/bin/lode.js runs another build (to compare before and after);
//   LODE_BENCH_NODE_ARGS="--trace-gc" gives the daemons more node flags.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeRandom } from './dataset.ts';
import { liveHeap } from './heap-trace.ts';
import { shell } from './measure.ts';
import { formatSyncTable, medianTransfer, percentile, type PropagationResult, type TransferResult } from './sync-report.ts';
import { ControlClient, cpuSeconds, lodeMust, peakRssMiB, makeNode, startDaemon, stopDaemons, waitBranch, writeConfig, type BenchNode, type RunningDaemon } from './sync-daemons.ts';
import { rsyncDaemon, rsyncLocal, rsyncVersion } from './sync-rsync.ts';
import { writeResults } from './results-file.ts';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: '/tmp/lode-ds' },
    small: { type: 'boolean', default: false },
    parts: { type: 'string', default: 'transfer,big,propagate' },
    'big-mib': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '20' },
    'transfer-runs': { type: 'string', default: '3' },
    nodes: { type: 'string', default: '5' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'lode-only': { type: 'boolean', default: false },
    /** Part `many`: trees of this many small files (50 to a directory), to show the memory does not follow the count. */
    many: { type: 'string', default: '20000,80000' },
    /** b's daemon runs with its old space capped at this many MB, and its live heap is traced (heap-trace.ts). */
    'heap-mb': { type: 'string' },
  },
});

const ARENA = 'bench';
const parts = new Set(values.parts.split(',').map((p) => p.trim()));
const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'lode-sync-bench-'));
mkdirSync(work, { recursive: true });
/** `--profile DIR`: the transfer's daemons write V8 CPU profiles (one per thread) under DIR/a and DIR/b. */
const profileArgs = (name: string): string[] | undefined =>
  values.profile === undefined ? undefined : ['--cpu-prof', '--cpu-prof-dir', join(resolve(values.profile), name)];
/** `--heap-mb N`: b's old space capped at N MB, and V8's trace of its collections on its stdout. */
const heapArgs = values['heap-mb'] === undefined ? [] : ['--trace-gc', `--max-old-space-size=${values['heap-mb']}`];
const rsyncPort = 20_000 + Math.floor(Math.random() * 20_000);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The dataset of `bench/dataset.ts` is complete when its four big files have their sizes and real/ exists. */
function datasetProblem(dir: string): string | undefined {
  const big = (f: string) => join(dir, 'big', f);
  if (!existsSync(join(dir, 'real'))) return `${dir}/real is missing`;
  for (const f of ['random-a.bin', 'random-b.bin', 'random-a-duplicate.bin', 'random-b-inserted.bin']) if (!existsSync(big(f))) return `${big(f)} is missing`;
  const size = (f: string) => statSync(big(f)).size;
  if (size('random-a-duplicate.bin') !== size('random-a.bin') || size('random-b-inserted.bin') !== size('random-b.bin') + 100) return `the big files of ${dir} are incomplete`;
  return undefined;
}

async function contentBytes(dir: string): Promise<{ bytes: number; files: number }> {
  const bytes = Number((await shell(`du -sb '${dir}'`)).split('\t')[0]);
  const files = Number((await shell(`find '${dir}' -type f | wc -l`)).trim());
  return { bytes, files };
}

/** The warning and error lines of the daemons' logs, each labelled with its node (at most 20). */
function daemonWarnings(daemons: RunningDaemon[]): string[] {
  return daemons.flatMap((d) => d.stderr().split('\n').filter((l) => / (warn|error) /.test(l)).map((l) => `${d.node.name}: ${l}`)).slice(0, 20);
}

/**
 * Runs one part with the daemons and control clients it starts: a failure is recorded in `r.error`, and
 * afterwards every client is closed, every daemon stopped and `root` removed (unless --keep).
 */
async function withDaemons(r: { error?: string }, root: string, body: (daemons: RunningDaemon[], clients: ControlClient[]) => Promise<void>): Promise<void> {
  const daemons: RunningDaemon[] = [];
  const clients: ControlClient[] = [];
  try {
    await body(daemons, clients);
  } catch (e) {
    r.error = (e as Error).message;
    say(`  FAILED: ${r.error}`);
  } finally {
    for (const c of clients) c.close();
    await stopDaemons(daemons);
    if (!values.keep) rmSync(root, { recursive: true, force: true });
  }
}

/** Node a snapshots `src` (untimed), b joins by ticket; then b's daemon starts and is timed until it holds a's head. */
async function transfer(label: string, src: string): Promise<TransferResult> {
  const root = join(work, label.replace(/\W+/g, '-'));
  const size = await contentBytes(src);
  say(`${label}: ${size.files} files, ${(size.bytes / 2 ** 20).toFixed(0)} MiB from ${src}`);
  const r: TransferResult = { label, source: src, bytes: size.bytes, files: size.files };
  if (!values['lode-only'] && rsyncVersion() !== undefined) {
    // rsync first, each run after a `sync` and on a disk where nothing was just deleted (see rsyncLocal).
    await shell(`find '${src}' -type f -print0 | xargs -0 cat > /dev/null; sync`);
    r.rsyncLocalSeconds = rsyncLocal(src, work);
    say(`  rsync -a --whole-file (local): ${r.rsyncLocalSeconds.toFixed(2)} s`);
    await shell('sync');
    try {
      r.rsyncDaemonSeconds = await rsyncDaemon(src, work, rsyncPort);
      say(`  rsync -a --whole-file to rsync://127.0.0.1:${rsyncPort}: ${r.rsyncDaemonSeconds.toFixed(2)} s`);
    } catch (e) {
      r.rsyncDaemonError = (e as Error).message;
      say(`  rsync daemon: FAILED ${r.rsyncDaemonError}`);
    }
    // Then lode, without rsync's 3.6 GB of new files beside it: left in place, they cost the transfer after
    // them a third more CPU in both daemons here (8.6 s -> 11.5 s); lode creates few files, so the deletion
    // that precedes it costs it nothing comparable.
    for (const d of ['rsync-local', 'rsync-daemon']) rmSync(join(work, d), { recursive: true, force: true });
  }
  await withDaemons(r, root, async (daemons, clients) => {
    const a = makeNode(root, 'a');
    const b = makeNode(root, 'b');
    const snapStarted = performance.now();
    const snap = JSON.parse(lodeMust(a, ['snapshot', src, '--arena', ARENA, '--json'])) as { commit: string; arena_id: string };
    say(`  a: snapshot ${snap.commit.slice(0, 12)} in ${((performance.now() - snapStarted) / 1000).toFixed(1)} s (untimed)`);
    const ticket = (JSON.parse(lodeMust(a, ['arena', 'share', ARENA, '--json'])) as { ticket: string }).ticket;
    lodeMust(b, ['arena', 'join', ticket]);
    const arena = { name: ARENA, id: snap.arena_id };
    writeConfig(a, arena, [{ node: b }]);
    const da = await startDaemon(a, { nodeArgs: profileArgs('a') });
    daemons.push(da);
    writeConfig(b, arena, [{ node: a, addrs: da.addrs }]);
    await shell('sync'); // a's snapshot written back: b starts on a quiet disk, as rsync did
    const spawnEpoch = Date.now();
    const db = await startDaemon(b, { nodeArgs: [...profileArgs('b') ?? [], ...heapArgs] });
    daemons.push(db);
    // b's daemon stamps the moment its branch reached a's head (wait-branch): nothing polls it meanwhile.
    const movedAt = await waitBranch(b.store, ARENA, 'main', snap.commit, 30 * 60_000).catch((e: unknown) => {
      throw new Error(`b did not reach a's head: ${(e as Error).message}; b's log: ${db.stderr().slice(-800)}`);
    });
    if (movedAt === null) throw new Error('b\'s daemon did not see its branch move');
    r.seconds = (movedAt - spawnEpoch) / 1000;
    r.cpuSecondsA = cpuSeconds(da);
    r.cpuSecondsB = cpuSeconds(db);
    r.peakRssMiBA = peakRssMiB(da);
    r.peakRssMiBB = peakRssMiB(db);
    const heap = heapArgs.length === 0 ? undefined : liveHeap(readFileSync(join(b.dir, 'daemon.log.out'), 'utf8'), r.seconds * 1000);
    if (heap !== undefined) {
      r.liveHeapFirstMB = heap.firstMB;
      r.liveHeapLastMB = heap.lastMB;
      r.liveHeapMaxMB = heap.maxMB;
      r.heapCapMB = Number(values['heap-mb']);
      say(`  b: live heap after its ${heap.collections} full collections (old space capped at ${values['heap-mb']} MB): median ${heap.firstMB.toFixed(1)} MB in the first fifth of the transfer, ${heap.lastMB.toFixed(1)} MB in the last; at most ${heap.maxMB.toFixed(1)} MB`);
    }
    // The daemon logs `<ISO time> info peer connected ...`: the connection's moment, on the wall clock.
    const connected = /^(\S+) info peer connected/m.exec(db.stderr());
    if (connected) r.connectedAfterSeconds = (Date.parse(connected[1]!) - spawnEpoch) / 1000;
    r.mbPerSecond = size.bytes / 1e6 / r.seconds;
    say(`  b: daemon start -> a's head held: ${r.seconds.toFixed(2)} s (${r.mbPerSecond.toFixed(0)} MB/s); connected after ${r.connectedAfterSeconds?.toFixed(2) ?? '?'} s; CPU a ${r.cpuSecondsA?.toFixed(2) ?? '?'} s, b ${r.cpuSecondsB?.toFixed(2) ?? '?'} s; peak RSS a ${r.peakRssMiBA?.toFixed(0) ?? '?'} MiB, b ${r.peakRssMiBB?.toFixed(0) ?? '?'} MiB`);
    r.daemonWarnings = daemonWarnings([da, db]);
    for (const c of clients.splice(0)) c.close();
    await stopDaemons(daemons.splice(0));
    const fsck = JSON.parse(lodeMust(b, ['fsck', '--json'])) as { ok: boolean; errors: unknown[] };
    r.fsckClean = fsck.ok;
    r.storedBytesB = Number((await shell(`du -s --block-size=1 '${b.store}'`)).split('\t')[0]);
    say(`  b: fsck ${fsck.ok ? 'clean' : `NOT CLEAN: ${JSON.stringify(fsck.errors).slice(0, 400)}`}; store ${(r.storedBytesB / 2 ** 20).toFixed(0)} MiB`);
  });
  return r;
}

/** `nodes` daemons in a full mesh; node 1 snapshots a tiny change `runs` times; each round is timed until all hold it. */
async function propagate(nodeCount: number, runs: number): Promise<PropagationResult> {
  const root = join(work, 'propagate');
  const r: PropagationResult = { nodes: nodeCount, topology: 'full mesh', runs: [] };
  await withDaemons(r, root, async (daemons, clients) => {
    const nodes: BenchNode[] = [];
    for (let i = 1; i <= nodeCount; i++) nodes.push(makeNode(root, `n${i}`));
    const first = nodes[0]!;
    const data = join(root, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'readme.txt'), 'propagation benchmark\n');
    writeFileSync(join(data, 'counter.txt'), 'round 0\n');
    const snap = JSON.parse(lodeMust(first, ['snapshot', data, '--arena', ARENA, '--json'])) as { commit: string; arena_id: string };
    const ticket = (JSON.parse(lodeMust(first, ['arena', 'share', ARENA, '--json'])) as { ticket: string }).ticket;
    for (const n of nodes.slice(1)) lodeMust(n, ['arena', 'join', ticket]);
    const arena = { name: ARENA, id: snap.arena_id };
    // Each node dials the nodes started before it and is dialed by those started after: every pair connects once.
    for (let i = 0; i < nodeCount; i++) {
      const n = nodes[i]!;
      writeConfig(n, arena, nodes.filter((p) => p !== n).map((p) => {
        const j = nodes.indexOf(p);
        return j < i ? { node: p, addrs: daemons[j]!.addrs } : { node: p };
      }));
      daemons.push(await startDaemon(n));
    }
    for (const n of nodes) clients.push(new ControlClient(n.store));
    const steadyDeadline = Date.now() + 60_000;
    for (;;) {
      const states = await Promise.all(clients.map((c) => c.status()));
      const ready = states.every((s) => s.peers.every((p) => p.connected && p.syncing) &&
        s.arenas.find((a) => a.name === ARENA)?.branches.find((b) => b.name === 'main')?.commit === snap.commit && s.sync.tasks === 0);
      if (ready) break;
      if (Date.now() > steadyDeadline) throw new Error(`the ${nodeCount} daemons did not connect and agree within 60 s: ${JSON.stringify(states.map((s) => s.peers))}`);
      await sleep(100);
    }
    say(`propagation: ${nodeCount} daemons connected (full mesh); each daemon stamps when its branch moved (control socket wait-branch, no polling)`);
    for (let round = 1; round <= runs; round++) {
      writeFileSync(join(data, 'counter.txt'), `round ${round}\n`);
      const started = performance.now();
      const s = JSON.parse(lodeMust(first, ['snapshot', data, '--arena', ARENA, '--json', '-m', `round ${round}`])) as { commit: string };
      const returned = performance.now();
      const returnedEpoch = Date.now();
      // Every daemon, node 1's included (it hears of the commit from the CLI), says when its branch got there.
      const moved = await Promise.all(nodes.map((n) => waitBranch(n.store, ARENA, 'main', s.commit, 30_000)));
      // The start: the branch move on node 1, as its reflog stamped it (ms).
      const reflog = JSON.parse(lodeMust(first, ['reflog', ARENA, '--json'])) as { entries: { new: string; time: string }[] };
      const committedAt = Date.parse(reflog.entries.find((e) => e.new === s.commit)!.time);
      const arrivals = moved.slice(1).map((t) => (t ?? NaN) - committedAt);
      const heardMs = (moved[0] ?? NaN) - committedAt;
      const all = Math.max(...arrivals);
      r.runs.push({ snapshotMs: returned - started, arrivalsMs: arrivals, heardMs, returnedMs: returnedEpoch - committedAt, allMs: all });
      say(`  round ${round}: snapshot ${(returned - started).toFixed(0)} ms (branch moved ${returnedEpoch - committedAt} ms before it returned); node 1's daemon heard at ${heardMs} ms; all after ${all} ms; per node: ${arrivals.join(', ')}`);
      // Let every node settle (merges, acks) before the next change.
      await sleep(200);
    }
    const alls = r.runs.map((x) => x.allMs);
    r.p50Ms = percentile(alls, 50);
    r.p95Ms = percentile(alls, 95);
    r.daemonWarnings = daemonWarnings(daemons);
  });
  return r;
}

const dataset = resolve(values.dataset);
const transfers: TransferResult[] = [];
let propagation: PropagationResult | undefined;
say(`work dir ${work}; lode ${lodeVersion()}; ${rsyncVersion() ?? 'rsync missing: rsync rows skipped'}`);

function lodeVersion(): string {
  return lodeMust({ name: 'version', dir: work, config: '/dev/null', store: '', id: '' }, ['--version']).trim();
}

/** `count` distinct files of a few dozen bytes, 50 to a directory, 20 directories to a parent. */
function writeSmallFiles(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `p${Math.floor(i / 1000)}`, `d${Math.floor(i / 50) % 20}`);
    if (i % 50 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), `small file ${i} of ${count}\n`);
  }
}

/** `transfer` --transfer-runs times, as one result of medians. */
async function repeated(label: string, src: string): Promise<TransferResult> {
  const runs: TransferResult[] = [];
  const n = Math.max(1, Number(values['transfer-runs']));
  for (let i = 0; i < n; i++) runs.push(await transfer(n > 1 ? `${label} (run ${i + 1})` : label, src));
  return medianTransfer(runs.map((r) => ({ ...r, label })));
}

if (parts.has('transfer')) {
  const problem = datasetProblem(dataset);
  if (problem !== undefined) {
    say(`dataset: ${problem}; build it with: rm -rf ${dataset} && node bench/dataset.ts ${dataset}`);
    process.exitCode = 2;
  } else {
    const src = values.small ? join(dataset, 'real', 'usr', 'include') : dataset;
    if (!existsSync(src) || readdirSync(src).length === 0) throw new RangeError(`${src} is empty`);
    transfers.push(await repeated(values.small ? 'dataset subset (--small)' : 'foundation dataset', src));
  }
}
if (parts.has('big')) {
  const mib = Number(values['big-mib']);
  const dir = join(work, 'big-file');
  mkdirSync(dir, { recursive: true });
  writeRandom(join(dir, 'random.bin'), mib * 2 ** 20);
  transfers.push(await repeated(`one random file of ${mib} MiB`, dir));
  rmSync(dir, { recursive: true, force: true });
}
if (parts.has('many')) {
  for (const count of values.many.split(',').map(Number)) {
    const dir = join(work, `many-${count}`);
    writeSmallFiles(dir, count);
    transfers.push(await repeated(`${count} small files`, dir));
    rmSync(dir, { recursive: true, force: true });
  }
}
if (parts.has('propagate')) propagation = await propagate(Number(values.nodes), Number(values.runs));

say('');
say(formatSyncTable(transfers, propagation));
say(`\nresults: ${writeResults('sync', { transfers, propagation })}`);
if (values.keep) say(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
