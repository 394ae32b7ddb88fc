// `lode ls ARENA[@REV] [PATH]`: a long listing (mode, size, mtime, name) of a directory in a version;
// `--json` gives each entry's blob id (equal to `b3sum` of the file); `-r` walks the whole subtree.
import type { Command } from 'commander';
import { UsageError, type TreeEntry } from '../../core/index.ts';
import { lookupPath, walkTree } from '../../history/index.ts';
import { columns, formatMode, formatMtime, formatOctalMode, mtimeToIso } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { normaliseTreePath, parseRevisionSpec } from '../revision-spec.ts';

interface LsOptions { recursive?: boolean }

function entryJson(path: string, e: TreeEntry): Record<string, unknown> {
  const base = { path, name: e.name, kind: e.kind, mode: formatOctalMode(e.mode), mtime: mtimeToIso(e.mtime), mtime_ns: `${e.mtime.sec}${String(e.mtime.nsec).padStart(9, '0')}` };
  if (e.kind === 'file') return { ...base, size: e.size, blob: e.blob };
  if (e.kind === 'dir' || e.kind === 'conflict') return { ...base, tree: e.tree };
  return { ...base, target: e.target };
}

function entryRow(path: string, e: TreeEntry): string[] {
  const size = e.kind === 'file' ? String(e.size) : e.kind === 'symlink' ? String(Buffer.byteLength(e.target)) : '-';
  const name = e.kind === 'dir' ? `${path}/` : e.kind === 'symlink' ? `${path} -> ${e.target}` : e.kind === 'conflict' ? `${path} (conflict)` : path;
  return [formatMode(e.kind, e.mode), size, formatMtime(e.mtime), name];
}

export function registerLs(program: Command, run: Runner): void {
  program
    .command('ls')
    .description('list a directory of a version: mode, size, mtime, name')
    .argument('<arena>', 'ARENA, ARENA@REV or ARENA@REV:PATH (default revision: main)')
    .argument('[path]', 'the directory or file inside the version (default: the root)')
    .option('-r, --recursive', 'list the whole subtree')
    .action(async (spec: string, pathArg: string | undefined, opts: LsOptions, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: true });
      if (parsed.path !== undefined && pathArg !== undefined) throw new UsageError('BAD_ARGUMENT', 'give the path either as ARENA@REV:PATH or as a separate argument, not both');
      const path = parsed.path ?? normaliseTreePath(pathArg ?? '');
      const store = await ctx.openStore();
      const { arena, id, commit } = await resolveSpec(store, parsed);
      const found = await lookupPath(store, commit.tree, path);

      const listed: { path: string; entry: TreeEntry }[] = [];
      if (found.kind !== 'dir') listed.push({ path: found.name, entry: found });
      else if (opts.recursive === true) for await (const item of walkTree(store, found.tree)) listed.push(item);
      else for (const entry of (await store.typed.getTree(found.tree)).entries) listed.push({ path: entry.name, entry });

      ctx.out.result({ arena: arena.name, commit: id, path, entries: listed.map((l) => entryJson(l.path, l.entry)) });
      for (const line of columns(listed.map((l) => entryRow(l.path, l.entry)), ['left', 'right'])) ctx.out.line(line);
    }));
}
