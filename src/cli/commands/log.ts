// `lode log ARENA[@REV]`: the history of a branch, newest first: id, date, author, message; with --graph,
// an ASCII graph of the merges beside it, as `git log --graph`.
import type { Command } from 'commander';
import { UsageError, type CommitId, type TreeId } from '../../core/index.ts';
import { logGraph, walkLogBatches, type LogItem } from '../../history/index.ts';
import { formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

interface LogOptions { limit?: string; graph?: boolean }

/** Output goes out in writes of about this many characters: one write per line costs a syscall each. */
const WRITE_CHARS = 64 * 1024;

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('BAD_ARGUMENT', `--limit wants a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function jsonCommit({ id, commit: c }: LogItem): { id: CommitId; tree: TreeId; parents: CommitId[]; author: string; time: string; message: string } {
  return { id, tree: c.tree, parents: c.parents, author: c.author, time: new Date(c.time).toISOString(), message: c.message };
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
      const walk = walkLogBatches(store, id, limit === undefined ? {} : { limit });
      const describe = ({ id: cid, commit: c }: LogItem): string => {
        const nl = c.message.indexOf('\n');
        const subject = nl < 0 ? c.message : c.message.slice(0, nl);
        return `${ctx.out.paint('yellow', cid.slice(0, 12))}  ${formatDate(c.time)}  ${c.author.slice(0, 8)}  ${subject}`;
      };
      const lines = new BatchedLines((text) => ctx.out.line(text));
      if (!ctx.out.json && opts.graph !== true) {
        // Streamed: the first lines show before the walk ends, and memory does not grow with the history.
        for await (const batch of walk) for (const item of batch) lines.add(describe(item));
        lines.flush();
        return;
      }
      const items: LogItem[] = [];
      for await (const batch of walk) items.push(...batch);
      if (ctx.out.json) {
        ctx.out.result({ arena: arena.name, arena_id: arena.id, commits: items.map(jsonCommit) });
        return;
      }
      const byId = new Map(items.map((item) => [item.id, item]));
      for (const row of logGraph(items.map((item) => ({ id: item.id, parents: item.commit.parents })))) {
        const item = row.commit === undefined ? undefined : byId.get(row.commit);
        lines.add(item === undefined ? row.graph : `${row.graph} ${describe(item)}`);
      }
      lines.flush();
    }));
}

/** Joins lines into large writes; `write` gets the text without its final newline. */
class BatchedLines {
  readonly #write: (text: string) => void;
  #pending: string[] = [];
  #chars = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  add(line: string): void {
    this.#pending.push(line);
    this.#chars += line.length + 1;
    if (this.#chars >= WRITE_CHARS) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    this.#write(this.#pending.join('\n'));
    this.#pending = [];
    this.#chars = 0;
  }
}
