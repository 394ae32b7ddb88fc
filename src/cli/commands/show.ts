// `lode show ARENA[@REV]`: one commit: id, parents, author, date, message, signature status, and the
// diff against its first parent as `lode diff` prints it (path lines, then unified line diffs).
import type { Command } from 'commander';
import { diffTrees, signatureStatus } from '../../history/index.ts';
import { formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { printFileDiff } from './diff.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

export function registerShow(program: Command, run: Runner): void {
  program
    .command('show')
    .description('show a commit and what it changed against its first parent')
    .argument('<arena>', 'ARENA or ARENA@REV (default: main)')
    .action(async (spec: string, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: false });
      const store = await ctx.openStore();
      const { arena, id, commit } = await resolveSpec(store, parsed);
      const parent = commit.parents[0];
      const parentTree = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;
      const changes = await diffTrees(store, parentTree, commit.tree);
      const signature = signatureStatus(commit);
      ctx.out.result({
        arena: arena.name, id, tree: commit.tree, parents: commit.parents, author: commit.author,
        time: new Date(commit.time).toISOString(), message: commit.message, signature, changes,
      });
      ctx.out.line(`commit ${ctx.out.paint('yellow', id)}`);
      for (const p of commit.parents) ctx.out.line(`parent ${p}`);
      ctx.out.line(`author ${commit.author}`);
      ctx.out.line(`date   ${formatDate(commit.time)}`);
      ctx.out.line(`signature ${signature === 'good' ? ctx.out.paint('green', 'good') : ctx.out.paint('red', signature)}`);
      ctx.out.line('');
      for (const line of commit.message.split('\n')) ctx.out.line(`    ${line}`);
      ctx.out.line('');
      // The same lines as `lode diff`.
      for (const c of changes) {
        if (c.change === 'added') ctx.out.line(ctx.out.paint('green', `+ ${c.path}`));
        else if (c.change === 'removed') ctx.out.line(ctx.out.paint('red', `- ${c.path}`));
        else if (c.change === 'modified') ctx.out.line(ctx.out.paint('yellow', `M ${c.path}`));
        else ctx.out.line(`R ${c.from ?? '?'} -> ${c.path}`);
      }
      if (ctx.out.json || changes.length === 0) return;
      ctx.out.line('');
      for (const c of changes) await printFileDiff(store, ctx.out, c);
    }));
}
