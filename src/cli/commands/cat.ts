// `lode cat ARENA[@REV]:PATH`: streams a file's bytes to stdout, each chunk verified before it is written;
// a corrupt chunk stops the stream with CORRUPT (exit 5) rather than passing on wrong bytes. With --json
// the bytes come base64-encoded inside one JSON document.
import type { Command } from 'commander';
import { UsageError } from '../../core/index.ts';
import { lookupPath, readConflict, CONFLICT_SIDES, type ConflictSide, type PlainEntry } from '../../history/index.ts';
import type { Store } from '../../store/index.ts';
import type { TreeEntry } from '../../core/index.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

/** Base64 of a byte stream, chunk by chunk: a remainder of 1-2 bytes waits for the next chunk. */
class Base64Stream {
  private carry: Buffer = Buffer.alloc(0);
  push(chunk: Uint8Array): string {
    const all = Buffer.concat([this.carry, chunk]);
    const whole = all.length - (all.length % 3);
    this.carry = all.subarray(whole);
    return all.subarray(0, whole).toString('base64');
  }
  end(): string {
    return this.carry.toString('base64');
  }
}

/** The entry `cat` prints: a plain entry itself; for a conflict, the side asked for (its work side by default). */
async function sideOf(store: Store, entry: TreeEntry, path: string, side: string | undefined): Promise<PlainEntry> {
  if (side !== undefined && !(CONFLICT_SIDES as readonly string[]).includes(side)) {
    throw new UsageError('BAD_SIDE', `--side must be one of ${CONFLICT_SIDES.join(', ')}`);
  }
  if (entry.kind !== 'conflict') {
    if (side !== undefined) throw new UsageError('NOT_A_CONFLICT', `${path} is not conflicted; drop --side`);
    return entry;
  }
  const sides = await readConflict(store, entry);
  const picked = sides[(side ?? 'work') as ConflictSide];
  if (picked === undefined) throw new UsageError('NO_SUCH_SIDE', `${path} has no ${side} side (that version deleted it)`);
  if (picked.kind === 'conflict') throw new UsageError('NOT_A_FILE', `${path}: the ${side} side is itself a conflict`);
  return picked;
}

export function registerCat(program: Command, run: Runner): void {
  program
    .command('cat')
    .description("stream a file's bytes from a version to stdout")
    .argument('<spec>', 'ARENA@REV:PATH, or ARENA:PATH for the head of main')
    .option('--side <side>', 'for a conflicted path: base, ours, theirs or work (the default, what a worktree shows)')
    .action(async (spec: string, opts: { side?: string }, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: true, requirePath: true });
      const path = parsed.path!;
      const store = await ctx.openStore();
      const resolved = await resolveSpec(store, parsed);
      const found = await lookupPath(store, resolved.commit.tree, path);
      if (found.kind === 'dir') throw new UsageError('NOT_A_FILE', `${path} is a directory; use lode ls`);
      const entry = await sideOf(store, found, path, opts.side);
      if (entry.kind === 'dir') throw new UsageError('NOT_A_FILE', `${path}: that side is a directory; use lode ls`);
      const { arena, id } = resolved;
      if (ctx.out.json) {
        // One JSON document whose content is streamed as base64, so memory stays O(chunk) here too.
        const meta = { arena: arena.name, commit: id, path, kind: entry.kind, mode: entry.mode, ...(entry.kind === 'file' ? { size: entry.size, blob: entry.blob } : {}) };
        await ctx.out.bytes(Buffer.from(`${JSON.stringify(meta).slice(0, -1)},"encoding":"base64","content":"`));
        const base64 = new Base64Stream();
        const source = entry.kind === 'symlink' ? [Buffer.from(entry.target)] : store.blobs.read(entry.blob);
        for await (const chunk of source) await ctx.out.bytes(Buffer.from(base64.push(chunk)));
        await ctx.out.bytes(Buffer.from(`${base64.end()}"}\n`));
        return;
      }
      if (entry.kind === 'symlink') {
        // A symlink's content is its target, as `git cat-file` shows it.
        await ctx.out.bytes(Buffer.from(entry.target));
        return;
      }
      for await (const chunk of store.blobs.read(entry.blob)) await ctx.out.bytes(chunk);
    }));
}
