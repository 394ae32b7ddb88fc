// Terminal behaviour: a progress bar with a rate and an ETA on a TTY (through util-linux `script`, which
// gives the CLI a pseudo-terminal), nothing drawn when stderr is a pipe or with --quiet, and no colour
// with NO_COLOR.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { MAIN, explain, lode, suiteDir, testEnv } from './cli.ts';
import { buildTree, seededBytes } from './tree.ts';

const HAVE_SCRIPT = (() => {
  try {
    execFileSync('script', ['-qec', 'true', '/dev/null'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = HAVE_SCRIPT ? false : 'SKIPPED LOUDLY: util-linux `script` is missing, so no pseudo-terminal for the TTY tests';

const ESC = '\u001b';
const COLOUR = /\u001b\[3[0-9]m/;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI on a pseudo-terminal; returns what the terminal showed (stdout and stderr together). */
function onTerminal(args: string[], env: Record<string, string | undefined> = {}): string {
  const command = [process.execPath, MAIN, ...args].map(shellQuote).join(' ');
  return execFileSync('script', ['-qec', command, '/dev/null'], { env: testEnv({ TERM: 'xterm', ...env }), encoding: 'utf8' });
}

describe('terminal output', () => {
  const work = suiteDir('terminal');
  const store = join(work, 'store');
  const src = join(work, 'src');

  before(async () => {
    await buildTree(src, [
      { path: 'big.bin', kind: 'file', content: seededBytes(8 * 1024 * 1024, 3) },
      { path: 'a.txt', kind: 'file', content: 'a\n' },
    ]);
  });

  test('stderr that is a pipe gets no progress bar and no escape codes', async () => {
    const run = await lode(['snapshot', src, '--arena', 'pipe'], { store });
    assert.equal(run.code, 0, explain(run));
    assert.ok(!run.stderr.includes(ESC) && !run.stderr.includes('\r'), JSON.stringify(run.stderr));
    assert.doesNotMatch(run.stderr, /ETA/);
  });

  test('a terminal gets a progress bar with a rate and an ETA, for snapshot and restore', { skip }, () => {
    const snap = onTerminal(['--store', store, 'snapshot', src, '--arena', 'tty']);
    assert.match(snap, /snapshot .*\d (B|KiB|MiB)\/s {2}ETA/);
    assert.match(snap, /saved in arena tty/);
    const restore = onTerminal(['--store', store, 'restore', 'tty', join(work, 'out')]);
    assert.match(restore, /restore .*\/s {2}ETA/);
  });

  test('--quiet and --json draw no bar on a terminal', { skip }, () => {
    for (const flag of ['--quiet', '--json']) {
      const out = onTerminal(['--store', store, flag, 'snapshot', src, '--arena', 'tty']);
      assert.doesNotMatch(out, /ETA/, flag);
    }
  });

  test('diff is coloured on a terminal, and not with NO_COLOR', { skip }, async () => {
    await buildTree(src, [{ path: 'new.txt', kind: 'file', content: 'new' }]);
    assert.equal((await lode(['snapshot', src, '--arena', 'tty'], { store })).code, 0);
    const coloured = onTerminal(['--store', store, 'diff', 'tty', 'main~1', 'main'], { NO_COLOR: undefined });
    assert.match(coloured, COLOUR);
    assert.match(coloured, /\+ new\.txt/);
    const plain = onTerminal(['--store', store, 'diff', 'tty', 'main~1', 'main'], { NO_COLOR: '1' });
    assert.doesNotMatch(plain, COLOUR);
    assert.match(plain, /^\+ new\.txt\r?$/m);
  });
});
