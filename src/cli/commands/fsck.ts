// `lode fsck [--read-data]`: checks that everything the roots reach exists and is indexed, and that every
// reachable commit is signed by its author (BAD_SIGNATURE); with --read-data it re-hashes every byte.
// Each bad object is printed with the arena, commit and paths that reach it. Exit 1 on any error.
import type { Command } from 'commander';
import { checkSignatures, collectRoots, type RootSet } from '../../history/index.ts';
import { fsck } from '../../store/index.ts';
import { EXIT } from '../errors.ts';
import { formatBytes } from '../format.ts';
import type { Runner } from '../context.ts';

interface FsckOptions { readData?: boolean }

/** "<commit>:<path>" from the store becomes "<arena>@<commit12>:<path>" for the user. */
function describePath(path: string, roots: RootSet): { arena: string[]; commit: string; path: string } {
  const colon = path.indexOf(':');
  const commit = colon < 0 ? path : path.slice(0, colon);
  const rest = colon < 0 ? '' : path.slice(colon + 1);
  const arenas = roots.arenas.get(commit as never) ?? [];
  return { arena: arenas, commit, path: rest };
}

export function registerFsck(program: Command, run: Runner): void {
  program
    .command('fsck')
    .description('check the store: every referenced object exists and is indexed; --read-data re-hashes all data')
    .option('--read-data', 're-read and verify every byte of every object')
    .action(async (opts: FsckOptions, cmd: Command) => run(cmd, async (ctx) => {
      const store = await ctx.openStore();
      const roots = collectRoots(store);
      const bar = opts.readData === true ? ctx.progress('fsck', 'objects') : undefined;
      let report: Awaited<ReturnType<typeof fsck>>;
      try {
        report = await fsck(store, roots.roots, {
          readData: opts.readData === true,
          onProgress: (p) => { if (p.phase === 'data') bar?.update({ bytes: p.done, totalBytes: p.total }); },
        });
      } finally {
        bar?.stop();
      }
      // Every reachable commit must carry its author's signature; the store layer cannot know that.
      const signatures = await checkSignatures(store, roots.roots);
      const signatureErrors = signatures.problems.map((p) => ({ code: p.code, id: p.id, message: p.message, paths: [p.id] }));
      const errors = [...report.errors, ...signatureErrors].map((e) => ({ ...e, where: e.paths.map((p) => describePath(p, roots)) }));
      const ok = report.ok && signatureErrors.length === 0;
      ctx.out.result({ ok, roots: roots.roots.length, counts: report.counts, signaturesChecked: signatures.checked, errors });
      for (const e of errors) {
        // Store messages usually name the object already; add the id only when they do not.
        const what = e.id === undefined || e.message.includes(e.id) ? e.message : `${e.id}: ${e.message}`;
        ctx.out.line(ctx.out.paint('red', `error ${e.code}: ${what}`));
        for (const w of e.where) {
          const arena = w.arena.length === 0 ? '?' : w.arena.join(',');
          ctx.out.line(`  in ${arena}@${w.commit.slice(0, 12)}: ${w.path === '' ? '(the commit itself)' : w.path}`);
        }
      }
      const c = report.counts;
      ctx.out.line(`checked ${roots.roots.length} roots: ${c.commits} commits, ${c.trees} trees, ${c.blobs} blobs, ${c.chunks} chunks; ${c.indexedObjects} objects in ${c.packs} packs`);
      if (opts.readData === true) ctx.out.line(`verified ${formatBytes(c.bytesVerified)} of data`);
      if (c.reclaimableBytes > 0) ctx.out.line(`${formatBytes(c.reclaimableBytes)} reclaimable by lode gc${c.unindexedPacks > 0 ? ` (${c.unindexedPacks} unindexed packs)` : ''}`);
      ctx.out.line(`checked the signatures of ${signatures.checked} commits`);
      if (ok) {
        ctx.out.line('no errors found');
        return EXIT.OK;
      }
      ctx.out.warn(`lode: fsck found ${errors.length} error(s) (FSCK_FAILED)`);
      return EXIT.ERROR;
    }));
}
