import { createArena, getBranch, listArenas } from "../../history/index.js";
import { columns, formatDate } from "../format.js";
import { checkArenaName } from "../revision-spec.js";
export function registerArena(program, run) {
    const arena = program.command('arena').description('create and list arenas');
    arena
        .command('create')
        .description('create an arena with its own ed25519 keypair')
        .argument('<name>', 'the arena name')
        .action(async (name, _opts, cmd) => run(cmd, async (ctx) => {
        checkArenaName(name);
        const store = await ctx.openStore();
        const record = await createArena(store, name);
        ctx.out.result({ name: record.name, id: record.id, created: new Date(record.created).toISOString() });
        ctx.out.line(`created arena ${record.name} ${record.id}`);
    }));
    arena
        .command('list')
        .description('list the arenas in the store')
        .action(async (_opts, cmd) => run(cmd, async (ctx) => {
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
        for (const line of columns([['NAME', 'ID', 'CREATED', 'HEAD'], ...rows]))
            ctx.out.line(line);
    }));
}
