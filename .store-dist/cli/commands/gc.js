import { gc } from "../../store/index.js";
import { formatBytes } from "../format.js";
import { collectRoots } from "../roots.js";
export function registerGc(program, run) {
    program
        .command('gc')
        .description('delete data that no branch head or reflog entry reaches')
        .action(async (_opts, cmd) => run(cmd, async (ctx) => {
        const store = await ctx.openStore();
        const roots = collectRoots(store);
        const report = await gc(store, roots.roots);
        ctx.out.result({ roots: roots.roots.length, ...report });
        ctx.out.line(`kept ${report.liveObjects} live objects reached from ${roots.roots.length} roots`);
        ctx.out.line(`deleted ${report.deletedObjects} objects, ${report.deletedPacks} packs (${report.leftoverPacks} left over by interrupted writers); repacked ${report.repackedPacks} packs`);
        ctx.out.line(`freed ${formatBytes(report.bytesFreed)}`);
    }));
}
