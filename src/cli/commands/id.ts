// `lode id`: prints this node's id (the hex ed25519 public key), creating the store and key on first use.
import type { Command } from 'commander';
import type { Runner } from '../context.ts';

export function registerId(program: Command, run: Runner): void {
  program
    .command('id')
    .description("print this node's id (creates the store and node key on first use)")
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const store = await ctx.openStore();
      ctx.out.result({ node_id: store.identity.nodeId, store: store.path });
      ctx.out.line(store.identity.nodeId);
    }));
}
