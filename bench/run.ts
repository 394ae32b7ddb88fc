// The benchmark: lode, restic and borg on the same dataset in one run (first snapshot, unchanged
// re-snapshot, stored size, full restore, peak RSS), then one large file for peak RSS. Prints a table with
// the lode/restic and lode/borg ratios and the goals, and writes JSON to bench/out/. A script, not a test.
//
//   node bench/run.ts DATASET [--work DIR] [--tools lode,restic,borg] [--big-gib 4] [--big-all] [--no-big] [--keep] [--lode-from-source]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeRandom } from './dataset.ts';
import { gnuTimeAvailable, measure, shell, type Command } from './measure.ts';
import { formatTable } from './report.ts';
import { makeTools, type Tool, type ToolName } from './tools.ts';
import { summarizeTree, type TreeSummary } from './tree-check.ts';
import { writeResults } from './results-file.ts';

export interface Step { seconds: number; peakRssMb: number }
export interface ToolResult {
  tool: ToolName;
  settings: string;
  version?: string;
  skipped?: string;
  error?: string;
  init?: Step;
  first?: Step;
  unchanged?: Step;
  storedBytes?: number;
  storedApparentBytes?: number;
  restore?: Step;
  restoreVerified?: boolean;
  restoreMismatch?: string;
  big?: Step & { storedBytes: number };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    work: { type: 'string' },
    tools: { type: 'string', default: 'lode,restic,borg' },
    'big-gib': { type: 'string', default: '4' },
    'big-all': { type: 'boolean', default: false },
    'no-big': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'lode-from-source': { type: 'boolean', default: false },
  },
});

const datasetArg = positionals[0];
if (datasetArg === undefined || !existsSync(datasetArg)) {
  process.stderr.write('usage: node bench/run.ts DATASET [--work DIR] [--tools lode,restic,borg] [--big-gib 4] [--big-all] [--no-big] [--keep] [--lode-from-source]\n' +
    '       build DATASET first with: node bench/dataset.ts DATASET\n');
  process.exit(2);
}
if (!gnuTimeAvailable()) {
  process.stderr.write('GNU time (/usr/bin/time) is missing; it measures peak RSS. Install it: apt-get install time\n');
  process.exit(2);
}
const dataset = resolve(datasetArg);
const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'lode-bench-'));
mkdirSync(work, { recursive: true });
const log = join(work, 'commands.log');
const timeOut = join(work, 'time.out');
const tools = makeTools(work, values['lode-from-source']);
const selected = values.tools.split(',').map((t) => t.trim()) as ToolName[];
for (const t of selected) if (!(t in tools)) throw new RangeError(`unknown tool ${t}`);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function step(c: Command, what: string): Promise<Step> {
  const m = await measure(c, log, timeOut);
  if (m.exitCode !== 0) throw new BenchStepFailed(`${what}: exit ${m.exitCode}\n${m.logTail}`);
  say(`  ${what}: ${m.seconds.toFixed(2)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB`);
  return { seconds: m.seconds, peakRssMb: m.peakRssMb };
}

class BenchStepFailed extends Error {}

async function duBytes(path: string): Promise<{ disk: number; apparent: number }> {
  const disk = Number((await shell(`du -s --block-size=1 '${path}'`)).split('\t')[0]);
  const apparent = Number((await shell(`du -s -b '${path}'`)).split('\t')[0]);
  return { disk, apparent };
}

async function warmRead(path: string): Promise<void> {
  await shell(`find '${path}' -type f -print0 | xargs -0 cat > /dev/null`);
}

async function versionOf(tool: Tool): Promise<string> {
  const v = tool.version();
  try {
    return (await shell([v.cmd, ...v.args].map((a) => `'${a}'`).join(' '))).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

async function benchTool(tool: Tool, source: TreeSummary): Promise<ToolResult> {
  const r: ToolResult = { tool: tool.name, settings: tool.settings };
  const reason = tool.unavailable();
  if (reason) {
    say(`${tool.name}: SKIPPED: ${reason}`);
    return { ...r, skipped: reason };
  }
  r.version = await versionOf(tool);
  say(`${tool.name} (${r.version})`);
  const repo = join(work, `repo-${tool.name}`);
  const target = join(work, `restore-${tool.name}`);
  try {
    const init = tool.init(repo);
    if (init) r.init = await step(init, 'init');
    await warmRead(dataset);
    r.first = await step(tool.snapshot(repo, dataset, 1), 'first snapshot');
    r.unchanged = await step(tool.snapshot(repo, dataset, 2), 'unchanged re-snapshot');
    const du = await duBytes(repo);
    r.storedBytes = du.disk;
    r.storedApparentBytes = du.apparent;
    say(`  stored: ${(du.disk / 2 ** 20).toFixed(0)} MiB on disk (${(du.apparent / 2 ** 20).toFixed(0)} MiB apparent)`);
    if (tool.restoreIntoExistingDir) mkdirSync(target, { recursive: true });
    r.restore = await step(tool.restore(repo, target, 2), 'restore');
    const restored = summarizeTree(tool.restoredRoot(target, dataset));
    r.restoreVerified = restored.digest === source.digest;
    if (!r.restoreVerified) r.restoreMismatch = `source ${JSON.stringify(source)} restored ${JSON.stringify(restored)}`;
    say(`  restore check: ${r.restoreVerified ? 'identical (paths, sizes, link targets, content)' : `MISMATCH ${r.restoreMismatch}`}`);
  } catch (e) {
    if (!(e instanceof BenchStepFailed)) throw e;
    r.error = e.message;
    say(`  FAILED: ${e.message}`);
  }
  // Restored trees are deleted at the end of the run, not here: on ext4 without a journal, files created
  // soon after many deletions cost far more, which would penalise whichever tool restores next.
  return r;
}

async function benchBigFile(tool: Tool, dir: string, r: ToolResult): Promise<void> {
  if (r.skipped || tool.unavailable()) return;
  const repo = join(work, `repo-big-${tool.name}`);
  try {
    const init = tool.init(repo);
    if (init) await step(init, `${tool.name} init (big file)`);
    await warmRead(dir);
    const s = await step(tool.snapshot(repo, dir, 1), `${tool.name} snapshot of the big file`);
    r.big = { ...s, storedBytes: (await duBytes(repo)).disk };
  } catch (e) {
    if (!(e instanceof BenchStepFailed)) throw e;
    say(`  FAILED: ${e.message}`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

say(`dataset ${dataset}; work dir ${work}; log ${log}`);
const source = summarizeTree(dataset);
say(`dataset: ${source.files} files, ${source.dirs} dirs, ${source.symlinks} symlinks, ${(source.bytes / 2 ** 20).toFixed(0)} MiB`);

const results: ToolResult[] = [];
for (const name of selected) results.push(await benchTool(tools[name], source));

const bigGib = Number(values['big-gib']);
if (!values['no-big']) {
  const bigDir = join(work, 'big-file');
  mkdirSync(bigDir, { recursive: true });
  say(`writing a ${bigGib} GiB random file for the peak-RSS run`);
  writeRandom(join(bigDir, 'random.bin'), Math.floor(bigGib * 2 ** 30));
  for (const r of results) {
    if (r.tool === 'lode' || values['big-all']) await benchBigFile(tools[r.tool], bigDir, r);
  }
  rmSync(bigDir, { recursive: true, force: true });
}

say('');
say(formatTable(results, bigGib));
say(`\nresults: ${writeResults('bench', { dataset: { path: dataset, ...source }, bigFileGiB: values['no-big'] ? undefined : bigGib, results })}`);
if (values.keep) say(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
