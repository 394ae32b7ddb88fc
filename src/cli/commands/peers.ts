// `lode peers`: the household as the running daemon sees it: each configured peer, connected or not,
// its addresses and its last error. Needs a running daemon (DAEMON_NOT_RUNNING otherwise).
import type { Command } from 'commander';
import type { Runner } from '../context.ts';
import { daemonStatusOf } from '../daemon-client.ts';
import { columns } from '../format.ts';

export function registerPeers(program: Command, run: Runner): void {
  program
    .command('peers')
    .description("list the household's peers and their connections (asks the running daemon)")
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const status = await daemonStatusOf(ctx);
      ctx.out.result({ node_id: status.node_id, listen: status.listen, peers: status.peers });
      if (status.peers.length === 0) {
        ctx.out.note('no peers in lode.toml; add [[peers]] entries with their node_id (from `lode id`)');
        return;
      }
      const rows = status.peers.map((p) => [
        p.name ?? '-',
        p.node_id.slice(0, 16),
        p.connected ? (p.syncing ? 'connected' : 'connected (no sync)') : 'offline',
        p.addrs.length === 0 ? '(dials us)' : p.addrs.join(' '),
        p.last_error === null ? '' : `${p.last_error.at} ${p.last_error.reason}`,
      ]);
      for (const line of columns([['NAME', 'NODE', 'STATE', 'ADDRESSES', 'LAST ERROR'], ...rows])) ctx.out.line(line);
    }));
}
