// The CLI's entry point (bin/lode.js runs the compiled copy; `node src/cli/main.ts` runs it in development).
// It parses, runs one command, prints any error as one line, and exits with the status from errors.ts.
import { CommanderError } from 'commander';
import { EXIT, errorCode, errorMessage, exitStatusOf, formatError, type ExitStatus } from './errors.ts';
import { tuneGarbageCollection } from './gc-tuning.ts';
import { buildProgram, type ProgramResult } from './program.ts';

function printJsonError(code: string, message: string, exit: ExitStatus): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, exit } }, null, 2)}\n`);
}

async function main(argv: string[]): Promise<ExitStatus> {
  tuneGarbageCollection();
  // `lode cat … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
  });
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const result: ProgramResult = { status: EXIT.OK };
  try {
    await (await buildProgram(result, argv)).parseAsync(argv);
    return result.status;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its own line already (shaped in program.ts); help and --version exit 0.
      if (e.exitCode === 0) return EXIT.OK;
      if (json) printJsonError('USAGE', e.message.replace(/^error: /, ''), EXIT.USAGE);
      return EXIT.USAGE;
    }
    process.stderr.write(formatError(e, debug));
    if (json) printJsonError(errorCode(e), errorMessage(e), exitStatusOf(e));
    return exitStatusOf(e);
  }
}

/** Resolves once everything written so far has been handed to the OS (writes complete in order). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

const status = await main(process.argv);
// Exit explicitly, so that no native handle (LMDB, worker threads) keeps a finished command alive; but
// only after stdout and stderr are flushed, which matters where pipes are asynchronous (macOS).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(status);
