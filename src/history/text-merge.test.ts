// Tests the three-way text merge: properties over generated edits, and hand cases against `git merge-file`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mergeLines, mergeText } from './text-merge.ts';

/** Region-structured texts: each region may be rewritten by ours or by theirs, never both. */
const disjointEdits = fc.array(fc.record({
  owner: fc.constantFrom('none', 'ours', 'theirs'),
  baseCount: fc.integer({ min: 0, max: 3 }),
  newCount: fc.integer({ min: 0, max: 3 }),
}), { maxLength: 12 }).map((regions) => {
  const base: string[] = [];
  const ours: string[] = [];
  const theirs: string[] = [];
  const expected: string[] = [];
  regions.forEach(({ owner, baseCount, newCount }, r) => {
    // An untouched separator keeps neighbouring regions from touching, which would be a conflict.
    const separator = `sep ${r}\n`;
    const old = Array.from({ length: baseCount }, (_, i) => `base ${r}.${i}\n`);
    const fresh = Array.from({ length: newCount }, (_, i) => `${owner} ${r}.${i}\n`);
    base.push(separator, ...old);
    ours.push(separator, ...(owner === 'ours' ? fresh : old));
    theirs.push(separator, ...(owner === 'theirs' ? fresh : old));
    expected.push(separator, ...(owner === 'none' ? old : fresh));
  });
  return { base: base.join(''), ours: ours.join(''), theirs: theirs.join(''), expected: expected.join('') };
});

/** Texts over a small alphabet, so diffs are ambiguous and changes collide often. */
const smallText = fc.array(fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', 'e'), { maxLength: 12 }).map((lines) => lines.join(''));

test('edits to disjoint regions merge without conflicts and keep every change', () => {
  fc.assert(fc.property(disjointEdits, ({ base, ours, theirs, expected }) => {
    assert.deepEqual(mergeText(base, ours, theirs), { text: expected, conflicts: 0 });
  }), { numRuns: 300 });
});

test('the same edit on both sides is taken once, and an untouched side takes the other', () => {
  fc.assert(fc.property(smallText, smallText, (base, edited) => {
    assert.deepEqual(mergeText(base, edited, edited), { text: edited, conflicts: 0 });
    assert.deepEqual(mergeText(base, edited, base), { text: edited, conflicts: 0 });
    assert.deepEqual(mergeText(base, base, edited), { text: edited, conflicts: 0 });
  }), { numRuns: 300 });
});

test('swapping the sides together with their labels gives the very same text', () => {
  const labels = fc.constantFrom(['ours', 'theirs'], ['main', 'feature'], ['same', 'same']);
  fc.assert(fc.property(smallText, smallText, smallText, labels, (base, a, b, [l1, l2]) => {
    const forward = mergeText(base, a, b, { oursLabel: l1, theirsLabel: l2 });
    const backward = mergeText(base, b, a, { oursLabel: l2, theirsLabel: l1 });
    assert.equal(backward.conflicts, forward.conflicts);
    assert.equal(backward.text, forward.text);
    const split = (text: string) => text.split(/(?<=\n)/).filter((line) => line !== '');
    const chunks = mergeLines(split(base), split(a), split(b)).map((c) => (c.kind === 'conflict' ? { kind: c.kind, ours: c.theirs, theirs: c.ours } : c));
    assert.deepEqual(mergeLines(split(base), split(b), split(a)), chunks);
  }), { numRuns: 400 });
});

test('overlapping different edits conflict and keep both sides', () => {
  const conflicting = fc.record({
    size: fc.integer({ min: 1, max: 15 }),
    at: fc.nat(),
    oursLines: fc.array(fc.constantFrom('x\n', 'y\n'), { minLength: 1, maxLength: 3 }),
    theirsLines: fc.array(fc.constantFrom('p\n', 'q\n'), { minLength: 1, maxLength: 3 }),
  });
  fc.assert(fc.property(conflicting, ({ size, at, oursLines, theirsLines }) => {
    const base = Array.from({ length: size }, (_, i) => `line ${i}\n`);
    const line = at % size;
    const edit = (replacement: string[]) => [...base.slice(0, line), ...replacement, ...base.slice(line + 1)].join('');
    const { text, conflicts } = mergeText(base.join(''), edit(oursLines), edit(theirsLines), { oursLabel: 'mine', theirsLabel: 'yours' });
    assert.ok(conflicts >= 1);
    assert.ok(text.includes(`<<<<<<< mine\n${oursLines.join('')}=======\n${theirsLines.join('')}>>>>>>> yours\n`));
  }), { numRuns: 200 });
});

test('a conflict block lists the side whose label sorts first first; equal labels order by content', () => {
  const base = 'a\nb\nc\n';
  const ours = 'a\nOURS\nc\n';
  const theirs = 'a\nTHEIRS\nc\n';
  assert.equal(mergeText(base, ours, theirs).text, 'a\n<<<<<<< ours\nOURS\n=======\nTHEIRS\n>>>>>>> theirs\nc\n');
  assert.equal(mergeText(base, ours, theirs, { oursLabel: 'main', theirsLabel: 'feature' }).text,
    'a\n<<<<<<< feature\nTHEIRS\n=======\nOURS\n>>>>>>> main\nc\n');
  assert.equal(mergeText(base, theirs, ours, { oursLabel: 'x', theirsLabel: 'x' }).text,
    'a\n<<<<<<< x\nOURS\n=======\nTHEIRS\n>>>>>>> x\nc\n');
});

test('mergeLines reports conflicts as chunks holding both sides', () => {
  const chunks = mergeLines(['a\n', 'b\n', 'c\n'], ['a\n', 'B\n', 'c\n'], ['a\n', 'β\n', 'c\n']);
  assert.deepEqual(chunks, [
    { kind: 'resolved', lines: ['a\n'] },
    { kind: 'conflict', ours: ['B\n'], theirs: ['β\n'] },
    { kind: 'resolved', lines: ['c\n'] },
  ]);
});

const hasGit = spawnSync('git', ['--version']).status === 0;
const skip = hasGit ? false : 'SKIPPED LOUDLY: git is not installed, cannot compare with git merge-file';
const lines = (...items: string[]) => items.map((s) => `${s}\n`).join('');
const ten = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
const tenWith = (changes: Record<number, string | null>) => lines(...ten.flatMap((s, i) => (i in changes ? (changes[i] === null ? [] : [changes[i] as string]) : [s])));

const gitCases: Array<{ name: string; base: string; ours: string; theirs: string }> = [
  { name: 'only ours changed', base: tenWith({}), ours: tenWith({ 4: 'five' }), theirs: tenWith({}) },
  { name: 'distant changes on both sides', base: tenWith({}), ours: tenWith({ 1: 'two' }), theirs: tenWith({ 8: 'nine' }) },
  { name: 'identical change on both sides', base: tenWith({}), ours: tenWith({ 4: 'five' }), theirs: tenWith({ 4: 'five' }) },
  { name: 'one line changed two ways', base: tenWith({}), ours: tenWith({ 4: 'ours five' }), theirs: tenWith({ 4: 'theirs five' }) },
  { name: 'modified against deleted', base: tenWith({}), ours: tenWith({ 4: 'five' }), theirs: tenWith({ 4: null }) },
  { name: 'adjacent changes', base: tenWith({}), ours: tenWith({ 4: 'five' }), theirs: tenWith({ 5: 'six' }) },
  { name: 'different appends at the end', base: lines('a', 'b'), ours: lines('a', 'b', 'ours'), theirs: lines('a', 'b', 'theirs') },
  { name: 'last line without newline changed two ways', base: 'a\nb', ours: 'a\nours', theirs: 'a\ntheirs' },
  { name: 'from an empty base', base: '', ours: lines('x', 'y'), theirs: lines('z') },
  { name: 'conflict with a shared first line', base: lines('a', 'b', 'c'), ours: lines('a', 'same', 'o', 'c'), theirs: lines('a', 'same', 't', 'c') },
];

for (const { name, base, ours, theirs } of gitCases) {
  test(`mergeText matches git merge-file: ${name}`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lode-merge-'));
    try {
      const files = { ours, base, theirs };
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      const git = spawnSync('git', ['merge-file', '-p', '-L', 'ours', '-L', 'base', '-L', 'theirs', 'ours', 'base', 'theirs'], { cwd: dir, encoding: 'utf8' });
      assert.ok(git.status !== null && git.status >= 0 && git.status < 127, `git merge-file failed: ${git.stderr}`);
      assert.deepEqual(mergeText(base, ours, theirs), { text: git.stdout, conflicts: git.status });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
