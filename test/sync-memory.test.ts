// Invariant 4 between real daemons: what a receiver holds does not grow with the number of files it takes.
// The receiving daemon runs with its V8 old space capped, and takes an arena of many small files from a
// daemon on 127.0.0.1. A receiver that kept anything per file (a request, a promise, a decoded entry, an
// index row) would need more than the cap and die of it, or its transfer would never end.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { explain, lode, lodeJson, suiteDir } from './cli.ts';
import { Household, until } from './household.ts';

const ARENA = 'many';
const FILES = 200_000;
/** The receiver's old space, in MB: a few hundred bytes kept per file would overflow it. */
const HEAP_MB = 64;

/** FILES small files, 50 to a directory and 20 directories to a parent. */
function writeSmallFiles(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `p${Math.floor(i / 1000)}`, `d${Math.floor(i / 50) % 20}`);
    if (i % 50 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), `small file ${i}\n`);
  }
}

describe(`lode daemon: a receiver capped at ${HEAP_MB} MB of heap takes ${FILES} small files`, { timeout: 600_000 }, () => {
  const household = new Household(suiteDir('sync-memory'));
  let head = '';

  before(async () => {
    await household.addNode('a');
    await household.addNode('b');
    const data = join(household.root, 'data');
    writeSmallFiles(data);
    const snap = await lodeJson<{ commit: string; arena_id: string }>(['snapshot', data, '--arena', ARENA], household.at('a'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    head = snap.doc.commit;
    household.arenaIds.set(ARENA, snap.doc.arena_id);
    const share = await lodeJson<{ ticket: string }>(['arena', 'share', ARENA], household.at('a'));
    const joined = await lode(['arena', 'join', share.doc.ticket], household.at('b'));
    assert.equal(joined.code, 0, explain(joined));
    await household.writeConfig('a', [{ name: 'b' }], [ARENA]);
    const a = await household.start('a');
    await household.writeConfig('b', [{ name: 'a', addrs: a.addrs }], [ARENA]);
  });

  after(() => household.killAll());

  test('the transfer completes, and the receiver\'s store is fsck-clean', async () => {
    const b = await household.start('b', { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
    await until('b to hold a\'s head', async () => {
      if (b.child.exitCode !== null || b.child.signalCode !== null) {
        throw new Error(`b died (${b.child.exitCode ?? b.child.signalCode}): ${b.stderr().slice(-3000)}`);
      }
      return (await household.headOf('b', ARENA)) === head ? true : undefined;
    }, 400_000, 2000);
    const fsck = await lodeJson<{ ok: boolean }>(['fsck'], household.at('b'));
    assert.equal(fsck.run.code, 0, explain(fsck.run));
    assert.equal(fsck.doc.ok, true);
    const ls = await lode(['ls', `${ARENA}@main:p199/d19`], household.at('b'));
    assert.equal(ls.code, 0, explain(ls));
    assert.match(ls.stdout, /f199999\.txt/);
  });
});
