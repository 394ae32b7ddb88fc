// How CLI commands reach the running daemon: through the control socket of the store they would open.
// `lode peers` and `lode sync status` ask for status; Context.close() reports branch moves; `lode status`
// asks for the worktree's change journal.
import { controlRequest, controlSocketPath, type DaemonStatus } from '../daemon/index.ts';
import type { ChangeSource } from '../worktree/index.ts';
import type { Context } from './context.ts';

/** A status waits at most this long for the daemon (whose cookie wait is 2 s) before it walks everything. */
const JOURNAL_TIMEOUT_MS = 3000;

export async function daemonStatusOf(ctx: Context): Promise<DaemonStatus> {
  const { dir } = ctx.storeLocation();
  return (await controlRequest(controlSocketPath(dir), { op: 'status' })) as unknown as DaemonStatus;
}

/**
 * The daemon's change journal for the worktree at `root`. No daemon, an old one without journals, a
 * failure or a malformed reply all mean the same, quietly: no answer, so status walks everything.
 */
export function worktreeChangesOf(ctx: Context, root: string): ChangeSource {
  const socket = controlSocketPath(ctx.storeLocation().dir);
  return async (since) => {
    let reply: Record<string, unknown>;
    try {
      reply = await controlRequest(socket, { op: 'worktree-changes', root, ...(since === undefined ? {} : { since }) }, { timeoutMs: JOURNAL_TIMEOUT_MS });
    } catch {
      return undefined;
    }
    const { token, dirs } = reply;
    if (typeof token !== 'string') return undefined;
    if (dirs === null) return { token, dirs: null };
    if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === 'string')) return undefined;
    return { token, dirs: dirs as string[] };
  };
}

/** What `lode sync wait` reports: when the daemon saw the branch reach the commit. */
export interface BranchArrivalReply { arena: string; arena_id: string; branch: string; commit: string; moved_at: string | null; moved_at_ms: number | null }

/** Waits (through the daemon) until `branch` of `arena` is at `commit`; WAIT_TIMEOUT after `timeoutMs`. */
export async function waitForBranch(ctx: Context, arena: string, branch: string, commit: string, timeoutMs: number): Promise<BranchArrivalReply> {
  const { dir } = ctx.storeLocation();
  const reply = await controlRequest(controlSocketPath(dir), { op: 'wait-branch', arena, branch, commit, timeout_ms: timeoutMs }, { timeoutMs: timeoutMs + 5000 });
  return reply as unknown as BranchArrivalReply;
}
