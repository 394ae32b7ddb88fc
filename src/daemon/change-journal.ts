// A worktree's change journal (daemon layer): which directories saw a change, by sequence number, since a
// token the daemon handed out earlier. Fed by worktree-watch.ts; a status asks it instead of walking.
// Pure bookkeeping: "unknown" (null) is always a correct answer, and is given whenever in doubt.
import { randomBytes } from 'node:crypto';

/** Directories (relative to the worktree root, '' for the root) changed since a token; null: unknown, walk everything. */
export interface JournalAnswer { token: string; dirs: string[] | null }

export interface JournalLimits {
  /** Distinct dirty directories kept before the journal gives up and answers "unknown" to older tokens. */
  maxDirty?: number;
  /** More changed directories than this in one answer: "unknown" instead (a full walk is as cheap). */
  maxReply?: number;
}

const DEFAULT_MAX_DIRTY = 100_000;
const DEFAULT_MAX_REPLY = 10_000;

/**
 * Tokens are `${id}:${seq}`. The id is random per journal, so a token from another daemon run, another
 * worktree or a journal rebuilt after a lost watch is never taken for one of this journal's.
 */
export class ChangeJournal {
  readonly id: string;
  readonly #maxDirty: number;
  readonly #maxReply: number;
  #seq = 0;
  /** Tokens below this sequence number are unknown: the journal lost track at some point after them. */
  #validFrom = 1;
  /** Directory → the last sequence number at which it changed; kept in increasing order of that number. */
  readonly #dirty = new Map<string, number>();

  constructor(limits: JournalLimits = {}, id: string = randomBytes(12).toString('hex')) {
    this.id = id;
    this.#maxDirty = limits.maxDirty ?? DEFAULT_MAX_DIRTY;
    this.#maxReply = limits.maxReply ?? DEFAULT_MAX_REPLY;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Records that something in `dir` (its listing, or an entry's content or metadata) changed now. */
  mark(dir: string): void {
    const seq = ++this.#seq;
    this.#dirty.delete(dir);
    this.#dirty.set(dir, seq);
    if (this.#dirty.size > this.#maxDirty) this.forget();
  }

  /** Gives up on every token handed out so far: their next question is answered "unknown". */
  forget(): void {
    this.#validFrom = ++this.#seq + 1;
    this.#dirty.clear();
  }

  /** A new point in the sequence (a cookie seen), as a token: every change recorded so far is at or before it. */
  tick(): string {
    return `${this.id}:${++this.#seq}`;
  }

  /** The token of the current point, without advancing: valid for a caller about to walk everything. */
  current(): string {
    return `${this.id}:${this.#seq}`;
  }

  /**
   * The directories changed after `since` (a token of this journal), or null when that is unknown: no
   * token, another journal's, one from before the journal lost track, or too many directories.
   */
  changedSince(since: string | undefined): string[] | null {
    const seq = this.#seqOf(since);
    if (seq === undefined || seq < this.#validFrom) return null;
    const out: string[] = [];
    for (const [dir, at] of this.#dirty) {
      if (at <= seq) continue;
      out.push(dir);
      if (out.length > this.#maxReply) return null;
    }
    return out;
  }

  #seqOf(token: string | undefined): number | undefined {
    if (token === undefined) return undefined;
    const colon = token.lastIndexOf(':');
    if (colon < 0 || token.slice(0, colon) !== this.id) return undefined;
    const digits = token.slice(colon + 1);
    if (!/^[0-9]{1,15}$/.test(digits)) return undefined;
    const seq = Number(digits);
    return seq <= this.#seq ? seq : undefined;
  }
}
