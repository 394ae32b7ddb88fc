// Watches one worktree for the daemon (daemon layer): one fs.watch (inotify) per directory feeding a
// ChangeJournal, and the cookie handshake of git's fsmonitor, so an answer covers every change made before
// the question. Anything that could have lost an event (a watcher error, a directory replaced under its
// watch, a burst that may have overflowed the kernel queue) breaks the watch; the caller then rebuilds it
// and answers "unknown" meanwhile, which makes the status walk everything.
import fs, { type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { IGNORE_FILE, WORKTREE_DIR } from '../worktree/index.ts';
import { ChangeJournal, type JournalAnswer, type JournalLimits } from './change-journal.ts';

/** Cookie files live in `<root>/.lode/`; their names start with this. */
export const COOKIE_PREFIX = 'fsmonitor-cookie-';

export interface WatchOptions extends JournalLimits {
  /** How long a question waits for its cookie to come back through the watcher. */
  cookieWaitMs?: number;
  /** More directories than this are not watched: the watch breaks (and status walks). */
  maxDirs?: number;
  /**
   * Events handled in one turn of the event loop beyond which the kernel queue may have overflowed (libuv
   * drops the overflow notice itself): the default is half of /proc/sys/fs/inotify/max_queued_events.
   */
  burstLimit?: number;
}

const DEFAULT_COOKIE_WAIT_MS = 2000;
const DEFAULT_MAX_DIRS = 100_000;

interface Watched { watcher: FSWatcher; ino: number }

function defaultBurstLimit(): number {
  try {
    const queued = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    if (Number.isInteger(queued) && queued > 0) return Math.max(1, Math.floor(queued / 2));
  } catch {
    // not Linux, or /proc hidden: the kernel default
  }
  return 8192;
}

export class WorktreeWatch {
  readonly root: string;
  readonly journal: ChangeJournal;
  readonly #dirs = new Map<string, Watched>();
  readonly #cookieWaitMs: number;
  readonly #maxDirs: number;
  readonly #burstLimit: number;
  readonly #waiters = new Map<string, () => void>();
  #internal: Watched | undefined;
  #cookies = 0;
  #burst = 0;
  #broken: string | undefined;

  /** Starts watching `root` and every directory below it (synchronously, so no change after this is missed). */
  constructor(root: string, options: WatchOptions = {}) {
    this.root = root;
    this.journal = new ChangeJournal(options);
    this.#cookieWaitMs = options.cookieWaitMs ?? DEFAULT_COOKIE_WAIT_MS;
    this.#maxDirs = options.maxDirs ?? DEFAULT_MAX_DIRS;
    this.#burstLimit = options.burstLimit ?? defaultBurstLimit();
    this.#watchInternal();
    this.#removeStaleCookies();
    this.#watchTree('', false);
  }

  /** Cookies of a daemon that died mid-question: one daemon serves a store, so none here is anyone's now. */
  #removeStaleCookies(): void {
    const dir = join(this.root, WORKTREE_DIR);
    try {
      for (const name of fs.readdirSync(dir)) if (name.startsWith(COOKIE_PREFIX)) fs.rmSync(join(dir, name), { force: true });
    } catch {
      // no .lode: the first question finds out and answers "unknown"
    }
  }

  /** Why the watch stopped being trustworthy, or undefined while it is. */
  get broken(): string | undefined {
    return this.#broken;
  }

  get watchedDirs(): number {
    return this.#dirs.size;
  }

  /**
   * The directories changed since `since`. A cookie file is created and the answer waits until the
   * watcher reports it: every event queued before it (every change made before this call) is then in
   * the journal. Without the cookie in time, or on a broken watch, the answer is "unknown".
   */
  async changes(since: string | undefined): Promise<JournalAnswer> {
    if (this.#broken !== undefined) return { token: this.journal.current(), dirs: null };
    const name = `${COOKIE_PREFIX}${process.pid}-${++this.#cookies}`;
    const cookie = join(this.root, WORKTREE_DIR, name);
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<boolean>((resolve) => {
      this.#waiters.set(name, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.#cookieWaitMs);
    });
    try {
      fs.writeFileSync(cookie, '', { flag: 'wx' });
    } catch (e) {
      // No .lode (or no room): no cookie, so no way to know the journal is up to date. Rebuilt at the next question.
      this.#waiters.delete(name);
      clearTimeout(timer);
      const token = this.journal.current();
      this.#break(`cannot write a cookie: ${String(e)}`);
      return { token, dirs: null };
    }
    const ok = await seen;
    clearTimeout(timer);
    this.#waiters.delete(name);
    fs.rmSync(cookie, { force: true });
    if (!ok || this.#broken !== undefined) return { token: this.journal.current(), dirs: null };
    // The token is taken now, when the cookie came through: everything before it has been recorded.
    const token = this.journal.tick();
    return { token, dirs: this.journal.changedSince(since) };
  }

  /** Stops watching; a question still waiting for its cookie is answered "unknown". */
  close(): void {
    this.#broken ??= 'closed';
    for (const w of this.#dirs.values()) w.watcher.close();
    this.#dirs.clear();
    this.#internal?.watcher.close();
    this.#internal = undefined;
    for (const wake of this.#waiters.values()) wake();
    this.#waiters.clear();
  }

  #break(reason: string): void {
    if (this.#broken !== undefined) return;
    this.#broken = reason;
    this.journal.forget();
    this.close();
  }

  #abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  /** `.lode/` is watched for cookies only; nothing in it is part of the worktree's content. */
  #watchInternal(): void {
    this.#internal?.watcher.close();
    this.#internal = undefined;
    const abs = join(this.root, WORKTREE_DIR);
    try {
      const st = fs.lstatSync(abs);
      if (!st.isDirectory()) return;
      const watcher = fs.watch(abs, { persistent: false }, (_type, name) => {
        if (typeof name === 'string' && name.startsWith(COOKIE_PREFIX)) this.#waiters.get(name)?.();
      });
      watcher.on('error', (e) => this.#break(`watch of ${abs} failed: ${String(e)}`));
      this.#internal = { watcher, ino: st.ino };
    } catch {
      // No .lode: cookies cannot be made, so every answer is "unknown"; nothing else depends on it.
    }
  }

  /** Watches `rel` and every directory below it; with `mark`, each is recorded as changed (it is new to the journal). */
  #watchTree(rel: string, mark: boolean): void {
    const stack = [rel];
    while (stack.length > 0 && this.#broken === undefined) {
      const dir = stack.pop()!;
      const abs = this.#abs(dir);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(abs, { throwIfNoEntry: false });
      } catch (e) {
        if (dir === '') return this.#break(`cannot stat the worktree root: ${String(e)}`);
        continue; // unreadable: its parent's listing records it as it is, and its own walk reports the problem
      }
      if (st === undefined || !st.isDirectory()) {
        if (dir === '') return this.#break('the worktree root is gone');
        continue;
      }
      if (this.#dirs.size >= this.#maxDirs) return this.#break(`more than ${this.#maxDirs} directories`);
      let watcher: FSWatcher;
      try {
        watcher = fs.watch(abs, { persistent: false }, (type, name) => this.#event(dir, type, name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Gone or unreadable since it was listed: its parent's listing changed, which its parent's watch reports.
        if (dir !== '' && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES')) continue;
        return this.#break(`cannot watch ${abs}: ${String(e)}`);
      }
      watcher.on('error', (e) => this.#break(`watch of ${abs} failed: ${String(e)}`));
      this.#dirs.set(dir, { watcher, ino: st.ino });
      if (mark) this.journal.mark(dir);
      // Listed after the watch is in place: what appears later is reported, what was there is found here.
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(abs, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        if (dir === '' && e.name === WORKTREE_DIR) continue;
        stack.push(dir === '' ? e.name : `${dir}/${e.name}`);
      }
    }
  }

  #unwatchTree(rel: string): void {
    const below = `${rel}/`;
    for (const [dir, w] of this.#dirs) {
      if (dir !== rel && !dir.startsWith(below)) continue;
      w.watcher.close();
      this.#dirs.delete(dir);
    }
  }

  #event(dir: string, type: string, name: string | Buffer | null): void {
    if (this.#broken !== undefined || !this.#dirs.has(dir)) return;
    // libuv reads the whole inotify queue in one go; this many events in one turn means it may have overflowed.
    if (this.#burst++ === 0) setImmediate(() => { this.#burst = 0; });
    if (this.#burst > this.#burstLimit) return this.#break('too many events at once: the kernel queue may have overflowed');
    if (typeof name !== 'string') return this.#break(`an event in ${this.#abs(dir)} without a name`);
    this.journal.mark(dir);
    // Ignore rules below this directory may have changed: only a walk of everything can say what they affect.
    if (name === IGNORE_FILE) this.journal.forget();
    if (type !== 'rename') return; // content or metadata: no directory appeared or went
    // An event about the watched directory itself carries its own name: check it is still the one watched.
    if (name === basename(this.#abs(dir)) && !this.#stillThere(dir)) {
      if (dir === '') return this.#break('the worktree root was moved or deleted');
      // Deleted, moved away, replaced or unmounted: its parent's entry changed, and whatever is there now
      // (if anything) is watched afresh, whether or not the parent's own watch says so.
      this.#unwatchTree(dir);
      const slash = dir.lastIndexOf('/');
      this.journal.mark(slash < 0 ? '' : dir.slice(0, slash));
      this.#recheck(dir);
      return;
    }
    const child = dir === '' ? name : `${dir}/${name}`;
    if (dir === '' && name === WORKTREE_DIR) return this.#watchInternal();
    this.#recheck(child);
  }

  #stillThere(dir: string): boolean {
    const w = this.#dirs.get(dir);
    if (w === undefined) return false;
    const st = fs.lstatSync(this.#abs(dir), { throwIfNoEntry: false });
    return st !== undefined && st.isDirectory() && st.ino === w.ino;
  }

  /** After a name in a watched directory appeared, went or moved: watch it if it is a new directory, drop it if it went. */
  #recheck(child: string): void {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.#abs(child), { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    const watched = this.#dirs.get(child);
    if (st !== undefined && st.isDirectory()) {
      if (watched !== undefined && watched.ino === st.ino) return;
      if (watched !== undefined) this.#unwatchTree(child);
      this.#watchTree(child, true);
    } else if (watched !== undefined) {
      this.#unwatchTree(child);
    }
  }
}
