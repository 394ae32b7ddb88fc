// `lode tag ARENA [list|create NAME [REV]|delete NAME]`: names for commits that never move. Creating an
// existing tag fails with TAG_EXISTS unless it already names the same commit, which changes nothing.
import type { Command } from 'commander';
import { UsageError } from '../../core/index.ts';
import { checkTagName, createTag, deleteTag, listTags, requireArena } from '../../history/index.ts';
import { columns, formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { checkRevision, parseRevisionSpec } from '../revision-spec.ts';

const ARITY: Record<string, [number, number]> = { list: [0, 0], create: [1, 2], delete: [1, 1] };

export function registerTag(program: Command, run: Runner): void {
  program
    .command('tag')
    .description('list, create or delete the tags of an arena (tags never move)')
    .argument('<arena>', 'the arena')
    .argument('[action]', 'list (default), create NAME [REV], delete NAME')
    .argument('[args...]', 'the action\'s arguments')
    .action(async (arenaArg: string, action: string | undefined, args: string[], _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      const verb = action ?? 'list';
      const arity = ARITY[verb];
      if (arity === undefined) throw new UsageError('USAGE', `unknown tag action ${JSON.stringify(verb)}: use list, create or delete`);
      if (args.length < arity[0] || args.length > arity[1]) throw new UsageError('USAGE', `tag ${verb} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]}-${arity[1]}`} argument(s), got ${args.length}`);
      const store = await ctx.openStore();
      const arena = requireArena(store, name);

      if (verb === 'list') {
        const tags = listTags(store, arena.id);
        ctx.out.result({ arena: arena.name, tags: tags.map((t) => ({ name: t.name, commit: t.commit, created: new Date(t.time).toISOString() })) });
        if (tags.length === 0) ctx.out.note(`arena ${arena.name} has no tags yet`);
        for (const line of columns(tags.map((t) => [t.name, t.commit, formatDate(t.time)]))) ctx.out.line(line);
        return;
      }
      const tag = checkTagName(args[0]!);
      if (verb === 'create') {
        if (args[1] !== undefined) checkRevision(args[1]);
        const { id } = await resolveSpec(store, { arena: arena.name, rev: args[1] });
        const created = await createTag(store, arena.id, tag, id);
        ctx.out.result({ arena: arena.name, action: 'create', tag, commit: id, created });
        ctx.out.line(created ? `created tag ${tag} at ${id}` : `tag ${tag} is already at ${id}`);
        return;
      }
      const old = await deleteTag(store, arena.id, tag);
      ctx.out.result({ arena: arena.name, action: 'delete', tag, commit: old });
      ctx.out.line(`deleted tag ${tag} (was ${old})`);
    }));
}
