// A progress bar for long work (snapshot, restore, fsck --read-data): bytes/s and an ETA on stderr when
// it is a TTY and neither --quiet nor --json was given; otherwise a no-op, so commands call it blindly.
import cliProgress from 'cli-progress';
import { colourAllowed } from './output.ts';
import { formatBytes, formatDuration } from './format.ts';

export interface ProgressUpdate {
  /** Bytes (or objects, for an 'objects' bar) done so far. */
  bytes: number;
  /** The amount expected in all; unknown while a scan is still running. */
  totalBytes?: number;
  files?: number;
  totalFiles?: number;
}

export interface ProgressBar {
  /** Whether anything is drawn: work that only feeds the bar (a size estimate) can be skipped otherwise. */
  readonly active: boolean;
  update(p: ProgressUpdate): void;
  stop(): void;
}

const SILENT: ProgressBar = { active: false, update() {}, stop() {} };

export type ProgressUnit = 'bytes' | 'objects';
export interface ProgressOptions { json: boolean; quiet: boolean; env: NodeJS.ProcessEnv; unit?: ProgressUnit; stream?: NodeJS.WriteStream }

export function createProgress(label: string, opts: ProgressOptions): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  if (opts.json || opts.quiet || stream.isTTY !== true) return SILENT;
  const colour = colourAllowed(stream, opts.env);
  const started = Date.now();
  let last: ProgressUpdate = { bytes: 0 };
  const amount = opts.unit === 'objects' ? (n: number): string => String(Math.round(n)) : formatBytes;
  const per = opts.unit === 'objects' ? ' objects/s' : '/s';

  const bar = new cliProgress.SingleBar({
    stream,
    fps: 5,
    barsize: 25,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    barCompleteChar: colour ? '\u2588' : '#',
    barIncompleteChar: colour ? '\u2591' : '-',
    format: (options, params) => {
      const elapsed = Math.max(1, Date.now() - started);
      const rate = (last.bytes * 1000) / elapsed;
      const known = last.totalBytes !== undefined && last.totalBytes > 0;
      const files = last.files === undefined ? '' : `  ${last.files}${last.totalFiles === undefined ? '' : `/${last.totalFiles}`} files`;
      const size = known ? `${amount(last.bytes)}/${amount(last.totalBytes!)}` : amount(last.bytes);
      const eta = known && rate > 0 ? `ETA ${formatDuration(Math.max(0, ((last.totalBytes! - last.bytes) / rate) * 1000))}` : 'ETA --';
      const barText = known ? `[${cliProgress.Format.BarFormat(params.progress, options)}] ${Math.floor(params.progress * 100)}%  ` : '';
      return `${label} ${barText}${size}  ${amount(rate)}${per}  ${eta}${files}`;
    },
  });
  bar.start(1, 0);
  return {
    active: true,
    update(p) {
      last = p;
      const total = Math.max(1, p.totalBytes ?? p.bytes);
      bar.setTotal(total);
      bar.update(Math.min(p.bytes, total));
    },
    stop() {
      bar.stop();
    },
  };
}
