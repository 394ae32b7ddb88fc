// Shared by the tests that run real daemons: a household of nodes, each a directory with its own store and
// lode.toml, whose `lode daemon` runs as a separate process listening on 127.0.0.1.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lode, lodeJson, spawnLode, type RunOptions } from './cli.ts';

export interface Running {
  name: string;
  child: ChildProcess;
  addrs: string[];
  stderr(): string;
  exited: Promise<number | null>;
}

export interface NodeDir { name: string; dir: string; config: string; store: string; id: string }

/** Polls `probe` until it gives a value; throws after `timeoutMs`, naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class Household {
  readonly root: string;
  readonly nodes = new Map<string, NodeDir>();
  /** Arena ids by name, for the lode.toml files. */
  readonly arenaIds = new Map<string, string>();
  /** Daemons started and not yet exited. */
  readonly running = new Set<Running>();

  constructor(root: string) {
    this.root = root;
  }

  node(name: string): NodeDir {
    return this.nodes.get(name)!;
  }

  /** How to run the CLI as node `name` (its lode.toml), with more environment if given. */
  at(name: string, env: Record<string, string> = {}): RunOptions {
    return { env: { LODE_CONFIG: this.node(name).config, ...env } };
  }

  /** A node with a store and a minimal lode.toml, and its node id. */
  async addNode(name: string): Promise<NodeDir> {
    const dir = join(this.root, name);
    await mkdir(dir, { recursive: true });
    const n: NodeDir = { name, dir, config: join(dir, 'lode.toml'), store: join(dir, 'store'), id: '' };
    this.nodes.set(name, n);
    await writeFile(n.config, '[store]\npath = "./store"\n');
    n.id = (await lodeJson<{ node_id: string }>(['id'], this.at(name))).doc.node_id;
    return n;
  }

  /** Writes `name`'s lode.toml: these arenas (by name, ids from `arenaIds`) and peers, listening on a free port. */
  async writeConfig(name: string, peers: { name: string; addrs?: string[] }[], arenas: string[]): Promise<void> {
    const lines = [
      '[store]', 'path = "./store"', '',
      ...arenas.flatMap((a) => ['[[arenas]]', `name = "${a}"`, `id = "${this.arenaIds.get(a)}"`, '']),
      ...peers.flatMap((p) => ['[[peers]]', `name = "${p.name}"`, `node_id = "${this.node(p.name).id}"`,
        ...(p.addrs === undefined ? [] : [`addrs = ${JSON.stringify(p.addrs)}`]), '']),
      '[network]', 'listen = ["/ip4/127.0.0.1/tcp/0"]', '',
    ];
    await writeFile(this.node(name).config, lines.join('\n'));
  }

  /** Starts `name`'s daemon (`env`: more environment, such as NODE_OPTIONS) and waits until it listens. */
  async start(name: string, env: Record<string, string> = {}): Promise<Running> {
    const child = spawnLode(['daemon'], this.at(name, env));
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const r: Running = { name, child, addrs: [], stderr: () => err, exited };
    this.running.add(r);
    void exited.then(() => this.running.delete(r));
    r.addrs = await until(`${name} to listen`, async () => {
      if (child.exitCode !== null) throw new Error(`daemon ${name} exited ${child.exitCode}: ${err}`);
      const addrs = [...out.matchAll(/^listening (\/ip4\/\S+)$/gm)].map((m) => m[1]!);
      return addrs.length > 0 && existsSync(join(this.node(name).store, 'daemon.sock')) ? addrs : undefined;
    }, 15_000);
    return r;
  }

  /** The newest commit of `arena` that node `name` holds, if any. */
  async headOf(name: string, arena: string): Promise<string | undefined> {
    const r = await lode(['log', arena, '--json'], this.at(name));
    if (r.code !== 0) return undefined;
    return (JSON.parse(r.stdout) as { commits: { id: string }[] }).commits[0]?.id;
  }

  /** Kills every daemon still running (`kill -9`) and waits for them to exit. */
  async killAll(): Promise<void> {
    for (const r of this.running) r.child.kill('SIGKILL');
    await Promise.all([...this.running].map((r) => r.exited));
  }
}
