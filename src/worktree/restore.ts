// restoreTree (worktree layer): writes a stored tree back to disk. No wrong byte is ever written under a
// real name: a one-chunk blob is verified whole before its file is created; a multi-chunk blob streams into
// a temporary file renamed into place only once it verified; an existing name is always replaced by a
// rename, never written into. Nothing is ever written through a symlink or a hard link.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FormatError, StoreError, WorktreeError, type Mtime, type FileEntry, type SymlinkEntry, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { materialEntry, type PlainEntry } from '../history/index.ts';
import { errorMessage, syscallCode, type Problem } from './problems.ts';
import { ProgressThrottle } from './progress.ts';
import { isContainedSymlink } from './symlink-safety.ts';
import { TaskPool } from './task-pool.ts';

export interface RestoreStats { files: number; dirs: number; symlinks: number; bytes: number }
export interface RestoreProgress { files: number; bytes: number; totalBytes?: number; currentPath?: string }
export interface RestoreOptions {
  tree: TreeId;
  target: string;
  /** A subtree or file to restore instead of the whole tree: a directory's contents go into `target`, a file into `target/NAME`. */
  path?: string;
  onProgress?: (p: RestoreProgress) => void;
  /** Create symlinks that point outside the target (absolute, or climbing out) instead of refusing them. */
  allowUnsafeSymlinks?: boolean;
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 16;
/**
 * Files in flight when the codec workers write them (Blobs.writeNewFile, readInto): this thread holds
 * none of their bytes, and the workers take small files in batches, so many may be queued.
 */
const WORKER_CONCURRENCY = 128;
// O_EXCL with O_CREAT never opens an existing path, symlink or not; O_NOFOLLOW says so twice.
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
/** Failures of the target's disk as a whole: going on would only fail again for every file. */
const FATAL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

function guard<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * Creates a new file (O_EXCL) on the threadpool: on ext4 a create can cost 100 µs or more (it scans
 * recently freed inodes), which on this thread would stall everything else for every file.
 */
function createFile(p: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(p, CREATE_FLAGS, 0o600, (e, fd) => (e ? reject(e) : resolve(fd))));
}

/** One `write` of `buf` from `at`, at the descriptor's position; resolves with the bytes written. */
function writeAt(fd: number, buf: Uint8Array, at: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, at, buf.length - at, null, (e, n) => (e ? reject(e) : resolve(n))));
}

function seconds(m: Mtime): number {
  return m.sec + m.nsec / 1e9;
}

/** Temporary names: unguessable per run, then a counter (O_EXCL refuses any name that exists anyway). */
const tempPrefix = `.lode-tmp-${randomBytes(6).toString('hex')}-`;
let tempCounter = 0;

function tempName(dir: string): string {
  return `${dir}/${tempPrefix}${(tempCounter++).toString(36)}`;
}

class RestoreRun {
  readonly stats: RestoreStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  readonly problems: Problem[] = [];
  readonly pool: TaskPool;
  totalBytes: number | undefined;
  readonly #store: Store;
  readonly #allowUnsafe: boolean;
  readonly #progress: ProgressThrottle<RestoreProgress>;
  #currentPath: string | undefined;
  #fatal: unknown;
  /** Where the restored part sits in the tree, so problems name tree paths ('' for the whole tree). */
  readonly #base: string;

  constructor(store: Store, opts: RestoreOptions, base: string) {
    this.#store = store;
    this.#base = base;
    this.#allowUnsafe = opts.allowUnsafeSymlinks === true;
    this.pool = new TaskPool(opts.concurrency ?? (store.blobs.writeNewFile ? WORKER_CONCURRENCY : DEFAULT_CONCURRENCY));
    this.#progress = new ProgressThrottle(opts.onProgress);
  }

  get progressEnabled(): boolean {
    return this.#progress.enabled;
  }

  progress(): RestoreProgress {
    const p: RestoreProgress = { files: this.stats.files, bytes: this.stats.bytes };
    if (this.totalBytes !== undefined) p.totalBytes = this.totalBytes;
    if (this.#currentPath !== undefined) p.currentPath = this.#currentPath;
    return p;
  }

  finalProgress(): void {
    this.#progress.final(this.progress());
  }

  fail(e: unknown): void {
    this.#fatal ??= e;
  }

  #problem(relPath: string, code: string, message: string): void {
    const full = this.#base === '' ? relPath : relPath === '' ? this.#base : `${this.#base}/${relPath}`;
    this.problems.push({ path: full === '' ? '.' : full, code, message });
  }

  #checkStop(): void {
    if (this.#fatal !== undefined) throw this.#fatal;
  }

  /** A failed write: a problem for this path, or fatal when the whole target disk is failing. */
  #writeFailed(relPath: string, e: unknown): void {
    const errno = syscallCode(e);
    if (errno === undefined) throw e;
    if (FATAL_ERRNOS.has(errno)) {
      const err = new WorktreeError(errno === 'ENOSPC' || errno === 'EDQUOT' ? 'DISK_FULL' : 'WRITE_FAILED', `cannot write ${relPath}: ${errorMessage(e)}`, { cause: e });
      this.fail(err);
      throw err;
    }
    const code = errno === 'EISDIR' || errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR' ? 'TARGET_CONFLICT' : 'WRITE_FAILED';
    this.#problem(relPath, code, errorMessage(e));
  }

  /** A failed read of stored data: a problem for this path when the data is bad or missing. */
  #readFailed(relPath: string, e: unknown): void {
    if (e instanceof StoreError && (e.code === 'CORRUPT' || e.code === 'NOT_FOUND' || e.code === 'WRONG_KIND')) {
      this.#problem(relPath, e.code === 'CORRUPT' ? 'CORRUPT' : 'MISSING_DATA', errorMessage(e));
    } else if (e instanceof FormatError) {
      this.#problem(relPath, 'CORRUPT', errorMessage(e));
    } else {
      throw e;
    }
  }

  /**
   * Restores the tree `id` into the existing directory `abs`. Resolves once every entry is started;
   * `done` resolves after all of them finished and, last, the directory's own mode and mtime are set.
   */
  async restoreDir(id: TreeId, abs: string, rel: string, depth: number, own: { mode: number; mtime: Mtime } | undefined): Promise<{ done: Promise<void> }> {
    this.#checkStop();
    let entries: TreeEntry[];
    try {
      entries = (await this.#store.typed.getTree(id)).entries;
    } catch (e) {
      this.#readFailed(rel, e);
      return { done: Promise.resolve() };
    }
    const parts: Promise<void>[] = [];
    for (const stored of entries) {
      this.#checkStop();
      const relPath = rel === '' ? stored.name : `${rel}/${stored.name}`;
      let e;
      try {
        // A conflict shows its work side: the text with markers, or one version kept whole.
        e = await materialEntry(this.#store, stored);
      } catch (err) {
        this.#readFailed(relPath, err);
        continue;
      }
      const absPath = path.join(abs, e.name);
      if (e.kind === 'dir') {
        if (!this.#ensureDir(absPath, relPath)) continue;
        parts.push((await this.restoreDir(e.tree, absPath, relPath, depth + 1, e)).done);
      } else if (e.kind === 'file') {
        parts.push((await this.startFile(abs, relPath, e)).result);
      } else {
        this.symlink(abs, relPath, e, depth);
      }
    }
    const done = (async () => {
      await Promise.all(parts);
      if (!own) return;
      try {
        // After the contents: a read-only directory can still be filled, and its mtime is not touched again.
        fs.chmodSync(abs, own.mode);
        fs.utimesSync(abs, seconds(own.mtime), seconds(own.mtime));
      } catch (e) {
        this.#writeFailed(rel, e);
      }
    })();
    return { done: guard(done) };
  }

  /** Makes `abs` a real directory: one already there is kept, a file or symlink there is replaced. */
  #ensureDir(abs: string, rel: string): boolean {
    try {
      try {
        fs.mkdirSync(abs, { mode: 0o700 });
      } catch (e) {
        if (syscallCode(e) !== 'EEXIST') throw e;
        if (fs.lstatSync(abs).isDirectory()) return this.#countDir();
        fs.unlinkSync(abs); // never followed: a symlink here is removed, not entered
        fs.mkdirSync(abs, { mode: 0o700 });
      }
      return this.#countDir();
    } catch (e) {
      this.#writeFailed(rel, e);
      return false;
    }
  }

  #countDir(): boolean {
    this.stats.dirs++;
    return true;
  }

  startFile(dir: string, relPath: string, e: FileEntry): Promise<{ result: Promise<void> }> {
    return this.pool.start(() => this.#file(dir, relPath, e));
  }

  async #file(dir: string, relPath: string, e: FileEntry): Promise<void> {
    if (this.#fatal !== undefined) return;
    if (this.#store.objects.kind(e.blob) === 'chunk') await this.#wholeFile(dir, relPath, e);
    else await this.#streamedFile(dir, relPath, e);
  }

  /**
   * A one-chunk blob: its bytes arrive verified from one `objects.get` before anything is created, so
   * they may go straight under the final name (O_EXCL: a new file, never through a symlink). Only a name
   * that already exists goes through a temporary file and a rename, which replaces it atomically.
   */
  async #wholeFile(dir: string, relPath: string, e: FileEntry): Promise<void> {
    if (this.#store.blobs.writeNewFile && await this.#wholeFileInWorker(dir, relPath, e)) return;
    let bytes: Uint8Array;
    try {
      bytes = await this.#store.objects.get(e.blob);
      if (bytes.length !== e.size) throw new StoreError('CORRUPT', `blob ${e.blob} has ${bytes.length} bytes, the tree says ${e.size}`);
    } catch (err) {
      this.#readFailed(relPath, err);
      return;
    }
    if (this.#fatal !== undefined) return;
    const final = path.join(dir, e.name);
    let created = final;
    let fd: number;
    try {
      fd = await createFile(final);
    } catch (err) {
      if (syscallCode(err) !== 'EEXIST') {
        this.#writeFailed(relPath, err);
        return;
      }
      created = tempName(dir);
      try {
        fd = await createFile(created);
      } catch (err2) {
        this.#writeFailed(relPath, err2);
        return;
      }
    }
    try {
      for (let at = 0; at < bytes.length; ) at += await writeAt(fd, bytes, at);
      const closing = fd;
      fd = -1;
      this.#finish(closing, e);
      if (created !== final) fs.renameSync(created, final);
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      // The name was created by this call (O_EXCL), so removing it removes nothing that was there before.
      fs.rmSync(created, { force: true });
      this.#writeFailed(relPath, err);
      return;
    }
    this.stats.bytes += bytes.length;
    this.#restored(relPath);
  }

  /**
   * A one-chunk blob written by a codec worker into a new file under its final name (the same checks,
   * O_EXCL create, mode and mtime as below, in one batch with other files). False when the worker could
   * not take it, or the name exists: then the path below does it (a temporary file and a rename).
   */
  async #wholeFileInWorker(dir: string, relPath: string, e: FileEntry): Promise<boolean> {
    let r;
    try {
      r = await this.#store.blobs.writeNewFile!(path.join(dir, e.name), e.blob, { size: e.size, mode: e.mode, mtime: seconds(e.mtime), createFlags: CREATE_FLAGS });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'TARGET_WRITE') this.#writeFailed(relPath, err.cause);
      else this.#readFailed(relPath, err);
      return true;
    }
    if (r !== 'written') return false;
    this.stats.bytes += e.size;
    this.#restored(relPath);
    return true;
  }

  /** Mode and mtime through the open descriptor (no second path lookup), then close. */
  #finish(fd: number, e: FileEntry): void {
    try {
      fs.fchmodSync(fd, e.mode);
      fs.futimesSync(fd, seconds(e.mtime), seconds(e.mtime));
    } finally {
      fs.closeSync(fd);
    }
  }

  #restored(relPath: string): void {
    this.stats.files++;
    this.#currentPath = relPath;
    this.#progress.tick(() => this.progress());
  }

  /** A multi-chunk blob streams into a temporary file, renamed into place once the whole content verified. */
  async #streamedFile(dir: string, relPath: string, e: FileEntry): Promise<void> {
    const tmp = tempName(dir);
    let fd: number;
    try {
      fd = await createFile(tmp);
    } catch (err) {
      this.#writeFailed(relPath, err);
      return;
    }
    let stage: 'read' | 'write' = 'read';
    try {
      let written = 0;
      // A worker reads, verifies and writes the whole file when it can; this thread only waits.
      const inWorker = this.#store.blobs.readInto ? await this.#store.blobs.readInto(e.blob, fd).catch((err: unknown) => {
        if (err instanceof StoreError && err.code === 'TARGET_WRITE') {
          stage = 'write';
          throw err.cause;
        }
        throw err;
      }) : undefined;
      if (inWorker !== undefined) {
        written = inWorker;
        this.stats.bytes += inWorker;
      } else for await (const chunk of this.#store.blobs.read(e.blob)) {
        stage = 'write';
        // Asynchronous: the copy into the page cache runs on the threadpool while this thread verifies
        // the next chunk and restores other files (the blob read already fetches ahead).
        for (let at = 0; at < chunk.length; ) at += await writeAt(fd, chunk, at);
        written += chunk.length;
        this.stats.bytes += chunk.length;
        stage = 'read';
      }
      if (written !== e.size) throw new StoreError('CORRUPT', `blob ${e.blob} has ${written} bytes, the tree says ${e.size}`);
      stage = 'write';
      const closing = fd;
      fd = -1;
      this.#finish(closing, e);
      fs.renameSync(tmp, path.join(dir, e.name));
      this.#restored(relPath);
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      if (stage === 'read') this.#readFailed(relPath, err);
      else this.#writeFailed(relPath, err);
    }
  }

  symlink(dir: string, relPath: string, e: SymlinkEntry, depth: number): void {
    if (!this.#allowUnsafe && !isContainedSymlink(e.target, depth)) {
      this.#problem(relPath, 'UNSAFE_SYMLINK', `refusing symlink to ${JSON.stringify(e.target)}: it points outside the target`);
      return;
    }
    const tmp = tempName(dir);
    try {
      fs.symlinkSync(e.target, tmp);
      fs.lutimesSync(tmp, seconds(e.mtime), seconds(e.mtime));
      fs.renameSync(tmp, path.join(dir, e.name)); // replaces a file or link of that name, never follows it
      this.stats.symlinks++;
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      this.#writeFailed(relPath, err);
    }
  }

  /** The bytes below a tree, for progress totals; a subtree that cannot be read counts as empty here. */
  async sizeOf(id: TreeId): Promise<number> {
    let entries: TreeEntry[];
    try {
      entries = (await this.#store.typed.getTree(id)).entries;
    } catch {
      return 0; // reported as a problem by the restore itself
    }
    let n = 0;
    for (const e of entries) n += e.kind === 'file' ? e.size : e.kind === 'dir' ? await this.sizeOf(e.tree) : 0;
    return n;
  }
}

function pathParts(relPath: string | undefined): string[] {
  return (relPath ?? '').split('/').filter((p) => p !== '' && p !== '.');
}

/** The entry at `relPath` below the tree `root`; undefined for the root itself. */
async function locate(store: Store, root: TreeId, relPath: string | undefined): Promise<PlainEntry | undefined> {
  const parts = pathParts(relPath);
  let entry: TreeEntry | undefined;
  let tree = root;
  for (const [i, name] of parts.entries()) {
    const found = (await store.typed.getTree(tree)).entries.find((e) => e.name === name);
    if (!found || (i < parts.length - 1 && found.kind !== 'dir')) throw new WorktreeError('NO_SUCH_PATH', `no ${JSON.stringify(relPath)} in tree ${root}`);
    entry = found;
    if (found.kind === 'dir') tree = found.tree;
  }
  return entry === undefined ? undefined : materialEntry(store, entry);
}

/** Restores the tree (or the part of it at `opts.path`) into `opts.target`. */
export async function restoreTree(store: Store, opts: RestoreOptions): Promise<{ stats: RestoreStats; problems: Problem[] }> {
  const target = path.resolve(opts.target);
  const entry = await locate(store, opts.tree, opts.path);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw new WorktreeError('NOT_A_DIRECTORY', `${target} is not a directory`);
  try {
    fs.mkdirSync(target, { recursive: true });
  } catch (e) {
    throw new WorktreeError('WRITE_FAILED', `cannot create ${target}: ${errorMessage(e)}`, { cause: e });
  }
  const parts = pathParts(opts.path);
  // A directory's entries are named below its path; a single file or link by its own name, below its parent.
  const base = (entry === undefined || entry.kind === 'dir' ? parts : parts.slice(0, -1)).join('/');
  const run = new RestoreRun(store, opts, base);
  try {
    if (entry === undefined || entry.kind === 'dir') {
      const tree = entry === undefined ? opts.tree : entry.tree;
      // Totals come from a second walk of the trees, beside the restore rather than before it.
      const sizing = run.progressEnabled ? run.sizeOf(tree).then((n) => { run.totalBytes = n; }, () => {}) : Promise.resolve();
      try {
        await (await run.restoreDir(tree, target, '', 0, undefined)).done;
      } finally {
        await sizing;
      }
    } else if (entry.kind === 'file') {
      run.totalBytes = entry.size;
      await (await run.startFile(target, entry.name, entry)).result;
    } else {
      run.symlink(target, entry.name, entry, 0);
    }
    run.finalProgress();
    return { stats: run.stats, problems: run.problems };
  } catch (e) {
    run.fail(e);
    await run.pool.drain();
    throw e;
  }
}
