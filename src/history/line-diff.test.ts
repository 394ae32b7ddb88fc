// Tests for the Myers line diff: round-trips, hunk shape, minimality against an LCS oracle, and the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffLines, splitLines, type Edit } from './line-diff.ts';

/** Rebuild b from a and the edits, checking the hunks tile both sides in order. */
function apply(a: readonly string[], b: readonly string[], edits: Edit[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const e of edits) {
    assert.equal(e.aStart, i);
    assert.equal(e.bStart, j);
    if (e.op === 'equal') {
      assert.equal(e.aEnd - e.aStart, e.bEnd - e.bStart);
      assert.deepEqual(a.slice(e.aStart, e.aEnd), b.slice(e.bStart, e.bEnd));
      out.push(...a.slice(e.aStart, e.aEnd));
    }
    if (e.op === 'delete') assert.equal(e.bEnd, e.bStart);
    if (e.op === 'insert') { assert.equal(e.aEnd, e.aStart); out.push(...b.slice(e.bStart, e.bEnd)); }
    assert.ok(e.aEnd > e.aStart || e.bEnd > e.bStart, 'no empty hunks');
    i = e.aEnd;
    j = e.bEnd;
  }
  assert.equal(i, a.length);
  assert.equal(j, b.length);
  return out;
}

function editCount(edits: Edit[]): number {
  return edits.reduce((n, e) => n + (e.op === 'delete' ? e.aEnd - e.aStart : e.op === 'insert' ? e.bEnd - e.bStart : 0), 0);
}

/** The textbook O(nm) LCS: the minimal edit count is |a| + |b| - 2·LCS. */
function minimalEditCount(a: readonly string[], b: readonly string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const next = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      next[j] = a[i - 1] === b[j - 1] ? (row[j - 1] as number) + 1 : Math.max(row[j] as number, next[j - 1] as number);
    }
    row = next;
  }
  return a.length + b.length - 2 * (row[b.length] as number);
}

const smallLines = fc.array(fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', 'a'), { maxLength: 25 });

test('splitLines keeps line endings and round-trips any text', () => {
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('x'), ['x']);
  assert.deepEqual(splitLines('x\n\ny'), ['x\n', '\n', 'y']);
  assert.deepEqual(splitLines('a\r\nb\n'), ['a\r\n', 'b\n']);
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é') }), (text) => {
    assert.equal(splitLines(text).join(''), text);
  }));
});

test('diffLines rebuilds b with a minimal number of edits', () => {
  fc.assert(fc.property(smallLines, smallLines, (a, b) => {
    const edits = diffLines(a, b);
    assert.deepEqual(apply(a, b, edits), b);
    assert.equal(editCount(edits), minimalEditCount(a, b));
    for (let k = 1; k < edits.length; k++) {
      assert.ok(!(edits[k - 1]?.op === 'equal' && edits[k]?.op === 'equal'), 'equal runs are joined');
      assert.ok(!(edits[k - 1]?.op === 'insert' && edits[k]?.op === 'delete'), 'a delete comes before its insert');
    }
  }), { numRuns: 300 });
});

const shapes: Array<{ name: string; a: string[]; b: string[]; expected: string[] }> = [
  { name: 'identical', a: ['x\n', 'y\n'], b: ['x\n', 'y\n'], expected: ['equal 0-2 0-2'] },
  { name: 'both empty', a: [], b: [], expected: [] },
  { name: 'from empty', a: [], b: ['x\n'], expected: ['insert 0-0 0-1'] },
  { name: 'to empty', a: ['x\n'], b: [], expected: ['delete 0-1 0-0'] },
  { name: 'replace in the middle', a: ['x\n', 'y\n', 'z\n'], b: ['x\n', 'Y\n', 'z\n'], expected: ['equal 0-1 0-1', 'delete 1-2 1-1', 'insert 2-2 1-2', 'equal 2-3 2-3'] },
  { name: 'final newline added', a: ['x\n', 'y'], b: ['x\n', 'y\n'], expected: ['equal 0-1 0-1', 'delete 1-2 1-1', 'insert 2-2 1-2'] },
];

for (const { name, a, b, expected } of shapes) {
  test(`diffLines hunks: ${name}`, () => {
    assert.deepEqual(diffLines(a, b).map((e) => `${e.op} ${e.aStart}-${e.aEnd} ${e.bStart}-${e.bEnd}`), expected);
  });
}

test('beyond maxEditDistance the middle becomes one delete-all/insert-all change', () => {
  const a = ['p\n', '1\n', 'x\n', '2\n', 's\n'];
  const b = ['p\n', '3\n', 'x\n', '4\n', 's\n'];
  assert.equal(editCount(diffLines(a, b)), 4);
  const capped = diffLines(a, b, { maxEditDistance: 3 });
  assert.deepEqual(capped.map((e) => e.op), ['equal', 'delete', 'insert', 'equal']);
  assert.deepEqual(apply(a, b, capped), b);
});

test('a 100k-line file with 10 scattered changes diffs to exactly those changes', () => {
  const a = Array.from({ length: 100_000 }, (_, i) => `line ${i % 977} of the file\n`);
  const b = a.slice();
  const touched = [5, 9_999, 20_000, 33_333, 50_000, 50_010, 70_000, 81_234, 99_000, 99_998];
  for (const at of touched) b[at] = `changed ${at}\n`;
  const edits = diffLines(a, b);
  assert.deepEqual(apply(a, b, edits), b);
  assert.deepEqual(edits.filter((e) => e.op === 'delete').map((e) => e.aStart), touched);
  assert.equal(editCount(edits), 20);
});
