// Unit tests of the one table from error codes to exit statuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormatError, HistoryError, StoreError, UsageError, WorktreeError } from '../core/index.ts';
import { EXIT, EXIT_STATUS_HELP, exitStatusOf, formatError } from './errors.ts';

const cases: [unknown, number][] = [
  [new UsageError('BAD_CONFIG', 'x'), EXIT.USAGE],
  [new UsageError('SOMETHING_NEW', 'x'), EXIT.USAGE],
  [new HistoryError('NO_SUCH_ARENA', 'x'), EXIT.NOT_FOUND],
  [new HistoryError('UNKNOWN_REVISION', 'x'), EXIT.NOT_FOUND],
  [new HistoryError('AMBIGUOUS_REVISION', 'x'), EXIT.USAGE],
  [new StoreError('CORRUPT', 'x'), EXIT.CORRUPT],
  [new FormatError('BAD_FIELD', 'x'), EXIT.CORRUPT],
  [new StoreError('LOCKED', 'x'), EXIT.LOCKED],
  [new StoreError('DISK_FULL', 'x'), EXIT.DISK_FULL],
  // A full disk is a full disk whichever layer wrapped it.
  [new WorktreeError('WRITE_FAILED', 'x', { cause: Object.assign(new Error('no space'), { code: 'ENOSPC' }) }), EXIT.DISK_FULL],
  [new WorktreeError('ABORTED', 'x'), EXIT.INTERRUPTED],
  [new StoreError('IO', 'x'), EXIT.ERROR],
  [new TypeError('bug'), EXIT.ERROR],
];
for (const [error, status] of cases) {
  test(`${(error as Error).name} ${(error as { code?: string }).code ?? ''} exits ${status}`, () => {
    assert.equal(exitStatusOf(error), status);
  });
}

test('an error is one line with its code; --debug adds the stack', () => {
  const e = new HistoryError('NO_SUCH_ARENA', 'no arena named "x"\nsecond line');
  assert.equal(formatError(e, false), 'lode: no arena named "x" second line (NO_SUCH_ARENA)\n');
  assert.match(formatError(e, true), /^lode: .*\(NO_SUCH_ARENA\)\nHistoryError: [\s\S]*\n\s+at /);
});

test('the help epilogue lists every exit status', () => {
  for (const status of Object.values(EXIT)) assert.match(EXIT_STATUS_HELP, new RegExp(`^\\s+${status}  \\S`, 'm'));
});
