// A quick size scan of a snapshot's source, run beside the snapshot only when a progress bar is shown,
// so the bar can give a percentage and an ETA (restic scans in parallel the same way). It is an estimate:
// only the root .lodeignore is applied, and files that change meanwhile are counted as first seen.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadIgnore } from '../worktree/index.ts';

export interface SourceEstimate { files: number; bytes: number }

const PARALLEL_DIRS = 4;

export async function estimateSource(root: string, skipDir: string | undefined, signal: AbortSignal): Promise<SourceEstimate | undefined> {
  const ignore = loadIgnore(root);
  const total: SourceEstimate = { files: 0, bytes: 0 };
  const queue: string[] = [''];
  let active = 0;
  let failed = false;

  async function scanDir(rel: string): Promise<void> {
    const dir = rel === '' ? root : join(root, rel);
    if (dir === skipDir) return;
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      return; // the snapshot reports unreadable directories; the estimate just skips them
    }
    for await (const d of handle) {
      if (signal.aborted) return;
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      if (ignore.ignores(childRel, d.isDirectory())) continue;
      if (d.isDirectory()) queue.push(childRel);
      else if (d.isFile()) {
        // Await first: `total.bytes += await …` would read the sum before the await and lose updates.
        const size = await lstat(join(dir, d.name)).then((s) => s.size, () => 0);
        total.files++;
        total.bytes += size;
      }
    }
  }

  await new Promise<void>((resolve) => {
    const pump = (): void => {
      if (signal.aborted || failed) return resolve();
      while (active < PARALLEL_DIRS && queue.length > 0) {
        const next = queue.pop()!;
        active++;
        scanDir(next).catch(() => { failed = true; }).finally(() => {
          active--;
          pump();
        });
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return signal.aborted || failed ? undefined : total;
}
