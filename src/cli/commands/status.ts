// `lode status [PATH...]`: the worktree against HEAD, as git prints it: added, modified, deleted,
// renamed and conflicted paths, fast on an unchanged tree through the stat cache. Never moves anything.
// Outside a worktree, with a daemon running for the store, a summary of the daemon instead.
import type { Command } from 'commander';
import { isLodeError } from '../../core/index.ts';
import type { DaemonStatus } from '../../daemon/index.ts';
import { findWorktreeRoot, headState, headTree, worktreePath, worktreeStatus, type WorktreeChange } from '../../worktree/index.ts';
import { daemonStatusOf, worktreeChangesOf } from '../daemon-client.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { headJson, headLine, openWorktree } from '../worktree-context.ts';

const LETTER: Record<WorktreeChange['change'], string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', conflicted: 'C' };

function within(path: string, filters: string[]): boolean {
  return filters.length === 0 || filters.some((f) => f === '' || path === f || path.startsWith(`${f}/`));
}

export function changeLine(c: WorktreeChange): string {
  const shown = c.kind === 'dir' ? `${c.path}/` : c.path;
  return `  ${LETTER[c.change]}  ${c.from === undefined ? shown : `${c.from} -> ${shown}`}`;
}

async function status(ctx: Context, paths: string[]): Promise<ExitStatus> {
  // Outside a worktree, a running daemon for the store is what there is to report; without one, the
  // worktree error below stands.
  if (findWorktreeRoot(process.cwd()) === undefined && paths.length === 0) {
    const daemon = await runningDaemon(ctx);
    if (daemon !== undefined) return daemonSummary(ctx, daemon);
  }
  const { binding, store, arena, cwd } = await openWorktree(ctx);
  const filters = paths.map((p) => worktreePath(binding.root, cwd, p));
  const head = headState(store, binding);
  // A running daemon's change journal spares the walk of what did not change; without one, everything is walked.
  const result = await worktreeStatus(store, binding, await headTree(store, head), { signal: ctx.interruptible(), changes: worktreeChangesOf(ctx, binding.root) });
  const changes = result.changes.filter((c) => within(c.path, filters) || (c.from !== undefined && within(c.from, filters)));

  for (const p of result.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({
    arena: arena.name, root: binding.root, head: headJson(head),
    changes: changes.map((c) => ({ change: c.change, path: c.path, ...(c.from === undefined ? {} : { from: c.from }), kind: c.kind })),
    conflicts: result.conflicts.filter((p) => within(p, filters)), clean: changes.length === 0, problems: result.problems, walk: result.walk,
  });
  ctx.out.line(headLine(head));
  if (changes.length === 0) {
    ctx.out.line(head.state === 'unborn' ? 'nothing to commit (create files and run lode commit)' : 'nothing to commit, working tree clean');
    return EXIT.OK;
  }
  const unresolved = changes.filter((c) => c.change === 'conflicted');
  const others = changes.filter((c) => c.change !== 'conflicted');
  if (others.length > 0) {
    ctx.out.line('Changes:');
    for (const c of others) ctx.out.line(ctx.out.paint(c.change === 'deleted' ? 'red' : 'green', changeLine(c)));
  }
  if (unresolved.length > 0) {
    ctx.out.line('Unresolved conflicts (edit the file to resolve it, or use lode resolve):');
    for (const c of unresolved) ctx.out.line(ctx.out.paint('red', changeLine(c)));
  }
  return EXIT.OK;
}

async function runningDaemon(ctx: Context): Promise<DaemonStatus | undefined> {
  try {
    return await daemonStatusOf(ctx);
  } catch (e) {
    // No daemon: the worktree error is the one to report. A malformed lode.toml is reported as itself.
    if (isLodeError(e) && e.code !== 'BAD_CONFIG') return undefined;
    throw e;
  }
}

function daemonSummary(ctx: Context, d: DaemonStatus): ExitStatus {
  const connected = d.peers.filter((p) => p.connected).length;
  const arenas = d.arenas.map((a) => ({
    name: a.name, id: a.id, writable: a.writable, branches: a.branches,
    heads: a.heads.map((h) => ({ author: h.author, own: h.own, branch: h.branch, commit: h.commit })),
    fetching: a.transfers.length,
  }));
  ctx.out.result({ worktree: null, daemon: { node_id: d.node_id, pid: d.pid, store: d.store, listen: d.listen, peers: { connected, total: d.peers.length }, arenas } });
  ctx.out.line(`Not in a worktree; daemon running for ${d.store} (pid ${d.pid})`);
  ctx.out.line(`node ${d.node_id}`);
  for (const addr of d.listen) ctx.out.line(`listening ${addr}`);
  if (d.listen.length === 0) ctx.out.line('listening nowhere (dials out only)');
  ctx.out.line(`peers ${connected}/${d.peers.length} connected`);
  for (const a of d.arenas) {
    const branches = a.branches.map((b) => `${b.name} ${b.commit.slice(0, 12)}`).join(', ') || 'no commits yet';
    const fromPeers = a.heads.filter((h) => !h.own).length;
    const fetching = a.transfers.length > 0 ? `, fetching ${a.transfers.length}` : '';
    ctx.out.line(`arena ${a.name}${a.writable ? '' : ' (read-only)'}: ${branches} (${fromPeers} heads from peers${fetching})`);
  }
  return EXIT.OK;
}

export function registerStatus(program: Command, run: Runner): void {
  program
    .command('status')
    .description('show what the worktree changed against HEAD; outside a worktree, what the running daemon sees')
    .argument('[paths...]', 'only these paths (relative to the current directory, inside the worktree)')
    .action(async (paths: string[], _opts: object, cmd: Command) => run(cmd, (ctx) => status(ctx, paths)));
}
