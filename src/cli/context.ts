// What every command receives: the global options, the output, the config, the store (opened on first
// use, closed once at the end), and on request an abort signal tied to SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openStore, type Store } from '../store/index.ts';
import { EXIT, type ExitStatus } from './errors.ts';
import { loadConfig, type LodeConfig } from './config.ts';
import { Output } from './output.ts';
import { createProgress, type ProgressBar, type ProgressUnit } from './progress.ts';
import { cacheDirFor, locateStore, type StoreLocation } from './store-location.ts';

/** A command's body: it returns its exit status (0 when it returns nothing) or throws a coded error. */
export type CommandBody = (ctx: Context) => Promise<ExitStatus | void>;
/** Wraps a body into a commander action for the command `cmd` (program.ts builds the one runner). */
export type Runner = (cmd: Command, body: CommandBody) => Promise<void>;

export interface GlobalOptions {
  store?: string;
  config?: string;
  json: boolean;
  debug: boolean;
  quiet: boolean;
}

export class Context {
  readonly opts: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Output;
  private readonly abort = new AbortController();
  private trapping = false;
  private configCache: LodeConfig | undefined;
  private store: Store | undefined;
  /** The refs digest when the store was opened, taken only while a daemon's socket exists (see close). */
  private refsAtOpen: string | undefined;
  private earlyNotice: Promise<void> | undefined;
  private readonly onSignal = (): void => {
    if (this.abort.signal.aborted) process.exit(EXIT.INTERRUPTED);
    this.out.warn('lode: interrupted; stopping (press Ctrl-C again to quit at once)');
    this.abort.abort();
  };

  constructor(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env) {
    this.opts = opts;
    this.env = env;
    this.out = new Output({ json: opts.json, quiet: opts.quiet, env });
  }

  /**
   * For work that can stop cleanly (a snapshot): the first Ctrl-C aborts through the returned signal, a
   * second one exits at once. Other commands keep Node's default, an immediate exit, which the store's
   * crash safety makes harmless.
   */
  interruptible(): AbortSignal {
    if (!this.trapping) {
      this.trapping = true;
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
    return this.abort.signal;
  }

  config(): LodeConfig {
    this.configCache ??= loadConfig(this.opts.config, this.env);
    return this.configCache;
  }

  storeLocation(): StoreLocation {
    return locateStore(this.opts.store, this.config(), this.env);
  }

  /** Opens (and on first use creates) the store; later calls return the same one. */
  async openStore(): Promise<Store> {
    if (this.store === undefined) {
      const { dir } = this.storeLocation();
      const store = await openStore(dir, { cacheDir: cacheDirFor(dir, this.env) });
      if (store.cacheProblem !== undefined && !this.opts.quiet) process.stderr.write(`lode: warning: ${store.cacheProblem}; unchanged files will be read again\n`);
      this.store = store;
      if (existsSync(daemonSocket(dir))) this.refsAtOpen = await daemonRefs(store);
    }
    return this.store;
  }

  progress(label: string, unit: ProgressUnit = 'bytes'): ProgressBar {
    return createProgress(label, { json: this.opts.json, quiet: this.opts.quiet, env: this.env, unit });
  }

  async close(): Promise<void> {
    if (this.trapping) {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
    }
    const store = this.store;
    this.store = undefined;
    if (store === undefined) return;
    try {
      await this.earlyNotice;
      await this.notifyDaemon(store);
    } finally {
      await store.close();
    }
  }

  /**
   * Tells a running daemon at once that this command moved a branch, so its peers hear of it while the
   * command is still printing; close() waits for it and does not repeat it unless branches moved again.
   */
  branchMoved(): void {
    const store = this.store;
    if (store?.path === undefined || !existsSync(daemonSocket(store.path))) return;
    const previous = this.earlyNotice ?? Promise.resolve();
    this.earlyNotice = previous.then(async () => {
      await this.notifyDaemon(store);
      this.refsAtOpen = await daemonRefs(store);
    });
  }

  /**
   * A running daemon learns of branch moves made by this command (a snapshot, a commit, a merge) through
   * its control socket, and announces them to its peers. Best effort: no daemon, or one that does not
   * answer within a second, never fails the command; the daemon rescans all branches when it starts.
   */
  private async notifyDaemon(store: Store): Promise<void> {
    if (store.path === undefined || !existsSync(daemonSocket(store.path))) return;
    try {
      if (this.refsAtOpen !== undefined && await daemonRefs(store) === this.refsAtOpen) return;
      const daemon = await import('../daemon/index.ts');
      await daemon.controlRequest(daemon.controlSocketPath(store.path), { op: 'refs-changed' }, { timeoutMs: 1000 });
    } catch (e) {
      if (this.opts.debug) this.out.warn(`lode: could not notify the daemon: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** The digest of all branches (see notifyDaemon); undefined when it cannot be read, which only means a poke. */
async function daemonRefs(store: Store): Promise<string | undefined> {
  try {
    return (await import('../daemon/index.ts')).refsFingerprint(store);
  } catch {
    return undefined;
  }
}

/** The control socket's path, spelled here too so that commands without a daemon never load its module. */
function daemonSocket(storeDir: string): string {
  return join(storeDir, 'daemon.sock');
}
