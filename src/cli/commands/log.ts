// `lode log ARENA[@REV]`: the history of a branch, newest first: id, date, author, message; with --graph,
// an ASCII graph of the merges beside it, as `git log --graph`.
import type { Command } from 'commander';
import { UsageError, type CommitId, type TreeId } from '../../core/index.ts';
import { logGraph, walkLog } from '../../history/index.ts';
import { formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

interface LogOptions { limit?: string; graph?: boolean }
interface LogLine { id: CommitId; tree: TreeId; parents: CommitId[]; author: string; time: string; message: string; timeMs: number }

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('BAD_ARGUMENT', `--limit wants a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

export function registerLog(program: Command, run: Runner): void {
  program
    .command('log')
    .description('show the commits of an arena, newest first')
    .argument('<arena>', 'ARENA or ARENA@REV (default: main)')
    .option('-n, --limit <n>', 'show at most n commits')
    .option('--graph', 'draw the history as an ASCII graph beside the commits')
    .action(async (spec: string, opts: LogOptions, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: false });
      const limit = parseLimit(opts.limit);
      const store = await ctx.openStore();
      const { arena, id } = await resolveSpec(store, parsed);
      const commits: LogLine[] = [];
      for await (const item of walkLog(store, id, limit === undefined ? {} : { limit })) {
        const c = item.commit;
        commits.push({ id: item.id, tree: c.tree, parents: c.parents, author: c.author, time: new Date(c.time).toISOString(), message: c.message, timeMs: c.time });
      }
      ctx.out.result({ arena: arena.name, arena_id: arena.id, commits: commits.map(({ timeMs: _t, ...rest }) => rest) });
      const describe = (c: LogLine): string => {
        const subject = c.message.split('\n')[0] ?? '';
        return `${ctx.out.paint('yellow', c.id.slice(0, 12))}  ${formatDate(c.timeMs)}  ${c.author.slice(0, 8)}  ${subject}`;
      };
      if (opts.graph !== true) {
        for (const c of commits) ctx.out.line(describe(c));
        return;
      }
      const byId = new Map(commits.map((c) => [c.id, c]));
      for (const row of logGraph(commits)) {
        const c = row.commit === undefined ? undefined : byId.get(row.commit);
        ctx.out.line(c === undefined ? row.graph : `${row.graph} ${describe(c)}`);
      }
    }));
}
