// The live JavaScript heap of a daemon over a run, from V8's `--trace-gc` lines on its stdout: what a full
// collection (Mark-Compact) left is what was alive then. With the old space capped, collections come often,
// and their figures over the run show whether what is held grows with the work done. Benchmark support only.
import { median } from './sync-report.ts';

/** Live heap after the full collections of a run, MB: medians over its first and last fifth, and the maximum. */
export interface LiveHeap { firstMB: number; lastMB: number; maxMB: number; collections: number }

const MARK_COMPACT = /\s(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/;

/**
 * The live heap after each full collection in `trace` up to `untilMs` (ms since the process started, as
 * V8 stamps them); undefined when fewer than 10 collections ran, too few to split into fifths.
 */
export function liveHeap(trace: string, untilMs: number): LiveHeap | undefined {
  const points: { ms: number; mb: number }[] = [];
  for (const line of trace.split('\n')) {
    const m = MARK_COMPACT.exec(line);
    if (m && Number(m[1]) <= untilMs) points.push({ ms: Number(m[1]), mb: Number(m[2]) });
  }
  if (points.length < 10) return undefined;
  const start = points[0]!.ms;
  const span = points.at(-1)!.ms - start;
  const fifth = (i: number) => points.filter((p) => Math.min(4, Math.floor(((p.ms - start) / (span || 1)) * 5)) === i).map((p) => p.mb);
  return {
    firstMB: median(fifth(0)) ?? NaN,
    lastMB: median(fifth(4)) ?? NaN,
    maxMB: Math.max(...points.map((p) => p.mb)),
    collections: points.length,
  };
}
