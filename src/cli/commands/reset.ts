// `lode reset ARENA REV [--branch B]`: moves a branch (default main) to any commit, logged in the reflog
// as 'reset'. The commit it leaves stays reachable by id through the reflog, and gc keeps it.
import type { Command } from 'commander';
import { checkBranchName, DEFAULT_BRANCH, getBranch, moveBranch } from '../../history/index.ts';
import { HistoryError } from '../../core/index.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { checkRevision, parseRevisionSpec } from '../revision-spec.ts';

interface ResetOptions { branch?: string }

export function registerReset(program: Command, run: Runner): void {
  program
    .command('reset')
    .description('move a branch (default main) to a revision; the old head stays in the reflog')
    .argument('<arena>', 'the arena')
    .argument('<rev>', 'the revision to move the branch to')
    .option('-b, --branch <name>', 'the branch to move', DEFAULT_BRANCH)
    .action(async (arenaArg: string, rev: string, opts: ResetOptions, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      checkRevision(rev);
      const branch = checkBranchName(opts.branch ?? DEFAULT_BRANCH);
      const store = await ctx.openStore();
      const { arena, id } = await resolveSpec(store, { arena: name, rev });
      const old = getBranch(store, arena.id, branch);
      if (old === undefined) throw new HistoryError('NO_SUCH_BRANCH', `branch ${branch} does not exist in arena ${arena.name}`);
      if (old !== id) await moveBranch(store, arena.id, branch, id, { command: 'reset', reason: `reset ${branch} to ${rev}`, expect: old });
      ctx.out.result({ arena: arena.name, branch, old, new: id, moved: old !== id });
      if (old === id) ctx.out.line(`${branch} is already at ${id}`);
      else ctx.out.line(`${branch}: ${old.slice(0, 12)} -> ${id.slice(0, 12)} (the old head stays in lode reflog ${arena.name})`);
    }));
}
