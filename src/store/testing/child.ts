// Runs testing/store-child.ts in a child process and follows its output lines, for crash and lock tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./store-child.ts', import.meta.url));

export interface Child { proc: ChildProcess; lines: string[]; waitFor(prefix: string): Promise<string>; exited: Promise<number | null> }

export function startChild(dir: string, mode: string, target?: number): Child {
  const proc = spawn(process.execPath, [CHILD, dir, mode, ...(target ? [String(target)] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.prefix))) w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc, lines, exited,
    waitFor: (prefix) => new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return resolve(seen);
      waiters.push({ prefix, resolve });
      void exited.then((code) => reject(new RangeError(`child exited (${code}) before printing ${prefix}`)));
    }),
  };
}

