// `lode branch ARENA [list|create NAME [REV]|delete NAME|rename OLD NEW]`: the mutable names of an arena.
// Every change goes through compare-and-swap and lands in the reflog; deleting `main` needs --force.
import type { Command } from 'commander';
import { HistoryError, UsageError } from '../../core/index.ts';
import {
  checkBranchName, DEFAULT_BRANCH, getBranch, listBranches, moveBranch, renameBranch, requireArena,
} from '../../history/index.ts';
import { columns } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { checkRevision, parseRevisionSpec } from '../revision-spec.ts';

interface BranchOptions { force?: boolean }

const ARITY: Record<string, [number, number]> = { list: [0, 0], create: [1, 2], delete: [1, 1], rename: [2, 2] };

export function registerBranch(program: Command, run: Runner): void {
  program
    .command('branch')
    .description('list, create, delete or rename the branches of an arena')
    .argument('<arena>', 'the arena')
    .argument('[action]', 'list (default), create NAME [REV], delete NAME, rename OLD NEW')
    .argument('[args...]', 'the action\'s arguments')
    .option('-f, --force', 'allow deleting the default branch main')
    .action(async (arenaArg: string, action: string | undefined, args: string[], opts: BranchOptions, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      const verb = action ?? 'list';
      const arity = ARITY[verb];
      if (arity === undefined) throw new UsageError('USAGE', `unknown branch action ${JSON.stringify(verb)}: use list, create, delete or rename`);
      if (args.length < arity[0] || args.length > arity[1]) throw new UsageError('USAGE', `branch ${verb} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]}-${arity[1]}`} argument(s), got ${args.length}`);
      const store = await ctx.openStore();
      const arena = requireArena(store, name);

      if (verb === 'list') {
        const branches = listBranches(store, arena.id);
        ctx.out.result({ arena: arena.name, branches });
        if (branches.length === 0) ctx.out.note(`arena ${arena.name} has no branches yet`);
        for (const line of columns(branches.map((b) => [b.name === DEFAULT_BRANCH ? `* ${b.name}` : `  ${b.name}`, b.commit]))) ctx.out.line(line);
        return;
      }
      if (verb === 'create') {
        const branch = checkBranchName(args[0]!);
        if (args[1] !== undefined) checkRevision(args[1]);
        const { id } = await resolveSpec(store, { arena: arena.name, rev: args[1] });
        if (getBranch(store, arena.id, branch) !== undefined) throw new HistoryError('BRANCH_EXISTS', `branch ${branch} exists already in arena ${arena.name}`);
        await moveBranch(store, arena.id, branch, id, { command: 'branch create', reason: `create ${branch} at ${args[1] ?? DEFAULT_BRANCH}`, expect: null })
          .catch((e: unknown) => { throw (e as { code?: string }).code === 'BRANCH_MOVED' ? new HistoryError('BRANCH_EXISTS', `branch ${branch} exists already in arena ${arena.name}`) : e; });
        ctx.out.result({ arena: arena.name, action: 'create', branch, commit: id });
        ctx.out.line(`created branch ${branch} at ${id}`);
        return;
      }
      if (verb === 'delete') {
        const branch = checkBranchName(args[0]!);
        if (branch === DEFAULT_BRANCH && opts.force !== true) throw new UsageError('NEEDS_FORCE', `refusing to delete the default branch ${DEFAULT_BRANCH} without --force`);
        const old = getBranch(store, arena.id, branch);
        if (old === undefined) throw new HistoryError('NO_SUCH_BRANCH', `branch ${branch} does not exist in arena ${arena.name}`);
        await moveBranch(store, arena.id, branch, null, { command: 'branch delete', reason: `delete ${branch}`, expect: old });
        ctx.out.result({ arena: arena.name, action: 'delete', branch, commit: old });
        ctx.out.line(`deleted branch ${branch} (was ${old}; it stays in lode reflog ${arena.name})`);
        return;
      }
      const from = checkBranchName(args[0]!);
      const to = checkBranchName(args[1]!);
      if (from === DEFAULT_BRANCH && opts.force !== true) throw new UsageError('NEEDS_FORCE', `refusing to rename the default branch ${DEFAULT_BRANCH} without --force`);
      const commit = await renameBranch(store, arena.id, from, to, { command: 'branch rename', reason: `rename ${from} to ${to}` });
      ctx.out.result({ arena: arena.name, action: 'rename', from, to, commit });
      ctx.out.line(`renamed branch ${from} to ${to} (at ${commit})`);
    }));
}
