// `lode verify ARENA[@REV]`: checks a commit's ed25519 signature against its author node id. Exit 0
// when it verifies; BAD_SIGNATURE (exit 5, like other corruption) when it is missing or wrong.
import type { Command } from 'commander';
import { requireGoodSignature, signatureStatus } from '../../history/index.ts';
import type { Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';

export function registerVerify(program: Command, run: Runner): void {
  program
    .command('verify')
    .description("check a commit's signature and print its author node id")
    .argument('<arena>', 'ARENA or ARENA@REV (default: main)')
    .action(async (spec: string, _opts: object, cmd: Command) => run(cmd, async (ctx) => {
      const parsed = parseRevisionSpec(spec, { allowPath: false });
      const store = await ctx.openStore();
      const { arena, id, commit } = await resolveSpec(store, parsed);
      const status = signatureStatus(commit);
      ctx.out.result({ arena: arena.name, commit: id, author: commit.author, signature: status, ok: status === 'good' });
      requireGoodSignature(id, commit);
      ctx.out.line(`good signature on ${id}`);
      ctx.out.line(`author ${commit.author}`);
    }));
}
