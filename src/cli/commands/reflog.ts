// `lode reflog ARENA [BRANCH | tag:NAME]`: every branch move (and tag change), newest first: old -> new,
// when, which command, why.
import type { Command } from 'commander';
import { checkBranchName, checkTagName, readReflog, requireArena, TAG_REFLOG_PREFIX } from '../../history/index.ts';
import { formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

const short = (id: string | null): string => (id === null ? '(none)' : id.slice(0, 12));

export function registerReflog(program: Command, run: Runner): void {
  program
    .command('reflog')
    .description('show every move of the branches of an arena (or of one branch), newest first')
    .argument('<arena>', 'the arena')
    .argument('[branch]', 'only this branch, or tag:NAME for one tag')
    .action(async (arenaArg: string, branch: string | undefined, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      if (branch?.startsWith(TAG_REFLOG_PREFIX)) checkTagName(branch.slice(TAG_REFLOG_PREFIX.length));
      else if (branch !== undefined) checkBranchName(branch);
      const store = await ctx.openStore();
      const arena = requireArena(store, name);
      const entries = readReflog(store, arena.id, branch);
      ctx.out.result({
        arena: arena.name,
        entries: entries.map((e) => ({ branch: e.branch, old: e.old, new: e.new, time: new Date(e.time).toISOString(), command: e.command, reason: e.reason })),
      });
      if (entries.length === 0) ctx.out.note(branch === undefined ? `no branch of ${arena.name} has moved yet` : `branch ${branch} has never moved`);
      for (const e of entries) {
        ctx.out.line(`${e.branch}: ${short(e.old)} -> ${ctx.out.paint('yellow', short(e.new))}  ${formatDate(e.time)}  ${e.command}: ${e.reason}`);
      }
    }));
}
