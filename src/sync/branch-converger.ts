// Moves each (arena, branch) toward the common head convergence.ts defines: fetches the commits peers'
// entries name, moves the branch, and publishes this node's own entry for it. Sync layer.
import { branchKey, isLodeError, SyncError, type ArenaId, type CommitId } from '../core/index.ts';
import { getBranch, listHeadEntries, moveBranch, signHead, storeOwnHead, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { coveringHead, frontier, joinFrontier } from './convergence.ts';
import type { Fetcher, PeerId } from './fetcher.ts';
import type { LogFeed } from './log-feed.ts';
import type { ObjectRecord } from './messages.ts';
import { pushRecords } from './push-objects.ts';
import type { ArenaTransfer, SyncNodeOptions } from './node-sync-types.ts';

const COMMAND = 'sync';

/** What the converger uses of its SyncNode. */
export interface BranchConvergerContext {
  store: Store;
  opts: SyncNodeOptions;
  fetcher: Fetcher;
  /** The connected peers (the SyncNode's own map, read live). */
  peers: ReadonlyMap<PeerId, LogFeed>;
  held(): ArenaRecord[];
  now(): number;
  /** Appends entries to the change log and sends them to caught-up peers. */
  record(entries: readonly Uint8Array[], arena: ArenaId, origin: PeerId | undefined): Promise<void>;
  /** Sends unasked objects, then the new entry that names them, to the arena's caught-up peers. */
  push(arena: ArenaId, objects: ObjectRecord[], entry: Uint8Array): void;
  /** Hands the carrier a HEADS message for a new entry of this node's own. */
  announce(arena: ArenaId, entry: Uint8Array): void;
}

export class BranchConverger {
  readonly #ctx: BranchConvergerContext;
  readonly #store: Store;
  /** One convergence at a time per (arena, branch); a trigger during one runs it once more after. */
  readonly #converging = new Map<string, { again: boolean; prefer: Set<PeerId> }>();
  readonly #transfers = new Set<ArenaTransfer>();
  /** (arena, branch) whose last convergence could not fetch some entry's commit from any peer. */
  readonly #unfetched = new Set<string>();
  /** (arena, branch, commit) already reported through onCannotPublish. */
  readonly #unpublishable = new Set<string>();

  constructor(ctx: BranchConvergerContext) {
    this.#ctx = ctx;
    this.#store = ctx.store;
  }

  /** The commits being fetched now, per arena and branch, with their progress. */
  transfers(): ArenaTransfer[] {
    return [...this.#transfers].map((t) => ({ ...t }));
  }

  /** Whether the last convergence of the branch left some entry's commit unfetched (no peer had it). */
  lacksCommits(arena: ArenaId, branch: string): boolean {
    return this.#unfetched.has(`${arena}/${branch}`);
  }

  converge(arena: ArenaId, branch: string, prefer?: PeerId): Promise<void> {
    const key = `${arena}/${branch}`;
    const running = this.#converging.get(key);
    if (running !== undefined) {
      running.again = true;
      if (prefer !== undefined) running.prefer.add(prefer);
      return Promise.resolve();
    }
    const state = { again: true, prefer: new Set<PeerId>(prefer === undefined ? [] : [prefer]) };
    this.#converging.set(key, state);
    return (async () => {
      try {
        while (state.again) {
          state.again = false;
          const prefer = [...state.prefer];
          state.prefer.clear();
          await this.#convergeOnce(arena, branch, prefer);
        }
      } finally {
        this.#converging.delete(key);
      }
    })();
  }

  /** Fetches every entry's commit it can, then moves the branch to its target and publishes it. */
  async #convergeOnce(arena: ArenaId, branch: string, prefer: PeerId[]): Promise<void> {
    const record = this.#ctx.held().find((a) => a.id === arena);
    if (record === undefined) return;
    const key = branchKey(branch);
    const peers = [...new Set([...prefer, ...[...this.#ctx.peers].filter(([, s]) => s.arenas?.has(arena)).map(([p]) => p)])];
    const heads: CommitId[] = [];
    let unfetched = false;
    for (const { entry } of listHeadEntries(this.#store, arena)) {
      if (entry.key !== key) continue;
      try {
        // The entry's author has its commit for sure; then whoever announced, then everyone else.
        const author = entry.author as string;
        if (!this.#store.objects.has(entry.commit)) {
          const transfer: ArenaTransfer = { arena, branch, commit: entry.commit, objectsReceived: 0, bytesReceived: 0, outstanding: 0, started: this.#ctx.now() };
          this.#transfers.add(transfer);
          try {
            await this.#ctx.fetcher.fetchCommit(entry.commit, this.#ctx.peers.has(author) ? [author, ...peers.filter((p) => p !== author)] : peers, transfer);
          } finally {
            this.#transfers.delete(transfer);
          }
        }
        heads.push(entry.commit);
      } catch (e) {
        // No connected peer has it yet: the next HELLO or HEADS retries.
        if (!(e instanceof SyncError && e.code === 'UNAVAILABLE')) throw e;
        unfetched = true;
      }
    }
    if (unfetched) this.#unfetched.add(`${arena}/${branch}`);
    else this.#unfetched.delete(`${arena}/${branch}`);
    for (;;) {
      const own = getBranch(this.#store, arena, branch);
      const all = own === undefined ? heads : [own, ...heads];
      if (all.length === 0) return;
      const f = await frontier(this.#store, arena, all);
      let target: CommitId | undefined;
      if (record.secretKey !== undefined) target = await joinFrontier(this.#store, arena, record.secretKey, f);
      else if (own === undefined || await coveringHead(this.#store, f, [own]) === undefined) target = await coveringHead(this.#store, f, all);
      if (target === undefined || target === own) break;
      try {
        await moveBranch(this.#store, arena, branch, target, { command: COMMAND, reason: `sync to ${target.slice(0, 12)}`, expect: own ?? null });
        this.#ctx.opts.onBranchMoved?.(arena, branch, target);
        break;
      } catch (e) {
        // A local commit moved the branch meanwhile: take it into account and try again.
        if (!(isLodeError(e) && e.code === 'BRANCH_MOVED')) throw e;
      }
    }
    await this.#publishOwn(arena, branch);
  }

  /** Publishes this node's entry for the branch when it lags the branch (writers only) and announces it. */
  async #publishOwn(arena: ArenaId, branch: string): Promise<void> {
    const record = this.#ctx.held().find((a) => a.id === arena);
    const head = getBranch(this.#store, arena, branch);
    if (record === undefined || head === undefined) return;
    const key = branchKey(branch);
    if (record.secretKey === undefined) {
      // A read-only member cannot sign for the arena: a local commit stays local, and the owner is told once.
      const named = listHeadEntries(this.#store, arena).some(({ entry }) => entry.key === key && entry.commit === head);
      const report = `${arena}/${branch}/${head}`;
      if (!named && !this.#unpublishable.has(report)) {
        this.#unpublishable.add(report);
        this.#ctx.opts.onCannotPublish?.(arena, branch, head);
      }
      return;
    }
    const entries = listHeadEntries(this.#store, arena).filter(({ entry }) => entry.key === key);
    const mine = entries.find(({ entry }) => entry.author === this.#store.identity.nodeId);
    if (mine?.entry.commit === head) return;
    // The branch followed another writer's entry: that entry already tells every peer where it is, and a
    // copy signed by each node that followed would only make every peer verify, store and pass on more.
    if (entries.some(({ entry }) => entry.commit === head)) return;
    // The entry goes out before it is stored here (the commit it names is durable already): to the
    // connected peers right after the head's small objects, so one message brings everything they need,
    // then by gossip for the others. Stored, it goes into the change log that backs both up.
    const signed = signHead(this.#store, arena, branch, head, { now: this.#ctx.now() });
    this.#ctx.push(arena, await pushRecords(this.#store, head), signed.bytes);
    this.#ctx.announce(arena, signed.bytes);
    await storeOwnHead(this.#store, signed);
    await this.#ctx.record([signed.bytes], arena, undefined);
  }
}
