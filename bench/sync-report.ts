// The sync benchmark's results and their table: transfer times and throughput beside rsync's, and the
// propagation latency percentiles, each with the goal of issue 4. Benchmark support only.
export interface TransferResult {
  label: string;
  source: string;
  bytes: number;
  files: number;
  /** From b's daemon spawn until b's branch is a's head (everything it references is present). */
  seconds?: number;
  /** When b's daemon logged the connection to a, from its spawn. */
  connectedAfterSeconds?: number;
  mbPerSecond?: number;
  /** CPU time (user + system, all threads) of a's and b's daemons from their start to the transfer's end. */
  cpuSecondsA?: number | undefined;
  cpuSecondsB?: number | undefined;
  /** Peak resident memory (VmHWM) of a's and b's daemons over the transfer, MiB. */
  peakRssMiBA?: number | undefined;
  peakRssMiBB?: number | undefined;
  /** With --heap-mb: b's live heap after full collections, medians over the first and last fifth, and the most. */
  liveHeapFirstMB?: number | undefined;
  liveHeapLastMB?: number | undefined;
  liveHeapMaxMB?: number | undefined;
  heapCapMB?: number | undefined;
  fsckClean?: boolean;
  storedBytesB?: number;
  rsyncLocalSeconds?: number;
  rsyncDaemonSeconds?: number;
  rsyncDaemonError?: string;
  daemonWarnings?: string[];
  error?: string;
  /** With --transfer-runs N > 1: every run, each rsync then lode; the fields above are their medians. */
  runs?: Pick<TransferResult, (typeof PER_RUN)[number]>[];
}

/** What each run of a transfer keeps, and the median of which the summary shows. */
const PER_RUN = [
  'seconds', 'rsyncLocalSeconds', 'rsyncDaemonSeconds', 'cpuSecondsA', 'cpuSecondsB', 'peakRssMiBA', 'peakRssMiBB',
  'liveHeapFirstMB', 'liveHeapLastMB', 'liveHeapMaxMB',
] as const;

/** The median of the defined values, undefined when there is none. */
export function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

/** One result for several runs of the same transfer: medians of the times, all runs kept, any failure kept. */
export function medianTransfer(runs: TransferResult[]): TransferResult {
  const first = runs[0]!;
  if (runs.length === 1) return first;
  const perRun = runs.map((r) => Object.fromEntries(PER_RUN.map((k) => [k, r[k]])) as Pick<TransferResult, (typeof PER_RUN)[number]>);
  const medians = Object.fromEntries(PER_RUN.map((k) => [k, median(runs.map((r) => r[k]))]));
  const failed = runs.find((r) => r.error !== undefined);
  return {
    ...first,
    ...medians,
    label: `${first.label}, median of ${runs.length}`,
    mbPerSecond: medians.seconds === undefined ? undefined : first.bytes / 1e6 / medians.seconds,
    connectedAfterSeconds: median(runs.map((r) => r.connectedAfterSeconds)),
    fsckClean: runs.every((r) => r.fsckClean !== false),
    daemonWarnings: runs.flatMap((r) => r.daemonWarnings ?? []),
    ...(failed ? { error: failed.error } : {}),
    runs: perRun,
  };
}

export interface PropagationResult {
  nodes: number;
  topology: string;
  /**
   * Per round, in ms from the branch move on node 1 (its reflog time): when each other daemon's branch
   * reached the commit, when node 1's daemon heard of it, when the snapshot command returned.
   */
  runs: { snapshotMs: number; arrivalsMs: number[]; heardMs: number; returnedMs: number; allMs: number }[];
  p50Ms?: number;
  p95Ms?: number;
  daemonWarnings?: string[];
  error?: string;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const TRANSFER_RATIO_GOAL = 1.0;
const BIG_FILE_MBPS_GOAL = 200;
const PROPAGATION_P50_GOAL_MS = 50;

function s(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(2)} s`;
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'met' : 'missed';
}

export function formatSyncTable(transfers: TransferResult[], propagation: PropagationResult | undefined): string {
  const rows: string[][] = [['measure', 'lode', 'rsync local', 'rsync daemon', 'lode/rsync local', 'lode/rsync daemon', 'goal']];
  for (const t of transfers) {
    if (t.error !== undefined) {
      rows.push([t.label, `FAILED: ${t.error.slice(0, 80)}`, s(t.rsyncLocalSeconds), s(t.rsyncDaemonSeconds), '', '', '']);
      continue;
    }
    const ratioL = t.seconds !== undefined && t.rsyncLocalSeconds ? t.seconds / t.rsyncLocalSeconds : undefined;
    const ratioD = t.seconds !== undefined && t.rsyncDaemonSeconds ? t.seconds / t.rsyncDaemonSeconds : undefined;
    const big = t.files === 1;
    const goal = big
      ? `≥ ${BIG_FILE_MBPS_GOAL} MB/s: ${verdict(t.mbPerSecond === undefined ? undefined : t.mbPerSecond >= BIG_FILE_MBPS_GOAL)}`
      : `≤ ${TRANSFER_RATIO_GOAL} × rsync: ${verdict(ratioD === undefined && ratioL === undefined ? undefined : (ratioD ?? ratioL)! <= TRANSFER_RATIO_GOAL)}`;
    rows.push([
      `${t.label} (${(t.bytes / 2 ** 20).toFixed(0)} MiB, ${t.files} files)${t.fsckClean === false ? ' FSCK NOT CLEAN' : ''}`,
      `${s(t.seconds)} (${t.mbPerSecond?.toFixed(0) ?? '-'} MB/s)${t.connectedAfterSeconds === undefined || t.seconds === undefined ? '' : `; ${s(t.seconds - t.connectedAfterSeconds)} after connecting`}${t.peakRssMiBB === undefined ? '' : `; peak RSS ${t.peakRssMiBA?.toFixed(0)} / ${t.peakRssMiBB.toFixed(0)} MiB`}${t.liveHeapLastMB === undefined ? '' : `; b's live heap ${t.liveHeapFirstMB?.toFixed(0)} → ${t.liveHeapLastMB.toFixed(0)} MB (first → last fifth; at most ${t.liveHeapMaxMB?.toFixed(0)}, cap ${t.heapCapMB})`}`,
      s(t.rsyncLocalSeconds), s(t.rsyncDaemonSeconds),
      ratioL?.toFixed(2) ?? '-', ratioD?.toFixed(2) ?? '-', goal,
    ]);
  }
  if (propagation !== undefined) {
    const p = propagation;
    const label = `commit reaches all ${p.nodes} daemons (${p.topology}, ${p.runs.length} rounds)`;
    if (p.error !== undefined) rows.push([label, `FAILED: ${p.error.slice(0, 80)}`, '', '', '', '', '']);
    else rows.push([label, `p50 ${p.p50Ms?.toFixed(1)} ms, p95 ${p.p95Ms?.toFixed(1)} ms`, '', '', '', '',
      `p50 ≤ ${PROPAGATION_P50_GOAL_MS} ms: ${verdict(p.p50Ms === undefined ? undefined : p.p50Ms <= PROPAGATION_P50_GOAL_MS)}`]);
  }
  return rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`).join('\n');
}
