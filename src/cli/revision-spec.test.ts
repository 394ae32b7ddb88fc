// Unit tests of what users type: ARENA[@REV][:PATH] splitting, revision syntax and hostile paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseTreePath, parseRevisionSpec } from './revision-spec.ts';

const ok: [string, { arena: string; rev: string | undefined; path: string | undefined }][] = [
  ['photos', { arena: 'photos', rev: undefined, path: undefined }],
  ['photos@main', { arena: 'photos', rev: 'main', path: undefined }],
  ['photos@main~2', { arena: 'photos', rev: 'main~2', path: undefined }],
  ['photos@3f2a9c^2~1', { arena: 'photos', rev: '3f2a9c^2~1', path: undefined }],
  ['photos:a/b.txt', { arena: 'photos', rev: undefined, path: 'a/b.txt' }],
  ['photos@main:/a//./b/', { arena: 'photos', rev: 'main', path: 'a/b' }],
  // Everything after the first ':' is the path, '@' and ':' included.
  ['photos@main:we@ird:name', { arena: 'photos', rev: 'main', path: 'we@ird:name' }],
  ['photos:', { arena: 'photos', rev: undefined, path: '' }],
];
for (const [spec, expected] of ok) {
  test(`parses ${JSON.stringify(spec)}`, () => {
    assert.deepEqual(parseRevisionSpec(spec, { allowPath: true }), expected);
  });
}

const bad: [string, { allowPath: boolean; requirePath?: boolean }, string][] = [
  ['photos@', { allowPath: true }, 'BAD_REVISION'],
  ['photos@:x', { allowPath: true }, 'BAD_REVISION'],
  ['photos@ma in', { allowPath: true }, 'BAD_REVISION'],
  ['photos@main~x', { allowPath: true }, 'BAD_REVISION'],
  ['@main', { allowPath: true }, 'BAD_ARENA_NAME'],
  [':x', { allowPath: true }, 'BAD_ARENA_NAME'],
  ['photos:x', { allowPath: false }, 'BAD_ARGUMENT'],
  ['photos@main', { allowPath: true, requirePath: true }, 'BAD_ARGUMENT'],
  ['photos@main:../x', { allowPath: true }, 'HOSTILE_PATH'],
  ['photos:a/../../x', { allowPath: true }, 'HOSTILE_PATH'],
  ['photos:a\0b', { allowPath: true }, 'HOSTILE_PATH'],
];
for (const [spec, opts, code] of bad) {
  test(`refuses ${JSON.stringify(spec)} with ${code}`, () => {
    assert.throws(() => parseRevisionSpec(spec, opts), (e: { code?: string }) => e.code === code);
  });
}

test('normaliseTreePath keeps names with dots and spaces, drops . and empty parts', () => {
  assert.equal(normaliseTreePath('/.hidden/ a b /..x/./'), '.hidden/ a b /..x');
  assert.equal(normaliseTreePath(''), '');
});
