// A small history built through the CLI, shared by the history command tests.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitId } from '../src/core/index.ts';
import { explain, lode, lodeJson } from './cli.ts';

/** An arena `a` with two snapshots: one.txt, then one.txt changed and two.txt added. Returns [c1, c2]. */
export async function twoSnapshots(dir: string, store: string): Promise<[CommitId, CommitId]> {
  const src = join(dir, 'src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'one.txt'), 'first\n');
  let r = await lode(['snapshot', src, '--arena', 'a', '-m', 'first'], { store });
  assert.equal(r.code, 0, explain(r));
  await writeFile(join(src, 'one.txt'), 'first, changed\n');
  await writeFile(join(src, 'two.txt'), 'second\n');
  r = await lode(['snapshot', src, '--arena', 'a', '-m', 'second'], { store });
  assert.equal(r.code, 0, explain(r));
  const { doc } = await lodeJson<{ commits: { id: CommitId }[] }>(['log', 'a'], { store });
  return [doc.commits[1]!.id, doc.commits[0]!.id];
}
