// Formats the benchmark results as a table: each figure per tool, the lode/restic and lode/borg ratios,
// and the goals of the foundation issue beside them. Benchmark support only.
import type { ToolResult } from './run.ts';

interface Row { label: string; unit: string; pick: (r: ToolResult) => number | undefined; goal?: number }

const ROWS: Row[] = [
  { label: 'first snapshot', unit: 's', pick: (r) => r.first?.seconds, goal: 0.7 },
  { label: 'unchanged re-snapshot', unit: 's', pick: (r) => r.unchanged?.seconds, goal: 0.5 },
  { label: 'stored size (du)', unit: 'MiB', pick: (r) => (r.storedBytes === undefined ? undefined : r.storedBytes / 2 ** 20), goal: 1.0 },
  { label: 'full restore', unit: 's', pick: (r) => r.restore?.seconds, goal: 0.8 },
  { label: 'peak RSS, first snapshot', unit: 'MB', pick: (r) => r.first?.peakRssMb },
  { label: 'peak RSS, re-snapshot', unit: 'MB', pick: (r) => r.unchanged?.peakRssMb },
  { label: 'peak RSS, restore', unit: 'MB', pick: (r) => r.restore?.peakRssMb },
];

/** The absolute goal: lode's peak RSS while snapshotting the big file. */
export const BIG_FILE_RSS_GOAL_MB = 150;

function cell(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

export function formatTable(results: ToolResult[], bigGib: number): string {
  const by = (t: string) => results.find((r) => r.tool === t);
  const lode = by('lode');
  const restic = by('restic');
  const borg = by('borg');
  const header = ['', 'lode', 'restic', 'borg', 'lode/restic', 'lode/borg', 'goal (lode/restic)'];
  const lines: string[][] = [header];
  for (const row of ROWS) {
    const l = lode && row.pick(lode);
    const rr = ratio(l, restic && row.pick(restic));
    const goal = row.goal === undefined ? '' : `<= ${row.goal.toFixed(2)}x ${rr === undefined ? '(n/a)' : rr <= row.goal ? 'MET' : 'MISSED'}`;
    lines.push([`${row.label} (${row.unit})`, cell(l), cell(restic && row.pick(restic)), cell(borg && row.pick(borg)),
      cell(rr), cell(ratio(l, borg && row.pick(borg))), goal]);
  }
  const bigRss = lode?.big?.peakRssMb;
  lines.push([`${bigGib} GiB file: snapshot (s)`, cell(lode?.big?.seconds), cell(restic?.big?.seconds), cell(borg?.big?.seconds),
    cell(ratio(lode?.big?.seconds, restic?.big?.seconds)), cell(ratio(lode?.big?.seconds, borg?.big?.seconds)), '']);
  lines.push([`${bigGib} GiB file: peak RSS (MB)`, cell(bigRss), cell(restic?.big?.peakRssMb), cell(borg?.big?.peakRssMb),
    cell(ratio(bigRss, restic?.big?.peakRssMb)), cell(ratio(bigRss, borg?.big?.peakRssMb)),
    `lode <= ${BIG_FILE_RSS_GOAL_MB} MB ${bigRss === undefined ? '(n/a)' : bigRss <= BIG_FILE_RSS_GOAL_MB ? 'MET' : 'MISSED'}`]);
  lines.push(['restore verified', ...[lode, restic, borg].map((r) => (r?.restoreVerified === undefined ? '-' : r.restoreVerified ? 'yes' : 'NO')), '', '', '']);
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const out = lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  for (const r of results) {
    if (r.skipped) out.push(`${r.tool}: skipped: ${r.skipped}`);
    if (r.error) out.push(`${r.tool}: failed: ${r.error.split('\n')[0]}`);
  }
  return out.join('\n');
}
