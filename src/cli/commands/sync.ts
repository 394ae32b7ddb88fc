// `lode sync status`: per arena, the local branches, the heads known from peers (their signed head
// entries) and the commits being fetched, and the sync work in progress, from the running daemon
// (DAEMON_NOT_RUNNING otherwise). `lode sync wait`: block until the daemon's branch reaches a commit.
import type { Command } from 'commander';
import type { Runner } from '../context.ts';
import { columns, formatBytes } from '../format.ts';
import { daemonStatusOf, waitForBranch } from '../daemon-client.ts';
import { UsageError } from '../../core/index.ts';

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
  sync
    .command('wait')
    .description('wait until the running daemon\'s branch of ARENA is at COMMIT (a full commit id), e.g. one made on another node')
    .argument('<arena>', 'arena name or id')
    .argument('<commit>', 'full commit id (64 hex digits)')
    .option('-b, --branch <name>', 'the branch', 'main')
    .option('--timeout <seconds>', 'give up after this long (exit 1)', '60')
    .action(async (arena: string, commit: string, opts: { branch: string; timeout: string }, cmd: Command) => run(cmd, async (ctx) => {
      const seconds = Number(opts.timeout);
      if (!(seconds >= 0 && seconds <= 86_400)) throw new UsageError('BAD_ARGUMENT', `--timeout takes seconds from 0 to 86400, got ${opts.timeout}`);
      if (!/^[0-9a-f]{64}$/.test(commit)) throw new UsageError('BAD_REVISION', `${commit} is not a full commit id (64 hex digits): the commit may not be here yet, so a prefix cannot be resolved`);
      const r = await waitForBranch(ctx, arena, opts.branch, commit, Math.round(seconds * 1000));
      ctx.out.result({ arena: r.arena, arena_id: r.arena_id, branch: r.branch, commit: r.commit, moved_at: r.moved_at });
      ctx.out.line(`${r.arena} ${r.branch} is at ${r.commit.slice(0, 12)}${r.moved_at === null ? '' : ` (since ${r.moved_at})`}`);
    }));
}
