// A `lode daemon` for the history benchmark's status part: a deaf node (no listen address) on the bench's
// store, so `lode status` can ask its change journal. Started and stopped by the bench; it never outlives
// the bench process. Benchmark support only.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface BenchDaemon { stop(): Promise<void>; stderr(): string }

/** Starts `lode daemon` on `store` (config written to `work/daemon.toml`) and waits for its control socket. */
export async function startBenchDaemon(work: string, store: string, env: Record<string, string>, fromSource: boolean): Promise<BenchDaemon> {
  const config = join(work, 'daemon.toml');
  writeFileSync(config, '[network]\nlisten = []\n');
  const entry = join(ROOT, fromSource ? 'src/cli/main.ts' : 'bin/lode.js');
  const child = spawn(process.execPath, [entry, '--store', store, 'daemon'], {
    env: { ...process.env, ...env, LODE_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let err = '';
  let out = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  const deadline = Date.now() + 30_000;
  // Ready once it printed its node id (after the control socket was claimed).
  while (!(out.includes('node ') && existsSync(join(store, 'daemon.sock')))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`lode daemon did not start (exit ${child.exitCode}): ${err.trim().split('\n').slice(-3).join(' / ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
