// Runs the commands of the history benchmark (lode's CLI and git) with their output going to /dev/null,
// and times them: wall clock of the whole process, as a user sees it. Benchmark support only.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface RunOutput { status: number | null; stdout: string; stderr: string }
/** Runs one command with `args` in `cwd`; stdout goes to /dev/null unless `capture` is set. */
export type Runner = (args: string[], cwd: string, capture?: boolean) => RunOutput;

/** Seconds over the timed runs. */
export interface Timing { median: number; min: number; max: number; runs: number[] }

const ROOT = new URL('..', import.meta.url).pathname;

export function commandRunner(cmd: string, env: Record<string, string>, leading: string[] = []): Runner {
  return (args, cwd, capture = false) => {
    const devNull = openSync('/dev/null', 'w');
    try {
      const r = spawnSync(cmd, [...leading, ...args], {
        cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', capture ? 'pipe' : devNull, 'pipe'],
      });
      if (r.error) throw r.error;
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    } finally {
      closeSync(devNull);
    }
  };
}

/** lode's CLI as users run it (`node bin/lode.js`, built by `npm run build`), or from source. */
export function lodeCommand(fromSource: boolean, store: string, env: Record<string, string>): Runner {
  const entry = join(ROOT, fromSource ? 'src/cli/main.ts' : 'bin/lode.js');
  const runner = commandRunner(process.execPath, env, [entry, '--store', store]);
  return (args, cwd, capture = false) => runner(args, cwd, capture || args.includes('--version'));
}

export class TimedRunFailed extends Error {}

/** Runs `once` `warm` times untimed, then `runs` times timed; any failing run throws TimedRunFailed. */
export function timeRuns(once: () => RunOutput, runs: number, warm = 1): Timing {
  const check = (r: RunOutput): void => {
    if (r.status !== 0) throw new TimedRunFailed(`exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  };
  for (let i = 0; i < warm; i++) check(once());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = once();
    times.push((performance.now() - started) / 1000);
    check(r);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: times };
}

/**
 * Times the commands in turn, round after round (`warm` untimed rounds first), so all meet the same load:
 * what a ratio between them needs on a shared machine. Any failing run throws TimedRunFailed.
 */
export function timeInterleaved(commands: (() => RunOutput)[], runs: number, warm = 1): Timing[] {
  const times: number[][] = commands.map(() => []);
  for (let round = 0; round < warm + runs; round++) {
    commands.forEach((command, i) => {
      const started = performance.now();
      const r = command();
      const s = (performance.now() - started) / 1000;
      if (r.status !== 0) throw new TimedRunFailed(`exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      if (round >= warm) times[i]!.push(s);
    });
  }
  return times.map(timingOf);
}

function timingOf(times: number[]): Timing {
  const sorted = [...times].sort((x, y) => x - y);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: times };
}
