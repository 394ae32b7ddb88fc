// The reference for the sync transfer: rsync of the same directory to a fresh target, locally
// (`rsync -a --whole-file`) and through an rsync daemon on 127.0.0.1 (a TCP socket, no ssh). Bench only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export function rsyncVersion(): string | undefined {
  const r = spawnSync('rsync', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

function timed(cmd: string, args: string[]): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * Seconds for `rsync -a --whole-file SRC/ DST/` into a fresh DST, WORK/rsync-local. DST is left for the
 * caller to remove: on ext4, files created soon after many deletions cost far more, so the next rsync must
 * not follow its removal (lode, which creates few files, may).
 */
export function rsyncLocal(src: string, work: string): number {
  const dst = join(work, 'rsync-local');
  rmSync(dst, { recursive: true, force: true });
  return timed('rsync', ['-a', '--whole-file', `${src}/`, `${dst}/`]);
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/**
 * Seconds for `rsync -a --whole-file SRC/ rsync://127.0.0.1:PORT/bench/` into a fresh module directory,
 * with the daemon (`rsync --daemon --no-detach`) started before and stopped after, untimed. The module
 * directory, WORK/rsync-daemon, is left for the caller to remove (see rsyncLocal).
 */
export async function rsyncDaemon(src: string, work: string, port: number): Promise<number> {
  const dst = join(work, 'rsync-daemon');
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  const conf = join(work, 'rsyncd.conf');
  writeFileSync(conf, [
    `pid file = ${join(work, 'rsyncd.pid')}`, 'use chroot = no', 'uid = 0', 'gid = 0', `log file = ${join(work, 'rsyncd.log')}`,
    '[bench]', `path = ${dst}`, 'read only = no', '',
  ].join('\n'));
  const daemon: ChildProcess = spawn('rsync', ['--daemon', '--no-detach', '--address', '127.0.0.1', '--port', String(port), '--config', conf], { stdio: 'ignore' });
  const exited = new Promise((r) => daemon.on('exit', r));
  const killDaemon = (): void => { daemon.kill('SIGKILL'); };
  process.on('exit', killDaemon);
  try {
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(port))) {
      if (Date.now() > deadline || daemon.exitCode !== null) throw new Error(`rsync daemon did not listen on port ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return timed('rsync', ['-a', '--whole-file', `${src}/`, `rsync://127.0.0.1:${port}/bench/`]);
  } finally {
    daemon.kill('SIGTERM');
    await exited;
    process.off('exit', killDaemon);
  }
}
