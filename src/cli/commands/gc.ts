// `lode gc`: removes what no root reaches (branch heads and every commit in the reflog), under the
// store's exclusive lock. A crash at any point loses nothing still referenced (the store layer's promise).
import type { Command } from 'commander';
import { gc } from '../../store/index.ts';
import { formatBytes } from '../format.ts';
import type { Runner } from '../context.ts';
import { collectRoots } from '../roots.ts';

export function registerGc(program: Command, run: Runner): void {
  program
    .command('gc')
    .description('delete data that no branch head or reflog entry reaches')
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const store = await ctx.openStore();
      const roots = collectRoots(store);
      const report = await gc(store, roots.roots);
      ctx.out.result({ roots: roots.roots.length, ...report });
      ctx.out.line(`kept ${report.liveObjects} live objects reached from ${roots.roots.length} roots`);
      ctx.out.line(`deleted ${report.deletedObjects} objects, ${report.deletedPacks} packs (${report.leftoverPacks} left over by interrupted writers); repacked ${report.repackedPacks} packs`);
      ctx.out.line(`freed ${formatBytes(report.bytesFreed)}`);
    }));
}
