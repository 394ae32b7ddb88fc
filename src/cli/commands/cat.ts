// `lode cat ARENA[@REV]:PATH`: streams a file's bytes to stdout, each chunk verified before it is written;
// a corrupt chunk stops the stream with CORRUPT (exit 5) rather than passing on wrong bytes. With --json
// the bytes come base64-encoded inside one JSON document.
import type { Command } from 'commander';
import { UsageError } from '../../core/index.ts';
import { lookupPath } from '../../history/index.ts';
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

export function registerCat(program: Command, run: Runner): void {
  program
    .command('cat')
    .description("stream a file's bytes from a version to stdout")
    .argument('<spec>', 'ARENA@REV:PATH, or ARENA:PATH for the head of main')
    .action(async (spec: string, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: true, requirePath: true });
      const path = parsed.path!;
      const store = await ctx.openStore();
      const resolved = await resolveSpec(store, parsed);
      const entry = await lookupPath(store, resolved.commit.tree, path);
      if (entry.kind === 'dir') throw new UsageError('NOT_A_FILE', `${path} is a directory; use lode ls`);
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
