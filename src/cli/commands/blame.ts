// `lode blame ARENA[@REV] PATH`: each line of a text file with the commit that last changed it, found
// along first parents: `<12-hex id> <date> <line no>) <text>`. --json gives [{line, commit, text}].
import type { Command } from 'commander';
import type { CommitId } from '../../core/index.ts';
import { blameFile } from '../../history/index.ts';
import { formatDate } from '../format.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

export function registerBlame(program: Command, run: Runner): void {
  program
    .command('blame')
    .description('show, for each line of a text file, the commit that last changed it')
    .argument('<arena>', 'ARENA or ARENA@REV (default: main)')
    .argument('<path>', 'the file inside the version')
    .action(async (spec: string, path: string, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: false });
      const store = await ctx.openStore();
      const { id } = await resolveSpec(store, parsed);
      const lines = await blameFile(store, id, path);
      ctx.out.result(lines.map((l) => ({ line: l.line, commit: l.commit, text: l.text })));
      if (ctx.out.json) return;
      const dates = new Map<CommitId, string>();
      const width = String(lines.length).length;
      for (const l of lines) {
        let date = dates.get(l.commit);
        if (date === undefined) {
          date = formatDate((await store.typed.getCommit(l.commit)).time);
          dates.set(l.commit, date);
        }
        const text = l.text.endsWith('\n') ? l.text.slice(0, -1) : l.text;
        ctx.out.line(`${ctx.out.paint('yellow', l.commit.slice(0, 12))} ${date} ${String(l.line).padStart(width)}) ${text}`);
      }
    }));
}
