// `lode diff ARENA REV1 REV2`: what changed between two versions: `+ path`, `- path`, `M path`, and
// `R from -> to` where the same blob moved.
import type { Command } from 'commander';
import { diffTrees } from '../../history/index.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { checkRevision, parseRevisionSpec } from '../revision-spec.ts';

export function registerDiff(program: Command, run: Runner): void {
  program
    .command('diff')
    .description('show paths added, removed, modified and renamed between two versions')
    .argument('<arena>', 'the arena')
    .argument('<rev1>', 'the older revision')
    .argument('[rev2]', 'the newer revision (default: main)')
    .action(async (arenaArg: string, rev1: string, rev2: string | undefined, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      checkRevision(rev1);
      if (rev2 !== undefined) checkRevision(rev2);
      const store = await ctx.openStore();
      const a = await resolveSpec(store, { arena: name, rev: rev1 });
      const b = await resolveSpec(store, { arena: name, rev: rev2 });
      const changes = await diffTrees(store, a.commit.tree, b.commit.tree);
      ctx.out.result({ arena: a.arena.name, from: a.id, to: b.id, changes });
      for (const c of changes) {
        if (c.change === 'added') ctx.out.line(ctx.out.paint('green', `+ ${c.path}`));
        else if (c.change === 'removed') ctx.out.line(ctx.out.paint('red', `- ${c.path}`));
        else if (c.change === 'modified') ctx.out.line(ctx.out.paint('yellow', `M ${c.path}`));
        else ctx.out.line(`R ${c.from ?? '?'} -> ${c.path}`);
      }
    }));
}
