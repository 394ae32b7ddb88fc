// Problems: what a snapshot or restore could not do for one path, reported while the rest goes on
// (worktree layer). The CLI prints them and exits non-zero when there are any.
import { WorktreeError } from '../core/index.ts';

export interface Problem { path: string; code: string; message: string }

/** The Node error code of a failed system call, or undefined when `e` did not come from one. */
export function syscallCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'syscall' in e && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Wraps a failed system call on a source file, so it is told apart from a store failure in the same stack. */
export function sourceError(e: unknown, what: string): WorktreeError {
  return new WorktreeError('SOURCE_IO', `${what}: ${errorMessage(e)}`, { cause: e });
}

/** The system call error code behind a sourceError; undefined for anything else (a store failure, a bug). */
export function sourceErrorCode(e: unknown): string | undefined {
  if (e instanceof WorktreeError && e.code === 'SOURCE_IO') return syscallCode(e.cause) ?? 'EIO';
  return syscallCode(e);
}

/** The problem code for a file or directory the walk could not read. */
export function readProblemCode(errno: string): string {
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return 'VANISHED';
  if (errno === 'ELOOP' || errno === 'EISDIR') return 'CHANGED_DURING_READ';
  return 'UNREADABLE';
}
