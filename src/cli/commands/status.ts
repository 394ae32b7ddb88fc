// `lode status [PATH...]`: the worktree against HEAD, as git prints it: added, modified, deleted,
// renamed and conflicted paths, fast on an unchanged tree through the stat cache. Never moves anything.
import type { Command } from 'commander';
import { headState, headTree, worktreePath, worktreeStatus, type WorktreeChange } from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { headJson, headLine, openWorktree } from '../worktree-context.ts';

const LETTER: Record<WorktreeChange['change'], string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', conflicted: 'C' };

function within(path: string, filters: string[]): boolean {
  return filters.length === 0 || filters.some((f) => f === '' || path === f || path.startsWith(`${f}/`));
}

export function changeLine(c: WorktreeChange): string {
  const shown = c.kind === 'dir' ? `${c.path}/` : c.path;
  return `  ${LETTER[c.change]}  ${c.from === undefined ? shown : `${c.from} -> ${shown}`}`;
}

async function status(ctx: Context, paths: string[]): Promise<ExitStatus> {
  const { binding, store, arena, cwd } = await openWorktree(ctx);
  const filters = paths.map((p) => worktreePath(binding.root, cwd, p));
  const head = headState(store, binding);
  const result = await worktreeStatus(store, binding, await headTree(store, head), { signal: ctx.interruptible() });
  const changes = result.changes.filter((c) => within(c.path, filters) || (c.from !== undefined && within(c.from, filters)));

  for (const p of result.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({
    arena: arena.name, root: binding.root, head: headJson(head),
    changes: changes.map((c) => ({ change: c.change, path: c.path, ...(c.from === undefined ? {} : { from: c.from }), kind: c.kind })),
    conflicts: result.conflicts.filter((p) => within(p, filters)), clean: changes.length === 0, problems: result.problems,
  });
  ctx.out.line(headLine(head));
  if (changes.length === 0) {
    ctx.out.line(head.state === 'unborn' ? 'nothing to commit (create files and run lode commit)' : 'nothing to commit, working tree clean');
    return EXIT.OK;
  }
  const unresolved = changes.filter((c) => c.change === 'conflicted');
  const others = changes.filter((c) => c.change !== 'conflicted');
  if (others.length > 0) {
    ctx.out.line('Changes:');
    for (const c of others) ctx.out.line(ctx.out.paint(c.change === 'deleted' ? 'red' : 'green', changeLine(c)));
  }
  if (unresolved.length > 0) {
    ctx.out.line('Unresolved conflicts (edit the file to resolve it, or use lode resolve):');
    for (const c of unresolved) ctx.out.line(ctx.out.paint('red', changeLine(c)));
  }
  return EXIT.OK;
}

export function registerStatus(program: Command, run: Runner): void {
  program
    .command('status')
    .description('show what the worktree changed against HEAD (added, modified, deleted, renamed, conflicted)')
    .argument('[paths...]', 'only these paths (relative to the current directory, inside the worktree)')
    .action(async (paths: string[], _opts: object, cmd: Command) => run(cmd, (ctx) => status(ctx, paths)));
}
