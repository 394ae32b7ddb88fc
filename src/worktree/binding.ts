// The worktree binding (worktree layer): `.lode/worktree.json` at a worktree's root names the store, the
// arena and HEAD (a branch, which may not exist yet, or a detached commit). Found by walking up from a
// directory; read strictly; written atomically, so a crash leaves the old binding or the new one.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isHashHex, WorktreeError, type ArenaId, type CommitId } from '../core/index.ts';
import { branchNameProblem, getBranch } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { errorMessage, syscallCode } from './problems.ts';

/** The directory at a worktree's root that holds its binding; never snapshotted, never overwritten. */
export const WORKTREE_DIR = '.lode';
export const BINDING_FILE = 'worktree.json';
const BINDING_VERSION = 1;

/** Where HEAD points: a branch (attached, or unborn while the branch does not exist) or a commit (detached). */
export type HeadRef = { branch: string } | { commit: CommitId };

export interface WorktreeBinding {
  /** The worktree's root directory (absolute); not stored, it is where the file was found. */
  root: string;
  /** The store directory (absolute). */
  store: string;
  arena: ArenaId;
  head: HeadRef;
}

/** HEAD resolved against the store: the three states of arc (and git). */
export type HeadState =
  | { state: 'unborn'; branch: string; commit: undefined }
  | { state: 'attached'; branch: string; commit: CommitId }
  | { state: 'detached'; branch: undefined; commit: CommitId };

export function bindingPath(root: string): string {
  return path.join(root, WORKTREE_DIR, BINDING_FILE);
}

/** The nearest directory at or above `start` that holds `.lode/worktree.json`; undefined when there is none. */
export function findWorktreeRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (isFile(bindingPath(dir))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.lstatSync(p).isFile();
  } catch (e) {
    const code = syscallCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return false;
    throw new WorktreeError('UNREADABLE', `cannot look for a worktree at ${p}: ${errorMessage(e)}`, { cause: e });
  }
}

function bad(file: string, why: string): WorktreeError {
  return new WorktreeError('BAD_WORKTREE', `${file}: ${why}`);
}

/** Decodes the text of a binding file strictly: exactly the known keys, each of its type. */
export function parseBinding(root: string, text: string, file = bindingPath(root)): WorktreeBinding {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not JSON (${errorMessage(e)})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad(file, 'expected a JSON object');
  const m = doc as Record<string, unknown>;
  const keys = Object.keys(m).sort();
  const attached = 'branch' in m;
  const expected = ['arena', attached ? 'branch' : 'commit', 'store', 'v'].sort();
  if (keys.join(',') !== expected.join(',')) throw bad(file, `expected the keys ${expected.join(', ')}, found ${keys.join(', ') || 'none'}`);
  if (m.v !== BINDING_VERSION) throw bad(file, `unknown version ${JSON.stringify(m.v)} (this lode reads version ${BINDING_VERSION})`);
  if (typeof m.store !== 'string' || !path.isAbsolute(m.store) || m.store.includes('\0')) throw bad(file, 'store must be an absolute path');
  if (typeof m.arena !== 'string' || !isHashHex(m.arena)) throw bad(file, 'arena must be an arena id (64 lowercase hex digits)');
  let head: HeadRef;
  if (attached) {
    if (typeof m.branch !== 'string' || branchNameProblem(m.branch) !== undefined) throw bad(file, `bad branch name ${JSON.stringify(m.branch)}`);
    head = { branch: m.branch };
  } else {
    if (typeof m.commit !== 'string' || !isHashHex(m.commit)) throw bad(file, 'commit must be a commit id (64 lowercase hex digits)');
    head = { commit: m.commit as CommitId };
  }
  return { root, store: m.store, arena: m.arena as ArenaId, head };
}

export function readBinding(root: string): WorktreeBinding {
  const file = bindingPath(root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new WorktreeError(syscallCode(e) === 'ENOENT' ? 'NOT_A_WORKTREE' : 'BAD_WORKTREE', `cannot read ${file}: ${errorMessage(e)}`, { cause: e });
  }
  return parseBinding(root, text, file);
}

export function encodeBinding(b: Omit<WorktreeBinding, 'root'>): string {
  const head = 'branch' in b.head ? { branch: b.head.branch } : { commit: b.head.commit };
  return `${JSON.stringify({ v: BINDING_VERSION, store: b.store, arena: b.arena, ...head }, null, 2)}\n`;
}

/**
 * Writes the binding atomically: a temporary file in `.lode` (created mode 0700 if missing), fsync,
 * rename over worktree.json, fsync of the directory.
 */
export function writeBinding(b: WorktreeBinding): void {
  const dir = path.join(b.root, WORKTREE_DIR);
  const file = bindingPath(b.root);
  const tmp = path.join(dir, `.${BINDING_FILE}.${randomBytes(6).toString('hex')}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (syscallCode(e) !== 'EEXIST') throw new WorktreeError('WRITE_FAILED', `cannot create ${dir}: ${errorMessage(e)}`, { cause: e });
    if (!fs.lstatSync(dir).isDirectory()) throw new WorktreeError('BAD_WORKTREE', `${dir} is not a directory`);
  }
  let fd = -1;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    fs.writeFileSync(fd, encodeBinding(b));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
    const dirFd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new WorktreeError('WRITE_FAILED', `cannot write ${file}: ${errorMessage(e)}`, { cause: e });
  }
}

/** HEAD against the store: a branch that does not exist yet is unborn. */
export function headState(store: Store, b: Pick<WorktreeBinding, 'arena' | 'head'>): HeadState {
  if ('commit' in b.head) return { state: 'detached', branch: undefined, commit: b.head.commit };
  const commit = getBranch(store, b.arena, b.head.branch);
  return commit === undefined
    ? { state: 'unborn', branch: b.head.branch, commit: undefined }
    : { state: 'attached', branch: b.head.branch, commit };
}

/** Resolves a path the user typed (relative to `cwd`) to a path inside the worktree, or refuses it. */
export function worktreePath(root: string, cwd: string, typed: string): string {
  if (typed.includes('\0')) throw new WorktreeError('PATH_OUTSIDE_WORKTREE', `refusing path with a NUL byte: ${JSON.stringify(typed)}`);
  const rel = path.relative(root, path.resolve(cwd, typed));
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new WorktreeError('PATH_OUTSIDE_WORKTREE', `${typed} is outside the worktree ${root}`);
  }
  const parts = rel === '' ? [] : rel.split(path.sep);
  if (parts[0] === WORKTREE_DIR) throw new WorktreeError('PATH_OUTSIDE_WORKTREE', `${typed} is inside the worktree's own ${WORKTREE_DIR} directory`);
  return parts.join('/');
}
