// The command tree: global options, the help epilogue with exit statuses, and the commands, each loaded
// only when it runs. Each action builds a Context, runs, closes the store, and reports its exit status.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Context, type GlobalOptions, type Runner } from './context.ts';
import { EXIT_STATUS_HELP, type ExitStatus } from './errors.ts';

export interface ProgramResult { status: ExitStatus }

type Register = (program: Command, run: Runner) => void;

/**
 * Every command, in help order, as a loader of its module. Only the command being run is imported (all of
 * them for help or an unknown word): each module pulls in its own layers, and loading them all costs
 * every command a startup it does not need. A new command adds its line here.
 */
const COMMANDS: [name: string, load: () => Promise<Register>][] = [
  ['id', async () => (await import('./commands/id.ts')).registerId],
  ['arena', async () => (await import('./commands/arena.ts')).registerArena],
  ['snapshot', async () => (await import('./commands/snapshot.ts')).registerSnapshot],
  ['log', async () => (await import('./commands/log.ts')).registerLog],
  ['ls', async () => (await import('./commands/ls.ts')).registerLs],
  ['cat', async () => (await import('./commands/cat.ts')).registerCat],
  ['diff', async () => (await import('./commands/diff.ts')).registerDiff],
  ['blame', async () => (await import('./commands/blame.ts')).registerBlame],
  ['show', async () => (await import('./commands/show.ts')).registerShow],
  ['branch', async () => (await import('./commands/branch.ts')).registerBranch],
  ['tag', async () => (await import('./commands/tag.ts')).registerTag],
  ['reflog', async () => (await import('./commands/reflog.ts')).registerReflog],
  ['reset', async () => (await import('./commands/reset.ts')).registerReset],
  ['verify', async () => (await import('./commands/verify.ts')).registerVerify],
  ['checkout', async () => (await import('./commands/checkout.ts')).registerCheckout],
  ['status', async () => (await import('./commands/status.ts')).registerStatus],
  ['commit', async () => (await import('./commands/commit.ts')).registerCommit],
  ['switch', async () => (await import('./commands/switch.ts')).registerSwitch],
  ['stash', async () => (await import('./commands/stash.ts')).registerStash],
  ['merge', async () => (await import('./commands/merge.ts')).registerMerge],
  ['conflicts', async () => (await import('./commands/conflicts.ts')).registerConflicts],
  ['resolve', async () => (await import('./commands/resolve.ts')).registerResolve],
  ['revert', async () => (await import('./commands/revert.ts')).registerRevert],
  ['restore', async () => (await import('./commands/restore.ts')).registerRestore],
  ['fsck', async () => (await import('./commands/fsck.ts')).registerFsck],
  ['gc', async () => (await import('./commands/gc.ts')).registerGc],
  ['daemon', async () => (await import('./commands/daemon.ts')).registerDaemon],
  ['peers', async () => (await import('./commands/peers.ts')).registerPeers],
  ['sync', async () => (await import('./commands/sync.ts')).registerSync],
];

const OPTIONS_WITH_VALUE = new Set(['--store', '--config']);

/** The command word of `args` (argv without node and the script), past the global options; undefined if none. */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (!a.startsWith('-')) return a;
    if (OPTIONS_WITH_VALUE.has(a)) i++;
  }
  return undefined;
}

function packageVersion(): string {
  // src/cli/ and dist/cli/ are both two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function buildProgram(result: ProgramResult, argv: readonly string[] = process.argv): Promise<Command> {
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

  const word = commandWord(argv.slice(2));
  const known = COMMANDS.some(([name]) => name === word);
  const wanted = COMMANDS.filter(([name]) => !known || name === word);
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program, run);
  return program;
}
