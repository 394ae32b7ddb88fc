// `lode restore ARENA[@REV] TARGET [--path P]`: writes a version (or one path of it) under TARGET,
// streaming and verifying. Problems are listed; exit 3 when some paths were skipped, 5 when the cause
// was corrupt data.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/index.ts';
import { restoreTree } from '../../worktree/index.ts';
import { EXIT, exitStatusOf } from '../errors.ts';
import { formatBytes, formatDuration } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { normaliseTreePath, parseRevisionSpec } from '../revision-spec.ts';

interface RestoreOptions { path?: string; unsafeSymlinks?: boolean }

export function registerRestore(program: Command, run: Runner): void {
  program
    .command('restore')
    .description('restore a version (or one path of it) into a target directory')
    .argument('<arena>', 'ARENA, ARENA@REV or ARENA@REV:PATH (default revision: main)')
    .argument('<target>', 'the directory to restore into (created if missing)')
    .option('-p, --path <path>', 'restore only this file or directory of the version')
    .option('--unsafe-symlinks', 'also restore symlinks that point outside the target')
    .action(async (spec: string, targetArg: string, opts: RestoreOptions, cmd: Command) => run(cmd, async (ctx) => {
      const started = Date.now();
      const parsed = parseRevisionSpec(spec, { allowPath: true });
      if (parsed.path !== undefined && opts.path !== undefined) throw new UsageError('BAD_ARGUMENT', 'give the path either as ARENA@REV:PATH or with --path, not both');
      const path = parsed.path ?? (opts.path === undefined ? undefined : normaliseTreePath(opts.path));
      const target = resolve(targetArg);
      const store = await ctx.openStore();
      const { arena, id, commit } = await resolveSpec(store, parsed);

      const bar = ctx.progress('restore');
      let result: Awaited<ReturnType<typeof restoreTree>>;
      try {
        result = await restoreTree(store, {
          tree: commit.tree, target, onProgress: (p) => bar.update(p), allowUnsafeSymlinks: opts.unsafeSymlinks === true,
          ...(path === undefined || path === '' ? {} : { path }),
        });
      } finally {
        bar.stop();
      }
      const { stats, problems } = result;
      const duration = Date.now() - started;
      for (const p of problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
      ctx.out.result({ arena: arena.name, commit: id, target, path: path ?? '', stats, duration_ms: duration, complete: problems.length === 0, problems });
      ctx.out.line(`restored ${id.slice(0, 12)} of arena ${arena.name} to ${target}${path ? ` (path ${path})` : ''}`);
      ctx.out.line(`Files: ${stats.files}, dirs: ${stats.dirs}, symlinks: ${stats.symlinks}, ${formatBytes(stats.bytes)} in ${formatDuration(duration)}`);
      if (problems.length === 0) return EXIT.OK;
      const corrupt = problems.some((p) => exitStatusOf({ code: p.code }) === EXIT.CORRUPT);
      ctx.out.warn(`lode: restore incomplete: ${problems.length} path(s) were not restored${corrupt ? ', some because stored data is corrupt; run lode fsck --read-data' : ''} (${corrupt ? 'CORRUPT' : 'INCOMPLETE'})`);
      return corrupt ? EXIT.CORRUPT : EXIT.INCOMPLETE;
    }));
}
