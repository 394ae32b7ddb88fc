// snapshotTree (worktree layer): walks a directory and stores it as one tree object per directory,
// bottom-up, with file contents as blobs. Unchanged files come from the stat cache; the rest are read
// by a bounded pool while the walk goes on, so the walk never waits for one file at a time.
import fs, { type BigIntStats } from 'node:fs';
import path from 'node:path';
import { checkName, WorktreeError, LIMITS, type ArenaId, type Mtime, type TreeEntry, type TreeId, type FileEntry } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { readFileBlob } from './file-reader.ts';
import { IGNORE_FILE, IgnoreRules, readIgnoreFile } from './ignore-rules.ts';
import { errorMessage, readProblemCode, sourceErrorCode, syscallCode, type Problem } from './problems.ts';
import { precount, type Totals } from './precount.ts';
import { ProgressThrottle } from './progress.ts';
import { decodeRow, fileRowOf, splitNs, StatCache, unchanged, type DirRows } from './stat-cache.ts';
import { TaskPool } from './task-pool.ts';

export interface SnapshotProgress { files: number; dirs: number; bytes: number; newBytes: number; totalFiles?: number; totalBytes?: number; currentPath?: string }
export interface SnapshotStats { files: number; dirs: number; symlinks: number; bytes: number; newBytes: number; newChunks: number; unchangedFiles: number; ignored: number }
export interface SnapshotResult { tree: TreeId; stats: SnapshotStats; problems: Problem[] }
export interface SnapshotOptions {
  source: string;
  arena: ArenaId;
  onProgress?: (p: SnapshotProgress) => void;
  signal?: AbortSignal;
  /** Files read at once; 8 keeps two cores busy with small files. */
  concurrency?: number;
  /** Names left out at the root, unseen and uncounted: a worktree's own `.lode` directory. */
  skipAtRoot?: readonly string[];
}

const DEFAULT_CONCURRENCY = 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type Part = TreeEntry | undefined | Promise<TreeEntry | undefined>;

/** Marks a promise as handled: its owner awaits it later, or abandons it when the walk has failed. */
function guard<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function mtimeOf(st: BigIntStats): Mtime {
  const [sec, nsec] = splitNs(st.mtimeNs);
  return { sec, nsec };
}

function childPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  // compareNames order (UTF-8 bytes), with each name encoded once rather than once per comparison.
  const keyed = entries.map((e) => ({ key: Buffer.from(e.name), e }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.e);
}

class SnapshotWalk {
  readonly stats: SnapshotStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0, newBytes: 0, newChunks: 0, unchangedFiles: 0, ignored: 0 };
  readonly problems: Problem[] = [];
  readonly pool: TaskPool;
  readonly cache: StatCache;
  readonly #store: Store;
  readonly #signal: AbortSignal | undefined;
  readonly #storeDir: BigIntStats | undefined;
  readonly #skipAtRoot: ReadonlySet<string>;
  readonly #progress: ProgressThrottle<SnapshotProgress>;
  #currentPath: string | undefined;
  #fatal: unknown;
  #done = false;
  /** Set when the pre-count finishes; partial totals would only mislead an ETA. */
  totals: Totals | undefined;

  constructor(store: Store, root: string, opts: SnapshotOptions, storeDir: BigIntStats | undefined) {
    this.#store = store;
    this.#signal = opts.signal;
    this.pool = new TaskPool(opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.cache = new StatCache(store, opts.arena, root);
    this.#progress = new ProgressThrottle(opts.onProgress);
    this.#storeDir = storeDir;
    this.#skipAtRoot = new Set(opts.skipAtRoot ?? []);
  }

  progress(): SnapshotProgress {
    const s = this.stats;
    const p: SnapshotProgress = { files: s.files, dirs: s.dirs, bytes: s.bytes, newBytes: s.newBytes };
    if (this.totals) {
      p.totalFiles = this.totals.files;
      p.totalBytes = this.totals.bytes;
    }
    if (this.#currentPath !== undefined) p.currentPath = this.#currentPath;
    return p;
  }

  get progressEnabled(): boolean {
    return this.#progress.enabled;
  }

  /** Whether the pre-count should stop: the walk ended or failed. */
  get finished(): boolean {
    return this.#done || this.#fatal !== undefined || this.#signal?.aborted === true;
  }

  finalProgress(): void {
    this.#done = true;
    this.#progress.final(this.progress());
  }

  #tick(relPath: string): void {
    if (!this.#progress.enabled) return;
    this.#currentPath = relPath;
    this.#progress.tick(() => this.progress());
  }

  #problem(relPath: string, code: string, message: string): void {
    this.problems.push({ path: relPath, code, message });
  }

  #checkStop(): void {
    if (this.#fatal !== undefined) throw this.#fatal;
    if (this.cache.failure !== undefined) throw this.cache.failure;
    if (this.#signal?.aborted) throw new WorktreeError('ABORTED', 'snapshot aborted');
  }

  /**
   * Lists and stats the directory `abs`, starts reading its changed files and walks its subdirectories.
   * Resolves when all of that is started; `tree` resolves once the directory's tree is stored.
   * Undefined when the directory could not be read (a problem says why).
   */
  async scanDir(abs: string, rel: string, rules: IgnoreRules): Promise<{ tree: Promise<TreeId> } | undefined> {
    this.#checkStop();
    let names: string[];
    try {
      names = fs.readdirSync(abs);
    } catch (e) {
      if (rel === '') throw new WorktreeError('UNREADABLE', `cannot read ${abs}: ${errorMessage(e)}`, { cause: e });
      this.#problem(rel, readProblemCode(syscallCode(e) ?? 'EIO'), errorMessage(e));
      return undefined;
    }
    // Names that are not UTF-8 come back with U+FFFD in them; only then is the directory listed as bytes.
    if (names.some((n) => n.includes('\uFFFD'))) names = this.#utf8Names(abs, rel);
    if (rel !== '' && names.includes(IGNORE_FILE)) {
      try {
        rules = rules.nested(rel, readIgnoreFile(abs) ?? '');
      } catch (e) {
        this.#problem(`${rel}/${IGNORE_FILE}`, 'UNREADABLE', errorMessage(e));
      }
    }
    const old = this.cache.dirRows(rel);
    const parts: Part[] = [];
    for (const name of names) {
      if (rel === '' && this.#skipAtRoot.has(name)) continue;
      const relPath = rel === '' ? name : `${rel}/${name}`;
      try {
        checkName(name);
      } catch (e) {
        this.#problem(relPath, 'BAD_NAME', errorMessage(e));
        continue;
      }
      const abspath = childPath(abs, name);
      let st: BigIntStats;
      try {
        st = fs.lstatSync(abspath, { bigint: true });
      } catch (e) {
        this.#problem(relPath, readProblemCode(syscallCode(e) ?? 'EIO'), errorMessage(e));
        continue;
      }
      const isDir = st.isDirectory();
      if (!rules.empty && rules.ignores(relPath, isDir)) {
        this.stats.ignored++;
        continue;
      }
      // #dir and #file resolve once their work is started; the wrapped part resolves when it is done.
      if (isDir) parts.push((await this.#dir(abspath, rel, name, st, rules, old)).part);
      else if (st.isFile()) parts.push((await this.#file(abspath, rel, name, st, old)).part);
      else if (st.isSymbolicLink()) parts.push(this.#symlink(abspath, relPath, name, st));
      else this.#problem(relPath, 'UNSUPPORTED_TYPE', 'not a regular file, directory or symlink; skipped');
      this.#checkStop();
    }
    // What is left in `old` is no longer a file or directory here (gone, ignored or unreadable).
    for (const [name, bytes] of old) this.cache.drop(rel, name, decodeRow(bytes)?.dir === true);
    return { tree: guard(this.#finish(parts)) };
  }

  async #finish(parts: Part[]): Promise<TreeId> {
    const entries: TreeEntry[] = [];
    for (const e of await Promise.all(parts)) if (e !== undefined) entries.push(e);
    const id = await this.#store.typed.putTree({ entries: sortEntries(entries) });
    this.stats.dirs++;
    return id;
  }

  #utf8Names(abs: string, rel: string): string[] {
    const names: string[] = [];
    for (const raw of fs.readdirSync(abs, { encoding: 'buffer' })) {
      try {
        names.push(utf8.decode(raw));
      } catch {
        const shown = raw.toString('utf8');
        this.#problem(rel === '' ? shown : `${rel}/${shown}`, 'BAD_NAME', 'name is not valid UTF-8; skipped');
      }
    }
    return names;
  }

  async #dir(abs: string, rel: string, name: string, st: BigIntStats, rules: IgnoreRules, old: DirRows): Promise<{ part: Part }> {
    if (this.#storeDir && st.dev === this.#storeDir.dev && st.ino === this.#storeDir.ino) {
      this.stats.ignored++;
      return { part: undefined };
    }
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const sub = await this.scanDir(abs, relPath, rules);
    if (!sub) return { part: undefined };
    const oldBytes = old.get(name);
    if (oldBytes === undefined || decodeRow(oldBytes)?.dir !== true) this.cache.put(rel, name, { dir: true }, oldBytes);
    old.delete(name);
    const base = { kind: 'dir' as const, name, mode: Number(st.mode) & 0o7777, mtime: mtimeOf(st) };
    return { part: guard(sub.tree.then((tree) => ({ ...base, tree }))) };
  }

  async #file(abs: string, rel: string, name: string, st: BigIntStats, old: DirRows): Promise<{ part: Part }> {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const mode = Number(st.mode) & 0o7777;
    const mtime = mtimeOf(st);
    const oldBytes = old.get(name);
    old.delete(name);
    if (oldBytes !== undefined) {
      const row = decodeRow(oldBytes);
      if (row?.dir) this.cache.drop(rel, name, true);
      else if (row && unchanged(row.file, st) && this.#store.objects.has(row.file.blob)) {
        this.stats.files++;
        this.stats.unchangedFiles++;
        this.stats.bytes += row.file.size;
        this.#tick(relPath);
        return { part: { kind: 'file', name, mode, mtime, size: row.file.size, blob: row.file.blob } };
      }
    }
    const started = await this.pool.start(() => this.#readFile(abs, rel, name, st, oldBytes, mode, mtime));
    return { part: started.result };
  }

  async #readFile(abs: string, rel: string, name: string, st: BigIntStats, oldBytes: Uint8Array | undefined, mode: number, mtime: Mtime): Promise<FileEntry | undefined> {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    if (this.#signal?.aborted || this.#fatal !== undefined) return undefined;
    try {
      const r = await readFileBlob(this.#store.blobs, abs, st);
      this.stats.files++;
      this.stats.bytes += r.blob.size;
      this.stats.newBytes += r.blob.newBytes;
      this.stats.newChunks += r.blob.newChunks;
      if (r.changed) this.#problem(relPath, 'CHANGED_DURING_READ', 'the file changed while it was read; what was read is stored');
      else this.cache.put(rel, name, { dir: false, file: fileRowOf(st, r.blob.id) }, oldBytes);
      this.#tick(relPath);
      return { kind: 'file', name, mode, mtime, size: r.blob.size, blob: r.blob.id };
    } catch (e) {
      const errno = sourceErrorCode(e);
      if (errno === undefined) {
        this.#fatal ??= e;
        throw e;
      }
      this.#problem(relPath, readProblemCode(errno), errorMessage(e));
      return undefined;
    }
  }

  #symlink(abs: string, relPath: string, name: string, st: BigIntStats): Part {
    let target: string;
    try {
      target = utf8.decode(fs.readlinkSync(abs, { encoding: 'buffer' }));
    } catch (e) {
      const errno = syscallCode(e);
      if (errno !== undefined) this.#problem(relPath, readProblemCode(errno), errorMessage(e));
      else this.#problem(relPath, 'BAD_NAME', 'symlink target is not valid UTF-8; skipped');
      return undefined;
    }
    if (target === '' || target.includes('\0') || Buffer.byteLength(target) > LIMITS.target) {
      this.#problem(relPath, 'BAD_NAME', `symlink target empty or longer than ${LIMITS.target} bytes; skipped`);
      return undefined;
    }
    this.stats.symlinks++;
    return { kind: 'symlink', name, mode: Number(st.mode) & 0o7777, mtime: mtimeOf(st), target };
  }

  /** Remembers the first fatal failure of the walk, so running tasks stop starting new work. */
  fail(e: unknown): void {
    this.#fatal ??= e;
  }
}

/** The pre-count only estimates: its failure must never fail the snapshot. */
function guardCount(p: Promise<void>): Promise<void> {
  return p.catch(() => {});
}

function statOrUndefined(p: string): BigIntStats | undefined {
  try {
    return fs.statSync(p, { bigint: true });
  } catch {
    return undefined; // no store directory yet: nothing inside the source to leave out
  }
}

/** Stores the directory `opts.source` and everything below it; returns the root tree. */
export async function snapshotTree(store: Store, opts: SnapshotOptions): Promise<SnapshotResult> {
  const root = path.resolve(opts.source);
  let rootStat: BigIntStats;
  try {
    // The root may be a symlink to a directory (the user named it); below it, links are stored as links.
    rootStat = fs.statSync(root, { bigint: true });
  } catch (e) {
    const code = syscallCode(e) === 'ENOENT' ? 'NO_SUCH_SOURCE' : 'UNREADABLE';
    throw new WorktreeError(code, `cannot snapshot ${root}: ${errorMessage(e)}`, { cause: e });
  }
  if (!rootStat.isDirectory()) throw new WorktreeError('NOT_A_DIRECTORY', `${root} is not a directory`);
  const rules = IgnoreRules.root(readIgnoreFile(root));
  const storeDir = store.path === undefined ? undefined : statOrUndefined(store.path);
  if (storeDir && storeDir.dev === rootStat.dev && storeDir.ino === rootStat.ino) {
    throw new WorktreeError('SOURCE_IS_STORE', `${root} is the store itself`);
  }
  const walk = new SnapshotWalk(store, root, opts, storeDir);
  const counting = walk.progressEnabled
    ? guardCount(precount(root, rules, storeDir, () => walk.finished).then((t) => { walk.totals = t; }))
    : Promise.resolve();
  try {
    const top = await walk.scanDir(root, '', rules);
    const tree = await top!.tree;
    // Everything the tree names becomes durable before the tree is returned and before any stat cache row.
    await store.objects.flush();
    await walk.cache.commit();
    walk.finalProgress();
    await counting;
    return { tree, stats: walk.stats, problems: walk.problems };
  } catch (e) {
    walk.fail(e);
    await walk.pool.drain();
    await walk.cache.abandon();
    await counting;
    throw e;
  }
}
