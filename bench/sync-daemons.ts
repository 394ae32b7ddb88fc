// Real lode daemons for the sync benchmark: one directory, lode.toml and store per node, daemons spawned
// from the compiled CLI on 127.0.0.1, and a status client on each daemon's control socket. Bench only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { controlRequest, controlSocketPath } from '../src/daemon/index.ts';
import { LODE_BIN as BUILT_BIN } from './tools.ts';

/** The lode entry point: the built one, or `LODE_BENCH_BIN` (another build, to compare before and after in one session). */
const LODE_BIN = process.env.LODE_BENCH_BIN ?? BUILT_BIN;

export interface BenchNode { name: string; dir: string; config: string; store: string; id: string }

export interface RunningDaemon {
  node: BenchNode;
  child: ChildProcess;
  addrs: string[];
  /** performance.now() just before the spawn. */
  spawnedAt: number;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Daemon status as the control socket returns it (the fields the benchmark reads). */
export interface DaemonStatusDoc {
  peers: { name: string | null; connected: boolean; syncing: boolean }[];
  arenas: { name: string; branches: { name: string; commit: string }[]; heads: { author: string; own: boolean; branch: string; commit: string; timestamp: string }[] }[];
  sync: { tasks: number };
}

const live = new Set<ChildProcess>();
/** Whatever happens to the benchmark, the daemons it started do not outlive it. */
function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAll(); process.exit(130); });

export function lodeRun(node: BenchNode, args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [LODE_BIN, ...args], {
    env: { ...process.env, LODE_CONFIG: node.config, LODE_CACHE_DIR: join(node.dir, 'cache') },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

export function lodeMust(node: BenchNode, args: string[]): string {
  const r = lodeRun(node, args);
  if (r.status !== 0) throw new Error(`lode ${args.join(' ')} on ${node.name}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
}

export function makeNode(root: string, name: string): BenchNode {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const node: BenchNode = { name, dir, config: join(dir, 'lode.toml'), store: join(dir, 'store'), id: '' };
  writeFileSync(node.config, '[store]\npath = "./store"\n');
  node.id = (JSON.parse(lodeMust(node, ['id', '--json'])) as { node_id: string }).node_id;
  return node;
}

/** lode.toml for `node`: one arena, and each peer with its addresses (dialed) or without (it dials us). */
export function writeConfig(node: BenchNode, arena: { name: string; id: string }, peers: { node: BenchNode; addrs?: string[] }[]): void {
  const lines = ['[store]', 'path = "./store"', '', '[[arenas]]', `name = "${arena.name}"`, `id = "${arena.id}"`, ''];
  for (const p of peers) {
    lines.push('[[peers]]', `name = "${p.node.name}"`, `node_id = "${p.node.id}"`);
    if (p.addrs !== undefined) lines.push(`addrs = ${JSON.stringify(p.addrs)}`);
    lines.push('');
  }
  lines.push('[network]', 'listen = ["/ip4/127.0.0.1/tcp/0"]', '');
  writeFileSync(node.config, lines.join('\n'));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** LODE_BENCH_NODE_ARGS: more flags for node in every daemon (`--trace-gc`, say), split on spaces. */
const extraNodeArgs = process.env.LODE_BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [];

/**
 * Spawns `lode daemon` for `node` (stderr also appended to DIR/daemon.log, stdout to DIR/daemon.log.out)
 * and waits until it listens; `nodeArgs` go to node itself (`--cpu-prof` for `--profile`).
 */
export async function startDaemon(node: BenchNode, options: { nodeArgs?: string[] } = {}): Promise<RunningDaemon> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...extraNodeArgs, LODE_BIN, 'daemon'], {
    env: { ...process.env, LODE_CONFIG: node.config, LODE_CACHE_DIR: join(node.dir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  const logFile = join(node.dir, 'daemon.log');
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); appendFileSync(`${logFile}.out`, b); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); appendFileSync(logFile, b); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { live.delete(child); resolve(code); }));
  const addrs = await until(`${node.name}'s daemon to listen`, () => {
    if (child.exitCode !== null) throw new Error(`daemon ${node.name} exited ${child.exitCode}: ${err}`);
    const a = [...out.matchAll(/^listening (\/ip4\/\S+)$/gm)].map((m) => m[1]!);
    return a.length > 0 && existsSync(join(node.store, 'daemon.sock')) ? a : undefined;
  }, 30_000, 5);
  return { node, child, addrs, spawnedAt, stderr: () => err, exited };
}

/**
 * CPU seconds (user + system, all threads) a running daemon has used so far, from /proc (Linux; undefined
 * elsewhere). On a shared machine this moves far less than wall time, so it is the figure to compare builds by.
 */
export function cpuSeconds(d: RunningDaemon): number | undefined {
  try {
    const stat = readFileSync(`/proc/${d.child.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** The daemon's peak resident memory so far (VmHWM), MiB; undefined once it has exited. */
export function peakRssMiB(d: RunningDaemon): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${d.child.pid}/status`, 'utf8'));
    return kib ? Number(kib[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: what /proc counts CPU time in; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** SIGTERM, then SIGKILL after 30 s (a profiled daemon writes its profiles on the way out); resolves when every daemon has exited. */
export async function stopDaemons(daemons: Iterable<RunningDaemon>): Promise<void> {
  await Promise.all([...daemons].map(async (d) => {
    if (d.child.exitCode !== null || d.child.signalCode !== null) return;
    d.child.kill('SIGTERM');
    const timer = setTimeout(() => d.child.kill('SIGKILL'), 30_000);
    await d.exited;
    clearTimeout(timer);
  }));
}

/**
 * One connection to a daemon's control socket, kept open: a status request costs a unix-socket round trip
 * and the daemon's status walk, not a CLI process (~80 ms), so polling does not hide what it measures.
 */
export class ControlClient {
  #socket: Socket;
  #buffered = '';
  #waiting: { resolve: (doc: DaemonStatusDoc) => void; reject: (e: Error) => void }[] = [];

  constructor(store: string) {
    this.#socket = createConnection(join(store, 'daemon.sock'));
    this.#socket.setEncoding('utf8');
    this.#socket.on('data', (text: string) => {
      this.#buffered += text;
      let nl: number;
      while ((nl = this.#buffered.indexOf('\n')) >= 0) {
        const reply = JSON.parse(this.#buffered.slice(0, nl)) as { ok: boolean; message?: string } & DaemonStatusDoc;
        this.#buffered = this.#buffered.slice(nl + 1);
        const w = this.#waiting.shift();
        if (w === undefined) continue;
        if (reply.ok) w.resolve(reply);
        else w.reject(new Error(`daemon status: ${reply.message}`));
      }
    });
    this.#socket.on('error', (e) => { for (const w of this.#waiting.splice(0)) w.reject(e); });
  }

  status(): Promise<DaemonStatusDoc> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write('{"op":"status"}\n');
    });
  }

  async branch(arena: string, branch = 'main'): Promise<string | undefined> {
    const s = await this.status();
    return s.arenas.find((a) => a.name === arena)?.branches.find((b) => b.name === branch)?.commit;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * Asks the daemon of `store` to reply once its `branch` of `arena` is at `commit` (the control socket's
 * wait-branch, what `lode sync wait` uses): the daemon stamps the moment its branch moved, so nothing is
 * polled and the measurement does not load the daemons. Resolves with that moment (ms since the epoch).
 */
export async function waitBranch(store: string, arena: string, branch: string, commit: string, timeoutMs: number): Promise<number | null> {
  const reply = await controlRequest(controlSocketPath(store), { op: 'wait-branch', arena, branch, commit, timeout_ms: timeoutMs }, { timeoutMs: timeoutMs + 5000 });
  return typeof reply.moved_at_ms === 'number' ? reply.moved_at_ms : null;
}
