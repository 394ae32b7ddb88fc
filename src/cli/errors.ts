// The one table from error codes to exit statuses, and the one line a user sees for an error.
// Every layer throws its own family with a stable `code`; only the CLI turns codes into numbers.
import { FormatError, HistoryError, StoreError, UsageError, WorktreeError, isLodeError } from '../core/index.ts';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  INCOMPLETE: 3,
  NOT_FOUND: 4,
  CORRUPT: 5,
  LOCKED: 6,
  DISK_FULL: 7,
  /** Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it). */
  INTERRUPTED: 130,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** Codes thrown by any layer (or by Node itself, for the errno-style ones) and the status they exit with. */
const STATUS_BY_CODE: Record<string, ExitStatus> = {
  // usage and config
  USAGE: EXIT.USAGE,
  BAD_CONFIG: EXIT.USAGE,
  BAD_ARGUMENT: EXIT.USAGE,
  BAD_ARENA_NAME: EXIT.USAGE,
  BAD_BRANCH_NAME: EXIT.USAGE,
  BAD_NAME: EXIT.USAGE,
  BAD_PATH: EXIT.USAGE,
  HOSTILE_PATH: EXIT.USAGE,
  BAD_REVISION: EXIT.USAGE,
  AMBIGUOUS_REVISION: EXIT.USAGE,
  NOT_A_DIRECTORY: EXIT.USAGE,
  NOT_A_FILE: EXIT.USAGE,
  TARGET_NOT_EMPTY: EXIT.USAGE,
  ARENA_EXISTS: EXIT.USAGE,
  BRANCH_EXISTS: EXIT.USAGE,
  TAG_EXISTS: EXIT.USAGE,
  BAD_TAG_NAME: EXIT.USAGE,
  NEEDS_FORCE: EXIT.USAGE,
  // merge, revert and resolve refusals: nothing was changed
  UNRELATED_HISTORIES: EXIT.USAGE,
  DETACHED_HEAD: EXIT.USAGE,
  REVERT_MERGE: EXIT.USAGE,
  BAD_MAINLINE: EXIT.USAGE,
  NOT_A_CONFLICT: EXIT.USAGE,
  BAD_SIDE: EXIT.USAGE,
  BAD_RESOLUTION: EXIT.USAGE,
  NO_SUCH_SIDE: EXIT.NOT_FOUND,
  PATH_OUTSIDE_WORKTREE: EXIT.USAGE,
  BAD_CONFLICT: EXIT.CORRUPT,
  // another writer moved the branch between our read and our write: retry
  BRANCH_MOVED: EXIT.ERROR,
  // not found
  NOT_FOUND: EXIT.NOT_FOUND,
  NO_SUCH_ARENA: EXIT.NOT_FOUND,
  ARENA_NOT_FOUND: EXIT.NOT_FOUND,
  UNKNOWN_ARENA: EXIT.NOT_FOUND,
  NO_SUCH_BRANCH: EXIT.NOT_FOUND,
  NO_SUCH_TAG: EXIT.NOT_FOUND,
  BRANCH_NOT_FOUND: EXIT.NOT_FOUND,
  UNKNOWN_REVISION: EXIT.NOT_FOUND,
  REVISION_NOT_FOUND: EXIT.NOT_FOUND,
  NO_SUCH_REVISION: EXIT.NOT_FOUND,
  NO_COMMITS: EXIT.NOT_FOUND,
  EMPTY_BRANCH: EXIT.NOT_FOUND,
  PATH_NOT_FOUND: EXIT.NOT_FOUND,
  NO_SUCH_PATH: EXIT.NOT_FOUND,
  SOURCE_NOT_FOUND: EXIT.NOT_FOUND,
  EMPTY_ARENA: EXIT.NOT_FOUND,
  NO_PARENT: EXIT.NOT_FOUND,
  NO_SUCH_COMMIT: EXIT.NOT_FOUND,
  ENOENT: EXIT.NOT_FOUND,
  // incomplete or interrupted work
  INCOMPLETE: EXIT.INCOMPLETE,
  ABORTED: EXIT.INTERRUPTED,
  // a source that cannot be read at all: nothing was snapshotted
  SOURCE_UNREADABLE: EXIT.ERROR,
  // corruption: the disk or a peer gave bytes that do not match what refers to them
  CORRUPT: EXIT.CORRUPT,
  BAD_PACK: EXIT.CORRUPT,
  BAD_SIGNATURE: EXIT.CORRUPT,
  NON_CANONICAL: EXIT.CORRUPT,
  MISSING_OBJECT: EXIT.CORRUPT,
  MISSING_PACK: EXIT.CORRUPT,
  MISSING_DATA: EXIT.CORRUPT,
  CORRUPT_INDEX: EXIT.CORRUPT,
  CORRUPT_ARENA: EXIT.CORRUPT,
  CORRUPT_REFLOG: EXIT.CORRUPT,
  // another process holds the store
  LOCKED: EXIT.LOCKED,
  STORE_LOCKED: EXIT.LOCKED,
  EAGAIN: EXIT.LOCKED,
  // the disk is full
  DISK_FULL: EXIT.DISK_FULL,
  NO_SPACE: EXIT.DISK_FULL,
  ENOSPC: EXIT.DISK_FULL,
  EDQUOT: EXIT.DISK_FULL,
  // arena tickets and signed head entries
  BAD_TICKET: EXIT.USAGE,
  READ_ONLY_ARENA: EXIT.USAGE,
  FUTURE_ENTRY: EXIT.CORRUPT,
  // the daemon and its control socket
  DAEMON_NOT_RUNNING: EXIT.ERROR,
  DAEMON_RUNNING: EXIT.ERROR,
  DAEMON_TIMEOUT: EXIT.ERROR,
  WAIT_TIMEOUT: EXIT.ERROR,
  SOCKET_PATH_TAKEN: EXIT.ERROR,
  LISTEN_FAILED: EXIT.ERROR,
};

/** Codes whose exit status comes from the family rather than the table (e.g. a FormatError read from disk). */
function statusByFamily(e: unknown): ExitStatus {
  if (e instanceof UsageError) return EXIT.USAGE;
  // A stored object that fails strict decoding is corruption: the CLI never decodes user input with core codecs.
  if (e instanceof FormatError) return EXIT.CORRUPT;
  if (e instanceof StoreError || e instanceof HistoryError || e instanceof WorktreeError) return EXIT.ERROR;
  return EXIT.ERROR;
}

export function errorCode(e: unknown): string {
  if (isLodeError(e)) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'INTERNAL';
}

export function exitStatusOf(e: unknown): ExitStatus {
  // A disk-full cause is reported as disk full whatever layer wrapped it.
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 8; c = (c as { cause?: unknown }).cause, depth++) {
    const code = errorCode(c);
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'DISK_FULL' || code === 'NO_SPACE') return EXIT.DISK_FULL;
  }
  return STATUS_BY_CODE[errorCode(e)] ?? statusByFamily(e);
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The one line a user sees: `lode: <message> (<CODE>)`; `--debug` adds the stack and causes. */
export function formatError(e: unknown, debug: boolean): string {
  const line = `lode: ${errorMessage(e).replace(/\s*\n\s*/g, ' ')} (${errorCode(e)})`;
  if (!debug) return `${line}\n`;
  const parts = [line];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    parts.push(depth === 0 ? (c.stack ?? '') : `caused by: ${c.stack ?? c.message}`);
  }
  return `${parts.join('\n')}\n`;
}

/** What each exit status means: the epilogue of `lode --help`; docs/cli.md has the same table. */
export const EXIT_STATUS_MEANINGS: [ExitStatus, string][] = [
  [EXIT.OK, 'success'],
  [EXIT.ERROR, 'error (fsck found problems, or another failure)'],
  [EXIT.USAGE, 'usage or configuration error (bad option, malformed lode.toml, bad path or revision syntax)'],
  [EXIT.INCOMPLETE, 'snapshot or restore incomplete (some files were skipped; the problems are listed)'],
  [EXIT.NOT_FOUND, 'not found (arena, revision, path, source directory)'],
  [EXIT.CORRUPT, 'data corruption detected (a chunk or object does not match its id)'],
  [EXIT.LOCKED, 'the store is locked by another lode process (gc)'],
  [EXIT.DISK_FULL, 'disk full'],
  [EXIT.INTERRUPTED, 'interrupted (Ctrl-C); what was written stays consistent'],
];

export const EXIT_STATUS_HELP = `Exit status:\n${EXIT_STATUS_MEANINGS.map(([n, text]) => `  ${String(n).padStart(3)}  ${text}`).join('\n')}`;
