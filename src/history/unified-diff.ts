// Unified diff text for `lode diff`, byte-for-byte the format of `diff -u` and git (hunk headers,
// "\ No newline at end of file"), plus git's binary sniff. Pure history-layer code over line-diff.ts.
import { diffLines, splitLines, type Edit } from './line-diff.ts';

export interface UnifiedDiffOptions {
  aLabel: string;
  bLabel: string;
  /** Unchanged lines shown around each change; changes closer than twice this share one hunk. */
  context?: number;
}

const NO_NEWLINE = '\\ No newline at end of file\n';
/** git looks for a NUL in this many leading bytes (xdiff's FIRST_FEW_BYTES). */
const BINARY_SNIFF_BYTES = 8000;

/** True when the content should get a one-line "binary files differ" note instead of a text diff. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** The unified diff from aText to bText; identical texts give the empty string, as `diff -u` prints nothing. */
export function unifiedDiff(aText: string, bText: string, options: UnifiedDiffOptions): string {
  const context = options.context ?? 3;
  const a = splitLines(aText);
  const b = splitLines(bText);
  const changes = diffLines(a, b).filter((e) => e.op !== 'equal');
  if (changes.length === 0) return '';

  let out = `--- ${options.aLabel}\n+++ ${options.bLabel}\n`;
  let first = 0;
  while (first < changes.length) {
    // A hunk runs while the gap of unchanged lines to the next change fits both contexts.
    let last = first;
    while (last + 1 < changes.length && (changes[last + 1] as Edit).aStart - (changes[last] as Edit).aEnd <= 2 * context) last++;
    out += hunk(a, b, changes.slice(first, last + 1), context);
    first = last + 1;
  }
  return out;
}

function hunk(a: readonly string[], b: readonly string[], changes: Edit[], context: number): string {
  const head = changes[0] as Edit;
  const tail = changes[changes.length - 1] as Edit;
  const aStart = Math.max(0, head.aStart - context);
  const aEnd = Math.min(a.length, tail.aEnd + context);
  const bStart = head.bStart - (head.aStart - aStart);
  const bEnd = tail.bEnd + (aEnd - tail.aEnd);
  let body = '';
  let i = aStart;
  for (const change of changes) {
    for (; i < change.aStart; i++) body += line(' ', a[i] as string);
    for (let k = change.aStart; k < change.aEnd; k++) body += line('-', a[k] as string);
    for (let k = change.bStart; k < change.bEnd; k++) body += line('+', b[k] as string);
    i = change.aEnd;
  }
  for (; i < aEnd; i++) body += line(' ', a[i] as string);
  return `@@ -${range(aStart, aEnd)} +${range(bStart, bEnd)} @@\n${body}`;
}

function line(prefix: string, text: string): string {
  return text.endsWith('\n') ? prefix + text : `${prefix}${text}\n${NO_NEWLINE}`;
}

/** "start,count" with 1-based start; an empty range names the line before it, and a count of 1 is left out. */
function range(start: number, end: number): string {
  const count = end - start;
  if (count === 0) return `${start},0`;
  if (count === 1) return `${start + 1}`;
  return `${start + 1},${count}`;
}
