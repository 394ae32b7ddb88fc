// Human renderings shared by the commands: byte counts, durations, dates, modes and entry kinds.
import type { Mtime, TreeEntry } from '../core/index.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Local time, to the second, like `git log --date=iso`. (`lode log` calls this once per commit: keep it lean.) */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  const tz = `${off >= 0 ? '+' : '-'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${tz}`;
}

export function mtimeToIso(m: Mtime): string {
  return new Date(m.sec * 1000 + Math.floor(m.nsec / 1e6)).toISOString();
}

export function formatMtime(m: Mtime): string {
  return formatDate(m.sec * 1000 + Math.floor(m.nsec / 1e6));
}

/** `ls -l` style mode string: drwxr-xr-x, with setuid/setgid/sticky bits. */
export function formatMode(kind: TreeEntry['kind'], mode: number): string {
  const type = kind === 'dir' ? 'd' : kind === 'symlink' ? 'l' : kind === 'conflict' ? 'C' : '-';
  const bit = (mask: number, ch: string): string => ((mode & mask) !== 0 ? ch : '-');
  const exec = (xMask: number, special: number, on: string, off: string): string => {
    const x = (mode & xMask) !== 0;
    if ((mode & special) !== 0) return x ? on : off;
    return x ? 'x' : '-';
  };
  return type
    + bit(0o400, 'r') + bit(0o200, 'w') + exec(0o100, 0o4000, 's', 'S')
    + bit(0o040, 'r') + bit(0o020, 'w') + exec(0o010, 0o2000, 's', 'S')
    + bit(0o004, 'r') + bit(0o002, 'w') + exec(0o001, 0o1000, 't', 'T');
}

export function formatOctalMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** Pads columns to their widest cell; the last column is not padded. */
export function columns(rows: string[][], align: ('left' | 'right')[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => {
    if (i === row.length - 1) return cell;
    return align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
  }).join('  '));
}
