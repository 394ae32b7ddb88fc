// Runs one benchmark step under GNU time: wall-clock seconds and peak RSS, output logged to a file.
// Part of the benchmark scripts in bench/, never of lode itself.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';

export const GNU_TIME = '/usr/bin/time';

export interface Command { cmd: string; args: string[]; cwd?: string; env?: Record<string, string> }

export interface Measured { seconds: number; peakRssMb: number; exitCode: number; logTail: string }

export function gnuTimeAvailable(): boolean {
  return existsSync(GNU_TIME);
}

/** Runs `c` under `/usr/bin/time -f %M`, appending its stdout and stderr to `log`. */
export async function measure(c: Command, log: string, timeOut: string): Promise<Measured> {
  appendFileSync(log, `\n$ ${[c.cmd, ...c.args].join(' ')}${c.cwd ? `   (in ${c.cwd})` : ''}\n`);
  const fd = openSync(log, 'a');
  const started = performance.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', timeOut, c.cmd, ...c.args], {
      cwd: c.cwd,
      env: { ...process.env, ...c.env },
      stdio: ['ignore', fd, fd],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  // GNU time writes "Command exited with non-zero status N" before the figures when the command fails.
  const lines = readFileSync(timeOut, 'utf8').trim().split('\n');
  const peakKb = Number(lines[lines.length - 1]);
  const logText = readFileSync(log, 'utf8');
  return { seconds, peakRssMb: peakKb / 1024, exitCode, logTail: logText.slice(-800) };
}

/** A shell pipeline, for the warm read and du; not measured. */
export async function shell(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script}: exit ${code}`))));
  });
}
