// The command tree: global options, the help epilogue with exit statuses, and one register call per
// command. Each action builds a Context, runs, closes the store, and reports its exit status.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Context, type GlobalOptions, type Runner } from './context.ts';
import { EXIT_STATUS_HELP, type ExitStatus } from './errors.ts';
import { registerArena } from './commands/arena.ts';
import { registerBlame } from './commands/blame.ts';
import { registerCat } from './commands/cat.ts';
import { registerDiff } from './commands/diff.ts';
import { registerFsck } from './commands/fsck.ts';
import { registerGc } from './commands/gc.ts';
import { registerId } from './commands/id.ts';
import { registerLog } from './commands/log.ts';
import { registerLs } from './commands/ls.ts';
import { registerRestore } from './commands/restore.ts';
import { registerSnapshot } from './commands/snapshot.ts';
import { registerBranch } from './commands/branch.ts';
import { registerReflog } from './commands/reflog.ts';
import { registerReset } from './commands/reset.ts';
import { registerShow } from './commands/show.ts';
import { registerTag } from './commands/tag.ts';
import { registerVerify } from './commands/verify.ts';

export interface ProgramResult { status: ExitStatus }

function packageVersion(): string {
  // src/cli/ and dist/cli/ are both two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(result: ProgramResult): Command {
  const program = new Command('lode');
  program
    .description('lode: a sovereign, local-first archive. Snapshot folders into arenas; list, diff, cat and restore any version.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--store <dir>', 'the store directory (default: LODE_STORE, store.path in lode.toml, then $XDG_DATA_HOME/lode)'))
    .addOption(new Option('--config <file>', 'the config file (default: LODE_CONFIG, then $XDG_CONFIG_HOME/lode/lode.toml)'))
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'add stack traces to errors')
    .option('-q, --quiet', 'no notes or progress bar on stderr')
    .showHelpAfterError('(run lode --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText('after', `\n${EXIT_STATUS_HELP}\n\nSee docs/cli.md for every command, flag and exit status.`)
    .configureOutput({
      // commander's own usage errors get the same one-line shape as every other error.
      outputError: (text, write) => write(`lode: ${text.replace(/^error: /, '').trim()} (USAGE)\n`),
    })
    .exitOverride();

  const run: Runner = async (cmd, body) => {
    const o = cmd.optsWithGlobals<Partial<GlobalOptions>>();
    const ctx = new Context({ ...o, json: o.json === true, debug: o.debug === true, quiet: o.quiet === true });
    try {
      result.status = (await body(ctx)) ?? 0;
    } finally {
      await ctx.close();
    }
  };

  registerId(program, run);
  registerArena(program, run);
  registerSnapshot(program, run);
  registerLog(program, run);
  registerLs(program, run);
  registerCat(program, run);
  registerDiff(program, run);
  registerBlame(program, run);
  registerShow(program, run);
  registerBranch(program, run);
  registerTag(program, run);
  registerReflog(program, run);
  registerReset(program, run);
  registerVerify(program, run);
  registerRestore(program, run);
  registerFsck(program, run);
  registerGc(program, run);
  return program;
}
