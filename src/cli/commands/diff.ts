// `lode diff ARENA REV1 [REV2]`: what changed between two versions. First the path summary (`+ path`,
// `- path`, `M path`, `R from -> to`), then git-style unified line diffs of the text files that changed.
// `--name-status` prints the summary alone; --json keeps the path-level document.
import type { Command } from 'commander';
import type { TreeEntry } from '../../core/index.ts';
import { diffTrees, looksBinary, unifiedDiff, type DiffEntry } from '../../history/index.ts';
import type { Store } from '../../store/index.ts';
import type { Runner } from '../context.ts';
import type { Output } from '../output.ts';
import { resolveSpec } from '../resolve.ts';
import { checkRevision, parseRevisionSpec } from '../revision-spec.ts';

/** Beyond this size a file gets a one-line note, not a line diff: both sides are held in memory. */
export const MAX_TEXT_DIFF_BYTES = 8 * 1024 * 1024;

interface DiffOptions { nameStatus?: boolean }

/** A side of a file diff: its text, or why it has none. */
type Side = { text: string } | { binary: true } | { tooBig: true };

async function readSide(store: Store, entry: TreeEntry | undefined): Promise<Side> {
  if (entry === undefined) return { text: '' };
  if (entry.kind === 'symlink') return { text: entry.target };
  if (entry.kind !== 'file') return { text: '' };
  if (entry.size > MAX_TEXT_DIFF_BYTES) return { tooBig: true };
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of store.blobs.read(entry.blob)) {
    size += chunk.length;
    // The entry's size is what the snapshot recorded; the cap holds even if the blob says otherwise.
    if (size > MAX_TEXT_DIFF_BYTES) return { tooBig: true };
    parts.push(chunk);
  }
  const bytes = Buffer.concat(parts);
  if (looksBinary(bytes)) return { binary: true };
  return { text: bytes.toString('utf8') };
}

function isContent(entry: TreeEntry | undefined): boolean {
  return entry === undefined || entry.kind === 'file' || entry.kind === 'symlink';
}

/** Prints one change's unified line diff (or a note for binary and large files); `lode show` uses it too. */
export async function printFileDiff(store: Store, out: Output, change: DiffEntry): Promise<void> {
  const oldEntry = change.change === 'added' ? undefined : change.old;
  const newEntry = change.change === 'removed' ? undefined : change.new;
  // Directories have no content of their own; their files are separate changes.
  if (!isContent(oldEntry) || !isContent(newEntry) || (oldEntry === undefined && newEntry === undefined)) return;
  const oldPath = change.change === 'renamed' ? (change.from ?? change.path) : change.path;
  const aName = `a/${oldPath}`;
  const bName = `b/${change.path}`;
  const aLabel = oldEntry === undefined ? '/dev/null' : aName;
  const bLabel = newEntry === undefined ? '/dev/null' : bName;
  const a = await readSide(store, oldEntry);
  const b = await readSide(store, newEntry);
  const header = `diff --lode ${aName} ${bName}`;
  if ('tooBig' in a || 'tooBig' in b) {
    out.line(out.paint('bold', header));
    out.line(`Large files ${aLabel} and ${bLabel} differ (over 8 MiB; no line diff)`);
    return;
  }
  if ('binary' in a || 'binary' in b) {
    out.line(out.paint('bold', header));
    out.line(`Binary files ${aLabel} and ${bLabel} differ`);
    return;
  }
  const text = unifiedDiff(a.text, b.text, { aLabel, bLabel });
  if (text === '') return;
  out.line(out.paint('bold', header));
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('---') || line.startsWith('+++')) out.line(out.paint('bold', line));
    else if (line.startsWith('@@')) out.line(out.paint('yellow', line));
    else if (line.startsWith('+')) out.line(out.paint('green', line));
    else if (line.startsWith('-')) out.line(out.paint('red', line));
    else out.line(line);
  }
}

export function registerDiff(program: Command, run: Runner): void {
  program
    .command('diff')
    .description('show what changed between two versions: the paths, then line diffs of text files')
    .argument('<arena>', 'the arena')
    .argument('<rev1>', 'the older revision')
    .argument('[rev2]', 'the newer revision (default: main)')
    .option('--name-status', 'print only the changed paths, no line diffs')
    .action(async (arenaArg: string, rev1: string, rev2: string | undefined, opts: DiffOptions, cmd: Command) => run(cmd, async (ctx) => {
      const { arena: name } = parseRevisionSpec(arenaArg, { allowPath: false });
      checkRevision(rev1);
      if (rev2 !== undefined) checkRevision(rev2);
      const store = await ctx.openStore();
      const a = await resolveSpec(store, { arena: name, rev: rev1 });
      const b = await resolveSpec(store, { arena: name, rev: rev2 });
      const changes = await diffTrees(store, a.commit.tree, b.commit.tree);
      ctx.out.result({ arena: a.arena.name, from: a.id, to: b.id, changes });
      for (const c of changes) {
        if (c.change === 'added') ctx.out.line(ctx.out.paint('green', `+ ${c.path}`));
        else if (c.change === 'removed') ctx.out.line(ctx.out.paint('red', `- ${c.path}`));
        else if (c.change === 'modified') ctx.out.line(ctx.out.paint('yellow', `M ${c.path}`));
        else ctx.out.line(`R ${c.from ?? '?'} -> ${c.path}`);
      }
      if (ctx.out.json || opts.nameStatus === true || changes.length === 0) return;
      ctx.out.line('');
      for (const c of changes) await printFileDiff(store, ctx.out, c);
    }));
}
