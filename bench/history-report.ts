// Formats the history benchmark's figures as a table: lode, git, lode/git and the goal of issue 3 beside
// each. Benchmark support only.
import type { Timing } from './history-timing.ts';

export interface Goal { lodeAtMost?: number; ratioAtMost?: number }
export interface Figure { label: string; lode?: Timing; git?: Timing; goal?: Goal; skipped?: string; failed?: string }

function cell(t: Timing | undefined): string {
  if (t === undefined) return '-';
  return t.runs.length > 1 ? `${t.median.toFixed(3)} (${t.min.toFixed(3)}-${t.max.toFixed(3)})` : t.median.toFixed(3);
}

function goalCell(f: Figure, ratio: number | undefined): string {
  const g = f.goal;
  if (g === undefined) return '';
  if (g.lodeAtMost !== undefined) {
    const v = f.lode?.median;
    return `lode <= ${g.lodeAtMost} s ${v === undefined ? '(n/a)' : v <= g.lodeAtMost ? 'MET' : 'MISSED'}`;
  }
  if (g.ratioAtMost !== undefined) return `lode/git <= ${g.ratioAtMost}x ${ratio === undefined ? '(n/a)' : ratio <= g.ratioAtMost ? 'MET' : 'MISSED'}`;
  return '';
}

export function formatHistoryTable(figures: Figure[]): string {
  const header = ['', 'lode median (min-max)', 'git median (min-max)', 'lode/git', 'goal'];
  const lines: string[][] = [header];
  for (const f of figures) {
    if (f.skipped !== undefined || f.failed !== undefined) continue;
    const ratio = f.lode && f.git && f.git.median > 0 ? f.lode.median / f.git.median : undefined;
    lines.push([f.label, cell(f.lode), cell(f.git), ratio === undefined ? '-' : `${ratio.toFixed(2)}x`, goalCell(f, ratio)]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const out = lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  for (const f of figures) {
    if (f.skipped !== undefined) out.push(`${f.label}: SKIPPED: ${f.skipped}`);
    if (f.failed !== undefined) out.push(`${f.label}: FAILED: ${f.failed}`);
  }
  return out.join('\n');
}
