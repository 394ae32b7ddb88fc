// Shared by the CLI integration tests: runs `node src/cli/main.ts` as a child process with a temporary
// store and a clean environment, and captures stdout, stderr and the exit status.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** The store directory, passed as --store. */
  store?: string;
  /** Extra environment variables; undefined removes one. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The program to run instead of src/cli/main.ts (the compiled bin, say). */
  entry?: string;
  /** Run as this uid/gid (root only, through util-linux setpriv): lets root tests meet permission errors. */
  asUser?: number;
  timeoutMs?: number;
}

/** A predictable environment: no user config or store leaks in, and no colour. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['LODE_STORE', 'LODE_CONFIG', 'LODE_TEST_ENOSPC_AFTER', 'NODE_OPTIONS']) delete env[k];
  env.XDG_CONFIG_HOME = join(tmpdir(), 'lode-test-no-config');
  env.XDG_CACHE_HOME = join(tmpdir(), 'lode-test-cache');
  delete env.LODE_CACHE_DIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function argsFor(args: string[], opts: RunOptions): string[] {
  return [opts.entry ?? MAIN, ...(opts.store === undefined ? [] : ['--store', opts.store]), ...args];
}

/** Starts the CLI without waiting (the crash tests kill it). */
export function spawnLode(args: string[], opts: RunOptions = {}): ChildProcess {
  const options: SpawnOptions = { cwd: opts.cwd ?? ROOT, env: testEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] };
  if (opts.asUser === undefined) return spawn(process.execPath, argsFor(args, opts), options);
  const id = String(opts.asUser);
  return spawn('setpriv', [`--reuid=${id}`, `--regid=${id}`, '--clear-groups', process.execPath, ...argsFor(args, opts)], options);
}

/**
 * How to meet permission errors: as root, run the CLI as `nobody` through setpriv; as anyone else, as
 * oneself. A string is the reason to skip (loudly) when neither works.
 */
export function unprivilegedUser(): { asUser?: number } | string {
  if (process.getuid?.() !== 0) return {};
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', '0'], { stdio: 'ignore' });
    return { asUser: 65534 };
  } catch {
    return 'SKIPPED LOUDLY: running as root without a working setpriv (util-linux), so no file is unreadable';
  }
}

/** Collects a started child's output and exit status. */
export function finished(child: ChildProcess, timeoutMs = 120_000): Promise<RunResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lode did not finish within ${timeoutMs} ms: ${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export function lode(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return finished(spawnLode(args, opts), opts.timeoutMs);
}

/** Runs with --json and parses stdout; fails with stderr in the message when stdout is not JSON. */
export async function lodeJson<T = Record<string, unknown>>(args: string[], opts: RunOptions = {}): Promise<{ run: RunResult; doc: T }> {
  const run = await lode([...args, '--json'], opts);
  try {
    return { run, doc: JSON.parse(run.stdout) as T };
  } catch {
    throw new Error(`lode ${args.join(' ')} --json exited ${run.code} without JSON on stdout; stderr: ${run.stderr}; stdout: ${run.stdout.slice(0, 500)}`);
  }
}

/** Describes a run for assertion messages. */
export function explain(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 2000)}`;
}

/** The `CODE` of a `lode: message (CODE)` line on stderr. */
export function errorCodeOf(r: RunResult): string | undefined {
  return /^lode: .*\(([A-Z0-9_]+)\)$/m.exec(r.stderr)?.[1];
}

/**
 * A temporary directory for the enclosing suite, removed by its `after` hook (kept when LODE_KEEP_TEST_DIRS
 * is set, for a post-mortem). Call it in a describe body, not inside a hook.
 */
export function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lode-${prefix}-`));
  if (process.env.LODE_KEEP_TEST_DIRS) return dir;
  after(() => rm(dir, { recursive: true, force: true }));
  // A suite filtered out by --test-name-pattern never runs its hooks: clean up at exit as well.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
