// How CLI commands reach the running daemon: through the control socket of the store they would open.
// `lode peers` and `lode sync status` ask for status; Context.close() reports branch moves.
import { controlRequest, controlSocketPath, type DaemonStatus } from '../daemon/index.ts';
import type { Context } from './context.ts';

export async function daemonStatusOf(ctx: Context): Promise<DaemonStatus> {
  const { dir } = ctx.storeLocation();
  return (await controlRequest(controlSocketPath(dir), { op: 'status' })) as unknown as DaemonStatus;
}
