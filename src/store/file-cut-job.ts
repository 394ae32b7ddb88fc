// Inside a codec worker: reads an open file to its end through one reused window, cuts it with FastCDC
// and hashes every chunk and the whole content, posting each chunk (copied into its own transferable
// buffer) to the main thread, which then only stages it. Store layer; the main side is worker-cutter.ts.
import { readSync } from 'node:fs';
import { blake3Hex, createHasher, toHex } from '../core/index.ts';
import { CHUNK_MAX, cutPoint } from './chunker.ts';

/** Chunk bytes posted and not yet acknowledged by the main thread, above which the job waits. */
export const CUT_CREDIT_BYTES = 4 * 1024 * 1024;
/** The read window: twice the largest chunk, so a whole chunk is always in view before it is cut. */
const WINDOW_BYTES = 2 * CHUNK_MAX;

export interface CutStart { type: 'cut-file'; seq: number; fd: number }
/** Credit for `bytes` more; `stop` ends the job early (its reader went away), with a cut-end. */
export interface CutAck { type: 'cut-ack'; seq: number; bytes: number; stop?: boolean }
export type CutReply =
  | { type: 'cut'; seq: number; id: string; buf: ArrayBuffer }
  | { type: 'cut-end'; seq: number; whole: string; bytes: number }
  | { type: 'cut-fail'; seq: number; message: string; code: string | undefined; syscall: string | undefined };

interface Job { unacked: number; stopped: boolean; wake: (() => void) | undefined }
const jobs = new Map<number, Job>();
/**
 * Read windows not in use. A job takes its own (jobs interleave whenever one waits for credit) and
 * gives it back at its end: reads allocate nothing, so they make no garbage and no page faults.
 */
const freeWindows: Uint8Array[] = [];
const KEEP_WINDOWS = 2;

/** Reads into `w` from `at` until it is full or the file ends; returns the new fill. */
function fill(fd: number, w: Uint8Array, at: number): number {
  while (at < w.length) {
    const got = readSync(fd, w, at, w.length - at, null);
    if (got === 0) break;
    at += got;
  }
  return at;
}

export function ackCut(msg: CutAck): void {
  const job = jobs.get(msg.seq);
  if (!job) return;
  job.unacked -= msg.bytes;
  if (msg.stop) job.stopped = true;
  const wake = job.wake;
  job.wake = undefined;
  wake?.();
}

export async function runCutJob(msg: CutStart, post: (reply: CutReply, transfer?: ArrayBuffer[]) => void): Promise<void> {
  const job: Job = { unacked: 0, stopped: false, wake: undefined };
  jobs.set(msg.seq, job);
  const w = freeWindows.pop() ?? new Uint8Array(WINDOW_BYTES);
  const whole = createHasher();
  let total = 0;
  try {
    let start = 0;
    let filled = 0;
    let eof = false;
    for (;;) {
      if (!eof && filled - start < CHUNK_MAX) {
        // Keep the unread tail, then top the window up: a cut is only final with CHUNK_MAX bytes in view.
        w.copyWithin(0, start, filled);
        filled -= start;
        start = 0;
        const before = filled;
        filled = fill(msg.fd, w, filled);
        total += filled - before;
        eof = filled < w.length;
      }
      if (start === filled) break;
      // The same boundaries as chunkStream: a cut depends only on the bytes from the chunk's start.
      const cut = cutPoint(w, start, filled);
      const length = cut - start;
      const buf = new ArrayBuffer(length);
      const copy = new Uint8Array(buf);
      copy.set(w.subarray(start, cut));
      start = cut;
      whole.update(copy);
      // Transferred: `copy` is empty from here on.
      post({ type: 'cut', seq: msg.seq, id: blake3Hex(copy), buf }, [buf]);
      job.unacked += length;
      while (job.unacked > CUT_CREDIT_BYTES && !job.stopped) await new Promise<void>((resolve) => (job.wake = resolve));
      if (job.stopped) break;
    }
    post({ type: 'cut-end', seq: msg.seq, whole: toHex(whole.digest()), bytes: total });
  } catch (e) {
    const err = e as { message?: string; code?: unknown; syscall?: unknown };
    post({ type: 'cut-fail', seq: msg.seq, message: err.message ?? String(e), code: typeof err.code === 'string' ? err.code : undefined, syscall: typeof err.syscall === 'string' ? err.syscall : undefined });
  } finally {
    jobs.delete(msg.seq);
    if (freeWindows.length < KEEP_WINDOWS) freeWindows.push(w);
  }
}
