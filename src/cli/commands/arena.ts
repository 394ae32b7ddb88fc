// `lode arena create NAME` and `lode arena list`: arenas are named datasets with their own keypair.
import type { Command } from 'commander';
import { createArena, getBranch, listArenas } from '../../history/index.ts';
import { columns, formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { checkArenaName } from '../revision-spec.ts';

export function registerArena(program: Command, run: Runner): void {
  const arena = program.command('arena').description('create and list arenas');

  arena
    .command('create')
    .description('create an arena with its own ed25519 keypair')
    .argument('<name>', 'the arena name')
    .action(async (name: string, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      checkArenaName(name);
      const store = await ctx.openStore();
      const record = await createArena(store, name);
      ctx.out.result({ name: record.name, id: record.id, created: new Date(record.created).toISOString() });
      ctx.out.line(`created arena ${record.name} ${record.id}`);
    }));

  arena
    .command('list')
    .description('list the arenas in the store')
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const store = await ctx.openStore();
      const arenas = listArenas(store).map((a) => ({
        name: a.name,
        id: a.id,
        created: a.created,
        writable: a.secretKey !== undefined,
        head: getBranch(store, a.id, 'main') ?? null,
      }));
      ctx.out.result({
        arenas: arenas.map((a) => ({ ...a, created: new Date(a.created).toISOString() })),
      });
      if (arenas.length === 0) {
        ctx.out.note('no arenas yet; `lode snapshot DIR --arena NAME` makes one');
        return;
      }
      const rows = arenas.map((a) => [a.name, a.id, formatDate(a.created), a.head === null ? '(empty)' : a.head.slice(0, 12)]);
      for (const line of columns([['NAME', 'ID', 'CREATED', 'HEAD'], ...rows])) ctx.out.line(line);
    }));
}
