// `lode daemon`: runs this node from lode.toml (store, arenas, peers, listen addresses) until SIGINT or
// SIGTERM. It prints the node id and its listen addresses (with /p2p/ ids), then logs to stderr.
import type { Command } from 'commander';
import { runDaemon, stderrLog } from '../../daemon/index.ts';
import { inactiveAfterMs } from '../config.ts';
import type { Runner } from '../context.ts';

export function registerDaemon(program: Command, run: Runner): void {
  program
    .command('daemon')
    .description('run this node: listen, connect to the peers of lode.toml, and replicate its arenas until stopped')
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const config = ctx.config();
      const store = await ctx.openStore();
      const signal = ctx.interruptible();
      await runDaemon({
        config,
        store,
        signal,
        log: stderrLog({ debug: ctx.opts.debug }),
        inactiveAfterMs: inactiveAfterMs(config),
        onReady: (daemon) => {
          const listen = daemon.listenAddrs();
          ctx.out.result({ node_id: daemon.nodeId, store: store.path, listen });
          ctx.out.line(`node ${daemon.nodeId}`);
          for (const addr of listen) ctx.out.line(`listening ${addr}`);
          if (listen.length === 0) ctx.out.line('listening nowhere (deaf node: it only dials out)');
        },
      });
    }));
}
