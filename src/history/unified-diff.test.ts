// Tests unifiedDiff against GNU `diff -u` on generated texts, and the git-style binary sniff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { looksBinary, unifiedDiff } from './unified-diff.ts';

const hasDiff = spawnSync('diff', ['--version']).status === 0;
const skip = hasDiff ? false : 'SKIPPED LOUDLY: GNU diff (diffutils) is not installed';

/** What `diff -u -U context --label a --label b` prints; -d asks diff for a minimal diff, as Myers gives. */
function gnuDiff(dir: string, aText: string, bText: string, context: number): string {
  const aPath = join(dir, 'a');
  const bPath = join(dir, 'b');
  writeFileSync(aPath, aText);
  writeFileSync(bPath, bText);
  const run = spawnSync('diff', ['-d', `-U${context}`, '--label', 'a', '--label', 'b', aPath, bPath], { encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `diff failed: ${run.stderr}`);
  return run.stdout;
}

function withTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lode-udiff-'));
  try { body(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/**
 * A random text and an edited copy. Every line is unique, so the shortest diff is unique too and GNU diff
 * and Myers cannot pick different, equally short alignments.
 */
const editedPair = fc.record({
  size: fc.integer({ min: 0, max: 40 }),
  edits: fc.array(fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 3 }), add: fc.integer({ min: 0, max: 3 }) }), { maxLength: 6 }),
  aNewline: fc.boolean(),
  bNewline: fc.boolean(),
  context: fc.constantFrom(0, 1, 3, 5),
}).map(({ size, edits, aNewline, bNewline, context }) => {
  const a = Array.from({ length: size }, (_, i) => `base line ${i}`);
  const b = a.slice();
  let fresh = 0;
  for (const { at, remove, add } of edits) {
    const from = b.length === 0 ? 0 : at % (b.length + 1);
    b.splice(from, remove, ...Array.from({ length: add }, () => `new line ${fresh++}`));
  }
  const join = (lines: string[], newline: boolean) => (lines.length === 0 ? '' : lines.join('\n') + (newline ? '\n' : ''));
  return { aText: join(a, aNewline), bText: join(b, bNewline), context };
});

test('unifiedDiff matches diff -u on random edits', { skip }, () => {
  withTempDir((dir) => {
    fc.assert(fc.property(editedPair, ({ aText, bText, context }) => {
      assert.equal(unifiedDiff(aText, bText, { aLabel: 'a', bLabel: 'b', context }), gnuDiff(dir, aText, bText, context));
    }), { numRuns: 150 });
  });
});

const edgeCases: Array<{ name: string; aText: string; bText: string }> = [
  { name: 'both empty', aText: '', bText: '' },
  { name: 'identical', aText: 'x\ny\n', bText: 'x\ny\n' },
  { name: 'identical without final newline', aText: 'x\ny', bText: 'x\ny' },
  { name: 'from empty', aText: '', bText: 'x\ny\n' },
  { name: 'to empty', aText: 'x\ny\n', bText: '' },
  { name: 'from empty to one line without newline', aText: '', bText: 'x' },
  { name: 'final newline removed', aText: 'x\ny\n', bText: 'x\ny' },
  { name: 'final newline added', aText: 'x\ny', bText: 'x\ny\n' },
  { name: 'neither ends with a newline', aText: 'a\nb\nc', bText: 'a\nB\nc' },
  { name: 'last line changed, no newline on either', aText: '1\n2\n3\n4\n5\n6\n7\nx', bText: '1\n2\n3\n4\n5\n6\n7\ny' },
  { name: 'two changes far apart', aText: Array.from({ length: 30 }, (_, i) => `${i}\n`).join(''), bText: Array.from({ length: 30 }, (_, i) => (i === 2 || i === 25 ? `X${i}\n` : `${i}\n`)).join('') },
  { name: 'crlf lines', aText: 'a\r\nb\r\n', bText: 'a\r\nc\r\n' },
];

for (const { name, aText, bText } of edgeCases) {
  test(`unifiedDiff matches diff -u: ${name}`, { skip }, () => {
    withTempDir((dir) => {
      const ours = unifiedDiff(aText, bText, { aLabel: 'a', bLabel: 'b' });
      assert.equal(ours, gnuDiff(dir, aText, bText, 3));
      if (aText === bText) assert.equal(ours, '');
    });
  });
}

test('unifiedDiff puts the labels in the header', () => {
  assert.match(unifiedDiff('x\n', 'y\n', { aLabel: 'a/f.txt', bLabel: 'b/f.txt' }), /^--- a\/f\.txt\n\+\+\+ b\/f\.txt\n@@ -1 \+1 @@\n/);
});

test('looksBinary finds a NUL only within the first 8000 bytes', () => {
  assert.equal(looksBinary(new Uint8Array()), false);
  assert.equal(looksBinary(new TextEncoder().encode('plain text\n')), false);
  const early = new Uint8Array(100).fill(65);
  early[50] = 0;
  assert.equal(looksBinary(early), true);
  const edge = new Uint8Array(9000).fill(65);
  edge[7999] = 0;
  assert.equal(looksBinary(edge), true);
  edge[7999] = 65;
  edge[8000] = 0;
  assert.equal(looksBinary(edge), false);
});
