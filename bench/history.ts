// The history benchmark of issue 3, lode against git in the same run: `log` of a long history, `status` of
// an unchanged worktree of many files (without a daemon, then with a `lode daemon` whose change journal
// status asks, which the bench starts and stops), and a merge of two branches that each changed many files.
// Prints a table with the ratios and the goals, and writes JSON to bench/out/. A script, not a test.
//
//   node bench/history.ts [--parts log,status,merge] [--commits 10000] [--dirs 1000] [--files-per-dir 100]
//                         [--merge-files 1000] [--runs 7] [--work DIR] [--keep] [--lode-from-source]
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GIT_DEFAULTS, buildGitHistory, buildLodeHistory, run, writeManyFiles } from './history-fixtures.ts';
import { formatHistoryTable, type Figure } from './history-report.ts';
import { startBenchDaemon } from './history-daemon.ts';
import { TimedRunFailed, commandRunner, lodeCommand, timeInterleaved, timeRuns, type Runner, type Timing } from './history-timing.ts';
import { writeResults } from './results-file.ts';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'log,status,merge' },
    commits: { type: 'string', default: '10000' },
    dirs: { type: 'string', default: '1000' },
    'files-per-dir': { type: 'string', default: '100' },
    'merge-files': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '7' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'lode-from-source': { type: 'boolean', default: false },
  },
});

const parts = new Set(values.parts.split(',').map((p) => p.trim()));
const commits = Number(values.commits);
const dirs = Number(values.dirs);
const filesPerDir = Number(values['files-per-dir']);
const mergeFiles = Number(values['merge-files']);
const runs = Number(values.runs);
const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'lode-history-bench-'));
mkdirSync(work, { recursive: true });
const store = join(work, 'store');
const env = { ...GIT_DEFAULTS, LODE_CACHE_DIR: join(work, 'lode-cache'), GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.org' };
const lode = lodeCommand(values['lode-from-source'], store, env);
const git: Runner = commandRunner('git', env);
const figures: Figure[] = [];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Whether `lode CMD --help` works and CMD is in `lode --help`'s list: the worktree commands may not exist yet. */
function lodeHas(cmd: string): boolean {
  const listed = new RegExp(`^ {2}${cmd}\\b`, 'm').test(lode(['--help'], work, true).stdout);
  return listed && lode([cmd, '--help'], work).status === 0;
}

function skipped(what: string, why: string): void {
  say(`\n*** ${what}: SKIPPED: ${why} ***\n`);
  figures.push({ label: what, skipped: why });
}

async function benchLog(): Promise<void> {
  say(`log: building a ${commits}-commit arena and git repository`);
  const started = performance.now();
  await buildLodeHistory(store, 'history', commits);
  await buildGitHistory(join(work, 'git-log'), commits);
  say(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const l = timeRuns(() => lode(['log', 'history'], work), runs);
  const g = timeRuns(() => git(['-C', join(work, 'git-log'), 'log'], work), runs);
  const n = timeRuns(() => lode(['log', 'history', '-n', '1'], work), runs);
  figures.push({ label: `log of ${commits} commits (s)`, lode: l, git: g, goal: { lodeAtMost: 0.2 } });
  figures.push({ label: 'log -n 1: startup and store open (s)', lode: n });
}

async function benchStatus(): Promise<void> {
  if (!lodeHas('status') || !lodeHas('checkout')) return skipped('status', '`lode status --help` or `lode checkout --help` fails: the worktree commands are not there yet');
  const files = dirs * filesPerDir;
  say(`status: writing ${files} files twice (lode and git)`);
  const source = join(work, 'files');
  writeManyFiles(source, dirs, filesPerDir);
  const gitTree = join(work, 'git-status');
  cpSync(source, gitTree, { recursive: true });
  const wt = join(work, 'lode-status');
  try {
    must(lode(['snapshot', source, '--arena', 'files'], work), 'lode snapshot');
    must(lode(['checkout', 'files', wt], work), 'lode checkout');
    must(git(['init', '-q', '-b', 'main'], gitTree), 'git init');
    must(git(['add', '-A'], gitTree), 'git add');
    must(git(['commit', '-q', '-m', 'files'], gitTree), 'git commit');
  } catch (e) {
    return skipped('status', (e as Error).message);
  }
  const [l, g] = timeInterleaved([() => lode(['status'], wt), () => git(['status'], gitTree)], runs, 1) as [Timing, Timing];
  figures.push({ label: `status, unchanged, ${files} files, no daemon (s)`, lode: l, git: g, goal: { ratioAtMost: 1.5 } });
  // With a daemon running for the store, status asks its change journal instead of walking the tree. The
  // first status starts the watch (and walks everything), the second finds nothing changed.
  const daemon = await startBenchDaemon(work, store, env, values['lode-from-source']);
  try {
    const statusJson = (): string => lode(['status', '--json'], wt, true).stdout;
    const walks = [statusJson(), statusJson()].map((o) => (JSON.parse(o) as { walk?: string }).walk);
    say(`  with the daemon: first status walked ${walks[0]}, the second ${walks[1]}`);
    if (walks[1] !== 'none') throw new TimedRunFailed(`the second status with the daemon walked ${walks[1]}, not none: the journal is not in use`);
    // `lode --version` in the same rounds: Node's start and the CLI's load, the floor of any lode command.
    const [lj, gj, start] = timeInterleaved([() => lode(['status'], wt), () => git(['status'], gitTree), () => lode(['--version'], wt)], runs, 1) as [Timing, Timing, Timing];
    figures.push({ label: `status, unchanged, ${files} files, daemon journal (s)`, lode: lj, git: gj, goal: { ratioAtMost: 1.5 } });
    figures.push({ label: 'lode --version in the same rounds: start-up alone (s)', lode: start, git: gj });
    // One file rewritten before each run: the journal names one directory, and only it is listed again.
    let n = 0;
    const touch = (root: string): void => writeFileSync(join(root, 'd0000', 'f000.txt'), `changed ${++n}\n`);
    const [lc, gc] = timeInterleaved([() => (touch(wt), lode(['status'], wt)), () => (touch(gitTree), git(['status'], gitTree))], runs, 1) as [Timing, Timing];
    figures.push({ label: `status, 1 file changed per run, daemon journal (s)`, lode: lc, git: gc });
  } finally {
    await daemon.stop();
  }
}

async function benchMerge(): Promise<void> {
  if (!lodeHas('merge') || !lodeHas('switch') || !lodeHas('commit')) return skipped('merge', '`lode merge|switch|commit --help` fails: the commands are not there yet');
  const baseDirs = Math.max(2, Math.ceil((2 * mergeFiles) / 100));
  say(`merge: ${baseDirs * 100} files; branches side and main each change ${mergeFiles} different files`);
  const source = join(work, 'merge-base');
  writeManyFiles(source, baseDirs, 100);
  const wt = join(work, 'lode-merge');
  const gitWt = join(work, 'git-merge');
  cpSync(source, gitWt, { recursive: true });
  /** Files [from, from + mergeFiles) of the tree, rewritten with `tag`. */
  const change = (root: string, from: number, tag: string): void => {
    for (let i = from; i < from + mergeFiles; i++) {
      const d = Math.floor(i / 100);
      writeFileSync(join(root, `d${String(d).padStart(4, '0')}`, `f${String(i % 100).padStart(3, '0')}.txt`), `file ${d}/${i % 100} changed on ${tag}\n`);
    }
  };
  try {
    must(lode(['snapshot', source, '--arena', 'merge'], work), 'lode snapshot');
    must(lode(['checkout', 'merge', wt], work), 'lode checkout');
    must(lode(['switch', '-c', 'side'], wt), 'lode switch -c side');
    change(wt, mergeFiles, 'side');
    must(lode(['commit', '-m', 'side'], wt), 'lode commit (side)');
    must(lode(['switch', 'main'], wt), 'lode switch main');
    change(wt, 0, 'main');
    must(lode(['commit', '-m', 'main'], wt), 'lode commit (main)');
    for (const [args, what] of [[['init', '-q', '-b', 'main'], 'init'], [['add', '-A'], 'add'], [['commit', '-q', '-m', 'base'], 'commit'],
      [['checkout', '-q', '-b', 'side'], 'checkout -b side']] as const) must(git([...args], gitWt), `git ${what}`);
    change(gitWt, mergeFiles, 'side');
    must(git(['commit', '-q', '-a', '-m', 'side'], gitWt), 'git commit (side)');
    must(git(['checkout', '-q', 'main'], gitWt), 'git checkout main');
    change(gitWt, 0, 'main');
    must(git(['commit', '-q', '-a', '-m', 'main'], gitWt), 'git commit (main)');
  } catch (e) {
    return skipped('merge', (e as Error).message);
  }
  // A merge changes the branch, so each tool merges once.
  const l = timeRuns(() => lode(['merge', 'side', '-m', 'merge side'], wt), 1, 0);
  const g = timeRuns(() => git(['merge', '-q', '--no-edit', 'side'], gitWt), 1, 0);
  figures.push({ label: `merge, ${mergeFiles} + ${mergeFiles} files changed (s)`, lode: l, git: g, goal: { lodeAtMost: 2 } });
}

function must(r: { status: number | null; stderr: string }, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
}

say(`work dir ${work}; ${runs} timed runs each (median shown), output to /dev/null`);
say(`git: ${(await run('git', ['--version'])).trim()}; lode: ${lode(['--version'], work).stdout.trim()} (${values['lode-from-source'] ? 'src/cli/main.ts' : 'bin/lode.js'})`);
/** Runs one part; a command that fails while timed is reported in the table, and the other parts go on. */
async function part(name: string, body: () => Promise<void>): Promise<void> {
  if (!parts.has(name)) return;
  try {
    await body();
  } catch (e) {
    if (!(e instanceof TimedRunFailed)) throw e;
    say(`  ${name} FAILED: ${e.message}`);
    figures.push({ label: name, failed: e.message });
  }
}

await part('log', benchLog);
await part('status', benchStatus);
await part('merge', benchMerge);

say('');
say(formatHistoryTable(figures));
say(`\nresults: ${writeResults('history', { runs, figures })}`);
if (values.keep) say(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
