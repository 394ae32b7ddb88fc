// snapshotTree (worktree layer): walks a directory and stores it as one tree object per directory,
// bottom-up, with file contents as blobs. Unchanged files, and unchanged directories' whole trees, come
// from the stat cache; the rest are read by a bounded pool while the walk goes on, so the walk never
// waits for one file at a time.
import fs, { type BigIntStats } from 'node:fs';
import path from 'node:path';
import { checkName, WorktreeError, LIMITS, type ArenaId, type Mtime, type SymlinkEntry, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { readFileBlob } from './file-reader.ts';
import { IGNORE_FILE, IgnoreRules, readIgnoreFile } from './ignore-rules.ts';
import { errorMessage, readProblemCode, sourceErrorCode, syscallCode, type Problem } from './problems.ts';
import { precount, type Totals } from './precount.ts';
import { ProgressThrottle } from './progress.ts';
import { encodeDirRecord, factsOf, mtimeOfNs, type DirRecord, type RecordEntry } from './dir-record.ts';
import { StatCache } from './stat-cache.ts';
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
  /**
   * A file whose ctime is less than this before the snapshot started is stored but not trusted as
   * unchanged next time (default 2000 ms): a second write within the filesystem's timestamp granularity
   * would leave size, mtime and ctime as they were (the "racy git" problem). Tests set 0.
   */
  racyWindowMs?: number;
  /**
   * A change journal's word on what changed since `previous` was this source's tree: only the directories
   * in `changed` (relative paths, '' the root) and their ancestors are listed; every other directory is
   * taken from `previous` when its mode and mtime are unchanged. Without it, everything is listed.
   */
  journal?: { previous: TreeId; changed: ReadonlySet<string> };
}

const DEFAULT_RACY_WINDOW_MS = 2000;

const DEFAULT_CONCURRENCY = 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** An entry of the tree being built; a number is a slot of the directory's old record, found unchanged. */
type Part = RecordEntry | undefined | Promise<RecordEntry | undefined> | number;
/** A scanned directory: its tree once stored, and `same` when it is the old record's tree, known at once. */
interface Scanned { tree: Promise<TreeId>; same: TreeId | undefined }

/** Marks a promise as handled: its owner awaits it later, or abandons it when the walk has failed. */
function guard<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function mtimeOf(st: BigIntStats): Mtime {
  return mtimeOfNs(st.mtimeNs);
}

function childPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function sortEntries(entries: RecordEntry[]): RecordEntry[] {
  // compareNames order (UTF-8 bytes), with each name encoded once rather than once per comparison.
  const keyed = entries.map((e) => ({ key: Buffer.from(e.entry.name), e }));
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
  /** Files with a ctime at or after this are not trusted as unchanged next time. */
  readonly #racyFrom: bigint;
  readonly #progress: ProgressThrottle<SnapshotProgress>;
  /** With a journal: the directories to list (the changed ones and their ancestors); the rest are kept. */
  readonly #listed: ReadonlySet<string> | undefined;
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
    this.#listed = opts.journal === undefined ? undefined : withAncestors(opts.journal.changed);
    // From the end of the current millisecond: every file written before this point has a ctime below it.
    const now = (BigInt(Date.now()) + 1n) * 1_000_000n;
    this.#racyFrom = now - BigInt(Math.round((opts.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS) * 1e6));
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
   * Resolves when all of that is started; `tree` resolves once the directory's tree is stored. When every
   * entry is as the directory's record says (same names, unchanged lstat facts, subdirectories the same
   * trees), the record's tree is the answer and nothing is encoded, hashed or written.
   * Undefined when the directory could not be read (a problem says why).
   */
  async scanDir(abs: string, rel: string, rules: IgnoreRules, previous?: TreeId): Promise<Scanned | undefined> {
    this.#checkStop();
    // The directory's entries in the journal's previous tree: unlisted subdirectories are kept from them.
    const before = previous === undefined ? undefined : await this.#previousEntries(previous);
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
    const old = this.cache.record(rel);
    if (rel === '' && old === undefined) this.cache.forgetOldRows();
    const parts: Part[] = [];
    // Whether every entry so far is the old record's, unchanged: then the old tree is this directory's.
    let same = old?.tree !== undefined;
    const prefix = rel === '' ? '' : `${rel}/`;
    const absPrefix = abs.endsWith('/') ? abs : `${abs}/`;
    for (const name of names) {
      if (rel === '' && this.#skipAtRoot.has(name)) continue;
      const relPath = prefix + name;
      try {
        checkName(name);
      } catch (e) {
        this.#problem(relPath, 'BAD_NAME', errorMessage(e));
        continue;
      }
      const abspath = absPrefix + name;
      let st: BigIntStats | undefined;
      try {
        st = fs.lstatSync(abspath, { bigint: true, throwIfNoEntry: false });
      } catch (e) {
        this.#problem(relPath, readProblemCode(syscallCode(e) ?? 'EIO'), errorMessage(e));
        continue;
      }
      if (st === undefined) {
        this.#problem(relPath, readProblemCode('ENOENT'), `${abspath} vanished while it was listed`);
        continue;
      }
      const isDir = st.isDirectory();
      if (!rules.empty && rules.ignores(relPath, isDir)) {
        this.stats.ignored++;
        continue;
      }
      const slot = old?.slotOf(name, parts.length);
      if (isDir) {
        const sub = await this.#dir(abspath, relPath, name, st, rules, before?.get(name));
        if (sub === undefined) continue;
        if (same && (slot === undefined || sub.same === undefined || !old!.dirUnchanged(slot, st, sub.same))) same = false;
        parts.push(sub.part);
      } else if (st.isFile()) {
        if (slot !== undefined && old!.fileUnchanged(slot, st)) {
          this.stats.files++;
          this.stats.unchangedFiles++;
          this.stats.bytes += Number(st.size);
          this.#tick(relPath);
          parts.push(slot);
        } else {
          same = false;
          parts.push((await this.#file(abspath, rel, name, st)).part);
        }
      } else if (st.isSymbolicLink()) {
        const link = this.#symlink(abspath, relPath, name, st);
        if (same && (link === undefined || slot === undefined || !old!.symlinkUnchanged(slot, st, link.target))) same = false;
        parts.push(link && { entry: link });
      } else {
        this.#problem(relPath, 'UNSUPPORTED_TYPE', 'not a regular file, directory or symlink; skipped');
      }
      this.#checkStop();
    }
    // Each part matched a different slot, so as many parts as slots means every slot is still here.
    if (same && parts.length === old!.count && this.#store.objects.has(old!.tree!)) {
      this.stats.dirs++;
      return { tree: Promise.resolve(old!.tree!), same: old!.tree! };
    }
    return { tree: guard(this.#finish(abs, rel, old, parts)), same: undefined };
  }

  async #finish(abs: string, rel: string, old: DirRecord | undefined, parts: Part[]): Promise<TreeId> {
    const entries: RecordEntry[] = [];
    for (const e of await Promise.all(parts.map((p) => (typeof p === 'number' ? this.#reuse(abs, rel, old!, p) : p)))) if (e !== undefined) entries.push(e);
    const sorted = sortEntries(entries);
    const id = await this.#store.typed.putTree({ entries: sorted.map((e) => e.entry) });
    this.stats.dirs++;
    if (old) {
      // The records below a directory that is gone (or no longer a directory, or unreadable) go too.
      const dirs = new Set<string>();
      for (const e of entries) if (e.entry.kind === 'dir') dirs.add(e.entry.name);
      old.names.forEach((name, slot) => {
        if (old.kind(slot) === 'dir' && !dirs.has(name)) this.cache.drop(rel === '' ? name : `${rel}/${name}`);
      });
    }
    // The record keeps the listing's order, in which the next walk most likely meets the names again.
    this.cache.put(rel, encodeDirRecord(id, entries), old?.raw);
    return id;
  }

  /** An unchanged file of a directory that changed: its old entry, unless its blob has left the store. */
  async #reuse(abs: string, rel: string, old: DirRecord, slot: number): Promise<RecordEntry | undefined> {
    const kept = old.entry(slot);
    if (kept.entry.kind !== 'file' || this.#store.objects.has(kept.entry.blob)) return kept;
    // Rare (gc dropped the blob): read the file again, as it is now, and count it as read, not unchanged.
    this.stats.files--;
    this.stats.unchangedFiles--;
    this.stats.bytes -= kept.entry.size;
    const name = kept.entry.name;
    const abspath = childPath(abs, name);
    let st: BigIntStats;
    try {
      st = fs.lstatSync(abspath, { bigint: true });
    } catch (e) {
      this.#problem(rel === '' ? name : `${rel}/${name}`, readProblemCode(syscallCode(e) ?? 'EIO'), errorMessage(e));
      return undefined;
    }
    if (!st.isFile()) {
      this.#problem(rel === '' ? name : `${rel}/${name}`, 'CHANGED_DURING_READ', 'the file was replaced while the directory was read; skipped');
      return undefined;
    }
    return (await this.#file(abspath, rel, name, st)).part;
  }

  /** A previous tree's entries by name; undefined when it cannot be read (then nothing below is kept). */
  async #previousEntries(tree: TreeId): Promise<Map<string, TreeEntry> | undefined> {
    try {
      return new Map((await this.#store.typed.getTree(tree)).entries.map((e) => [e.name, e]));
    } catch {
      return undefined;
    }
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

  /**
   * Undefined when the directory is left out (the store itself); `part` is undefined when it could not be read.
   * `before` is its entry in the journal's previous tree, if any: an unlisted directory whose mode and mtime
   * are as that entry says is that entry, unread; a listed one is listed with it as its own previous tree.
   */
  async #dir(abs: string, relPath: string, name: string, st: BigIntStats, rules: IgnoreRules, before?: TreeEntry): Promise<{ part: Part; same: TreeId | undefined } | undefined> {
    if (this.#storeDir && st.dev === this.#storeDir.dev && st.ino === this.#storeDir.ino) {
      this.stats.ignored++;
      return undefined;
    }
    const base = { kind: 'dir' as const, name, mode: Number(st.mode) & 0o7777, mtime: mtimeOf(st) };
    const previous = before?.kind === 'dir' ? before : undefined;
    if (previous !== undefined && !this.#listed!.has(relPath) && previous.mode === base.mode && previous.mtime.sec === base.mtime.sec &&
      previous.mtime.nsec === base.mtime.nsec && this.#store.objects.has(previous.tree)) {
      return { part: { entry: { ...base, tree: previous.tree } }, same: previous.tree };
    }
    // Listed: changed, or above a change. Otherwise the journal and the directory disagree: list it all.
    const sub = await this.scanDir(abs, relPath, rules, previous !== undefined && this.#listed!.has(relPath) ? previous.tree : undefined);
    if (!sub) return { part: undefined, same: undefined };
    if (sub.same !== undefined) return { part: { entry: { ...base, tree: sub.same } }, same: sub.same };
    return { part: guard(sub.tree.then((tree) => ({ entry: { ...base, tree } }))), same: undefined };
  }

  async #file(abs: string, rel: string, name: string, st: BigIntStats): Promise<{ part: Promise<RecordEntry | undefined> }> {
    const mode = Number(st.mode) & 0o7777;
    const mtime = mtimeOf(st);
    const started = await this.pool.start(() => this.#readFile(abs, rel, name, st, mode, mtime));
    return { part: started.result };
  }

  async #readFile(abs: string, rel: string, name: string, st: BigIntStats, mode: number, mtime: Mtime): Promise<RecordEntry | undefined> {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    if (this.#signal?.aborted || this.#fatal !== undefined) return undefined;
    try {
      const r = await readFileBlob(this.#store.blobs, abs, st);
      this.stats.files++;
      this.stats.bytes += r.blob.size;
      this.stats.newBytes += r.blob.newBytes;
      this.stats.newChunks += r.blob.newChunks;
      if (r.changed) this.#problem(relPath, 'CHANGED_DURING_READ', 'the file changed while it was read; what was read is stored');
      this.#tick(relPath);
      const entry = { kind: 'file' as const, name, mode, mtime, size: r.blob.size, blob: r.blob.id };
      // Facts are kept only when they describe what was read and a later write cannot leave them as they are.
      return r.changed || st.ctimeNs >= this.#racyFrom ? { entry } : { entry, facts: factsOf(st) };
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

  #symlink(abs: string, relPath: string, name: string, st: BigIntStats): SymlinkEntry | undefined {
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

/** The directories of `changed` and every directory above them, the root ('') included. */
function withAncestors(changed: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const dir of changed) {
    for (let d = dir; !out.has(d); d = d.slice(0, Math.max(0, d.lastIndexOf('/')))) {
      out.add(d);
      if (d === '') break;
    }
  }
  out.add('');
  return out;
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
    const top = await walk.scanDir(root, '', rules, opts.journal?.previous);
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
