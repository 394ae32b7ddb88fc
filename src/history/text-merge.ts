// Three-way line merge of text (diff3 semantics, git's default "merge" conflict style) for `lode merge`
// and sync's automatic merges. Pure history-layer code over line-diff.ts; no store or worktree access.
import { diffLines, splitLines } from './line-diff.ts';

export interface MergeTextOptions {
  oursLabel?: string;
  theirsLabel?: string;
}

export interface MergeResult {
  text: string;
  conflicts: number;
}

/** One stretch of the merge: settled lines, or a conflict holding both sides' lines. */
export type MergeChunk =
  | { kind: 'resolved'; lines: string[] }
  | { kind: 'conflict'; ours: string[]; theirs: string[] };

/** A side's change: base[baseStart, baseEnd) became side[sideStart, sideEnd). */
interface Change { baseStart: number; baseEnd: number; sideStart: number; sideEnd: number }

/**
 * Merge ours and theirs against base; overlapping different changes become marker blocks. Swapping the
 * sides together with their labels gives the same text.
 */
export function mergeText(base: string, ours: string, theirs: string, options: MergeTextOptions = {}): MergeResult {
  const chunks = mergeLines(splitLines(base), splitLines(ours), splitLines(theirs));
  let text = '';
  let conflicts = 0;
  const oursLabel = options.oursLabel ?? 'ours';
  const theirsLabel = options.theirsLabel ?? 'theirs';
  for (const chunk of chunks) {
    if (chunk.kind === 'resolved') { text += chunk.lines.join(''); continue; }
    conflicts++;
    const ours = terminated(chunk.ours);
    const theirs = terminated(chunk.theirs);
    // The side whose label sorts first comes first (ours, with the default labels, as in git). So two
    // peers that merge each other's heads, each calling itself ours, write the very same text.
    const order = Buffer.compare(Buffer.from(oursLabel), Buffer.from(theirsLabel)) || Buffer.compare(Buffer.from(ours), Buffer.from(theirs));
    text += order <= 0
      ? `<<<<<<< ${oursLabel}\n${ours}=======\n${theirs}>>>>>>> ${theirsLabel}\n`
      : `<<<<<<< ${theirsLabel}\n${theirs}=======\n${ours}>>>>>>> ${oursLabel}\n`;
  }
  return { text, conflicts };
}

/** A marker must start its own line, so a side ending without a newline gets one, as git does. */
function terminated(lines: string[]): string {
  const text = lines.join('');
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * The merge as chunks. Changes that overlap or touch in base form one group (as in git and diff3, so two
 * inserts at the same place conflict); a group changed on one side takes that side, a group changed the
 * same way on both takes it once, and otherwise the lines both sides share at its edges are settled and
 * the rest is a conflict.
 */
export function mergeLines(base: readonly string[], ours: readonly string[], theirs: readonly string[]): MergeChunk[] {
  const oursChanges = changesOf(base, ours);
  const theirsChanges = changesOf(base, theirs);
  const chunks: MergeChunk[] = [];
  const emit = (lines: string[]): void => {
    if (lines.length === 0) return;
    const previous = chunks[chunks.length - 1];
    if (previous?.kind === 'resolved') previous.lines.push(...lines);
    else chunks.push({ kind: 'resolved', lines });
  };

  let o = 0;
  let t = 0;
  let basePos = 0;
  while (o < oursChanges.length || t < theirsChanges.length) {
    const nextOurs = oursChanges[o];
    const nextTheirs = theirsChanges[t];
    const start = Math.min(nextOurs?.baseStart ?? Infinity, nextTheirs?.baseStart ?? Infinity);
    let end = start;
    const groupOurs: Change[] = [];
    const groupTheirs: Change[] = [];
    // Grow the group until no change from either side starts at or before its end.
    for (;;) {
      const co = oursChanges[o];
      const ct = theirsChanges[t];
      if (co !== undefined && co.baseStart <= end) { groupOurs.push(co); end = Math.max(end, co.baseEnd); o++; continue; }
      if (ct !== undefined && ct.baseStart <= end) { groupTheirs.push(ct); end = Math.max(end, ct.baseEnd); t++; continue; }
      break;
    }
    emit(base.slice(basePos, start));
    basePos = end;
    const oursLines = sideLines(base, ours, groupOurs, start, end);
    const theirsLines = sideLines(base, theirs, groupTheirs, start, end);
    if (groupTheirs.length === 0) { emit(oursLines); continue; }
    if (groupOurs.length === 0 || sameLines(oursLines, theirsLines)) { emit(theirsLines); continue; }
    let head = 0;
    const shortest = Math.min(oursLines.length, theirsLines.length);
    while (head < shortest && oursLines[head] === theirsLines[head]) head++;
    let tail = 0;
    while (tail < shortest - head && oursLines[oursLines.length - 1 - tail] === theirsLines[theirsLines.length - 1 - tail]) tail++;
    emit(oursLines.slice(0, head));
    chunks.push({
      kind: 'conflict',
      ours: oursLines.slice(head, oursLines.length - tail),
      theirs: theirsLines.slice(head, theirsLines.length - tail),
    });
    emit(oursLines.slice(oursLines.length - tail));
  }
  emit(base.slice(basePos));
  return chunks;
}

/** The diff from base to a side as changes, each delete and its following insert joined into one. */
function changesOf(base: readonly string[], side: readonly string[]): Change[] {
  const changes: Change[] = [];
  for (const edit of diffLines(base, side)) {
    if (edit.op === 'equal') continue;
    const previous = changes[changes.length - 1];
    if (previous !== undefined && previous.baseEnd === edit.aStart && previous.sideEnd === edit.bStart) {
      previous.baseEnd = edit.aEnd;
      previous.sideEnd = edit.bEnd;
    } else {
      changes.push({ baseStart: edit.aStart, baseEnd: edit.aEnd, sideStart: edit.bStart, sideEnd: edit.bEnd });
    }
  }
  return changes;
}

/** What the side holds in place of base[start, end), given its changes inside that range (unchanged if none). */
function sideLines(base: readonly string[], side: readonly string[], changes: Change[], start: number, end: number): string[] {
  const first = changes[0];
  const last = changes[changes.length - 1];
  if (first === undefined || last === undefined) return base.slice(start, end);
  return side.slice(first.sideStart - (first.baseStart - start), last.sideEnd + (end - last.baseEnd));
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
