// `lode gc`: first prunes reflog rows older than `history.reflog_expire` (lode.toml, default 30d), then
// removes what no root reaches (branch heads, tags and every commit the remaining reflog names), under
// the store's exclusive lock. A crash at any point loses nothing still referenced (the store layer's promise).
import type { Command } from 'commander';
import { collectRoots, expireReflog } from '../../history/index.ts';
import { gc } from '../../store/index.ts';
import { reflogExpireMs } from '../config.ts';
import { formatBytes } from '../format.ts';
import type { Runner } from '../context.ts';

export function registerGc(program: Command, run: Runner): void {
  program
    .command('gc')
    .description('expire old reflog entries, then delete data that no branch head, tag or reflog entry reaches')
    .action(async (_opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const maxAge = reflogExpireMs(ctx.config());
      const store = await ctx.openStore();
      const reflogExpired = Number.isFinite(maxAge) ? await expireReflog(store, maxAge, Date.now()) : 0;
      const roots = collectRoots(store);
      const report = await gc(store, roots.roots);
      ctx.out.result({ roots: roots.roots.length, reflogExpired, ...report });
      ctx.out.line(`expired ${reflogExpired} reflog entries`);
      ctx.out.line(`kept ${report.liveObjects} live objects reached from ${roots.roots.length} roots`);
      ctx.out.line(`deleted ${report.deletedObjects} objects, ${report.deletedPacks} packs (${report.leftoverPacks} left over by interrupted writers); repacked ${report.repackedPacks} packs`);
      ctx.out.line(`freed ${formatBytes(report.bytesFreed)}`);
    }));
}
