import { UsageError } from "../../core/index.js";
import { lookupPath } from "../../history/index.js";
import { resolveSpec } from "../resolve.js";
import { parseRevisionSpec } from "../revision-spec.js";
/** Base64 of a byte stream, chunk by chunk: a remainder of 1-2 bytes waits for the next chunk. */
class Base64Stream {
    carry = Buffer.alloc(0);
    push(chunk) {
        const all = Buffer.concat([this.carry, chunk]);
        const whole = all.length - (all.length % 3);
        this.carry = all.subarray(whole);
        return all.subarray(0, whole).toString('base64');
    }
    end() {
        return this.carry.toString('base64');
    }
}
export function registerCat(program, run) {
    program
        .command('cat')
        .description("stream a file's bytes from a version to stdout")
        .argument('<spec>', 'ARENA@REV:PATH, or ARENA:PATH for the head of main')
        .action(async (spec, _opts, cmd) => run(cmd, async (ctx) => {
        const parsed = parseRevisionSpec(spec, { allowPath: true, requirePath: true });
        const path = parsed.path;
        const store = await ctx.openStore();
        const resolved = await resolveSpec(store, parsed);
        const entry = await lookupPath(store, resolved.commit.tree, path);
        if (entry.kind === 'dir')
            throw new UsageError('NOT_A_FILE', `${path} is a directory; use lode ls`);
        const { arena, id } = resolved;
        if (ctx.out.json) {
            // One JSON document whose content is streamed as base64, so memory stays O(chunk) here too.
            const meta = { arena: arena.name, commit: id, path, kind: entry.kind, mode: entry.mode, ...(entry.kind === 'file' ? { size: entry.size, blob: entry.blob } : {}) };
            await ctx.out.bytes(Buffer.from(`${JSON.stringify(meta).slice(0, -1)},"encoding":"base64","content":"`));
            const base64 = new Base64Stream();
            const source = entry.kind === 'symlink' ? [Buffer.from(entry.target)] : store.blobs.read(entry.blob);
            for await (const chunk of source)
                await ctx.out.bytes(Buffer.from(base64.push(chunk)));
            await ctx.out.bytes(Buffer.from(`${base64.end()}"}\n`));
            return;
        }
        if (entry.kind === 'symlink') {
            // A symlink's content is its target, as `git cat-file` shows it.
            await ctx.out.bytes(Buffer.from(entry.target));
            return;
        }
        for await (const chunk of store.blobs.read(entry.blob))
            await ctx.out.bytes(chunk);
    }));
}
