// The ASCII graph beside `lode log --graph`, like `git log --graph`: `*` for a commit, `|` for a line of
// descent, `\` where a merge opens a column and `/` where columns join. Pure history-layer code.
import type { CommitId } from '../core/index.ts';

export interface GraphCommit { id: CommitId; parents: readonly CommitId[] }
/** One output line: a commit's line (`commit` set) or a connecting line between commits. */
export interface GraphRow { graph: string; commit?: CommitId }

/** Puts `ch` at each given position of a line, then trims the trailing blanks. */
function draw(marks: [number, string][]): string {
  const width = marks.reduce((w, [at]) => Math.max(w, at + 1), 0);
  const cells = new Array<string>(width).fill(' ');
  for (const [at, ch] of marks) cells[at] = ch;
  return cells.join('').trimEnd();
}

/**
 * The graph rows for commits in log order (each commit before its parents). Columns hold the commit
 * each line of descent waits for; column i is drawn at character 2i.
 */
export function logGraph(commits: readonly GraphCommit[]): GraphRow[] {
  const rows: GraphRow[] = [];
  const cols: CommitId[] = [];
  for (const { id, parents } of commits) {
    let c = cols.indexOf(id);
    if (c < 0) { cols.push(id); c = cols.length - 1; }
    rows.push({ commit: id, graph: draw(cols.map((_, i) => [2 * i, i === c ? '*' : '|'])) });

    if (parents.length === 0) {
      cols.splice(c, 1);
      // The columns to the right move one place left.
      if (c < cols.length) rows.push({ graph: draw(cols.map((_, j) => (j < c ? [2 * j, '|'] : [2 * j + 1, '/']))) });
    } else {
      cols[c] = parents[0]!;
      // Each further parent opens a column just right of the merge; later ones are opened first so the
      // columns end up in parent order.
      for (let k = parents.length - 1; k >= 1; k--) {
        cols.splice(c + 1, 0, parents[k]!);
        rows.push({ graph: draw(cols.map((_, j) => (j <= c ? [2 * j, '|'] : j === c + 1 ? [2 * c + 1, '\\'] : [2 * j - 1, '\\']))) });
      }
    }

    // Two columns waiting for the same commit join into the left one.
    for (;;) {
      const d = cols.findIndex((x, i) => cols.indexOf(x) < i);
      if (d < 0) break;
      const t = cols.indexOf(cols[d]!);
      const marks: [number, string][] = [];
      for (let j = 0; j < cols.length; j++) {
        if (j < d) marks.push([2 * j, '|']);
        else if (j === d) marks.push([2 * j - 1, '/']);
        else marks.push([2 * j - 1, '/']);
      }
      // A join that passes other columns runs under them.
      for (let at = 2 * t + 1; at < 2 * d - 1; at++) if (at % 2 === 1) marks.push([at, '_']);
      cols.splice(d, 1);
      rows.push({ graph: draw(marks) });
    }
  }
  return rows;
}
