export function registerId(program, run) {
    program
        .command('id')
        .description("print this node's id (creates the store and node key on first use)")
        .action(async (_opts, cmd) => run(cmd, async (ctx) => {
        const store = await ctx.openStore();
        ctx.out.result({ node_id: store.identity.nodeId, store: store.path });
        ctx.out.line(store.identity.nodeId);
    }));
}
