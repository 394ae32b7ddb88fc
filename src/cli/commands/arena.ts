// `lode arena create|list|share|join`: arenas are named datasets with their own keypair. A ticket from
// `share` carries the arena id, and its write secret unless --read-only; `join` adds it on another node.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { decodeArenaTicket, encodeArenaTicket, type ArenaTicket } from '../../core/index.ts';
import { createArena, getBranch, joinArena, listArenas, requireArena } from '../../history/index.ts';
import { columns, formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { checkArenaName } from '../revision-spec.ts';

export function registerArena(program: Command, run: Runner): void {
  const arena = program.command('arena').description('create, list, share and join arenas');

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

  arena
    .command('share')
    .description('print a ticket that adds this arena on another node (with the write secret unless --read-only)')
    .argument('<name>', 'the arena name or id')
    .option('--read-only', 'leave out the write secret: the joining node replicates and serves, but cannot write')
    .action(async (name: string, opts: { readOnly?: boolean }, cmd: Command) => run(cmd, async (ctx) => {
      const store = await ctx.openStore();
      const record = requireArena(store, name);
      const ticket: ArenaTicket = { id: record.id, name: record.name };
      if (opts.readOnly !== true) {
        if (record.secretKey === undefined) ctx.out.warn(`lode: arena ${record.name} is read-only on this node, so the ticket is read-only too`);
        else ticket.secretKey = record.secretKey;
      }
      const writable = ticket.secretKey !== undefined;
      const text = encodeArenaTicket(ticket);
      ctx.out.result({ name: record.name, id: record.id, writable, ticket: text });
      ctx.out.line(text);
      ctx.out.note(writable
        ? `this ticket grants WRITE access to arena ${record.name}: anyone who holds it can sign new heads. Give it only to your own nodes; --read-only leaves the secret out`
        : `read-only ticket for arena ${record.name}: it lets a node replicate and serve the arena, not write to it`);
    }));

  arena
    .command('join')
    .description('add an arena from a ticket made by `lode arena share` on another node')
    .argument('<ticket>', 'the ticket (lode1...)')
    .option('--name <name>', 'the local name for the arena (default: the name in the ticket)')
    .option('--path <dir>', 'the worktree for the arena on this node (recorded with the arena)')
    .action(async (text: string, opts: { name?: string; path?: string }, cmd: Command) => run(cmd, async (ctx) => {
      const ticket = decodeArenaTicket(text);
      const name = checkArenaName(opts.name ?? ticket.name);
      const path = opts.path === undefined ? undefined : resolve(opts.path);
      const store = await ctx.openStore();
      const record = await joinArena(store, name, ticket.id, ticket.secretKey, path === undefined ? {} : { path });
      const writable = record.secretKey !== undefined;
      ctx.out.result({ name: record.name, id: record.id, writable, path: record.path ?? null, created: new Date(record.created).toISOString() });
      ctx.out.line(`joined arena ${record.name} ${record.id} (${writable ? 'read-write' : 'read-only'})${path === undefined ? '' : ` at ${path}`}`);
    }));
}
