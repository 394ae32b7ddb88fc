// `lode sync status`: per arena, the local branches, the heads known from peers (their signed head
// entries) and the commits being fetched, and the sync work in progress, from the running daemon
// (DAEMON_NOT_RUNNING otherwise).
import type { Command } from 'commander';
import type { Runner } from '../context.ts';
import { columns, formatBytes } from '../format.ts';
import { daemonStatusOf } from '../daemon-client.ts';

export function registerSync(program: Command, run: Runner): void {
  const sync = program.command('sync').description('replication between the peers of the household');
  sync
    .command('status')
    .description('per arena: local heads, heads known from peers, sync work in progress (asks the running daemon)')
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const status = await daemonStatusOf(ctx);
      ctx.out.result({ node_id: status.node_id, arenas: status.arenas, sync: status.sync });
      const names = new Map(status.peers.map((p) => [p.node_id, p.name ?? p.node_id.slice(0, 12)]));
      for (const arena of status.arenas) {
        ctx.out.line(`arena ${arena.name} ${arena.id}${arena.writable ? '' : ' (read-only)'}`);
        const rows: string[][] = [['', 'BRANCH', 'COMMIT', 'FROM', 'TIME']];
        for (const b of arena.branches) rows.push(['local', b.name, b.commit.slice(0, 12), '', '']);
        for (const h of arena.heads) {
          rows.push([h.own ? 'own' : 'peer', h.branch, h.commit.slice(0, 12), h.own ? 'this node' : (names.get(h.author) ?? h.author.slice(0, 12)), h.timestamp]);
        }
        for (const line of columns(rows)) ctx.out.line(`  ${line}`);
        for (const t of arena.transfers) {
          ctx.out.line(`  fetching ${t.branch} ${t.commit.slice(0, 12)}: ${t.objects_received} objects (${formatBytes(t.bytes_received)}) received, ${t.objects_outstanding} outstanding`);
        }
      }
      if (status.arenas.length === 0) ctx.out.note('no arenas replicated: list them under [[arenas]] in lode.toml');
      ctx.out.line(`sync tasks in progress: ${status.sync.tasks}`);
      ctx.out.line(`received from peers since the daemon started: ${status.sync.objects_received} objects (${formatBytes(status.sync.bytes_received)})`);
    }));
}
