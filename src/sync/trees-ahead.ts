// The subtrees one fetch asks for ahead of its walk: at most `limit` asked and not yet taken by the walk,
// and no more once they hold `entries` entries (those not arrived yet counted at the mean so far), chosen in
// the order the walk will reach them (depth first, entries in order), each making its own subtrees
// candidates when it arrives. A tree that arrived waits as its encoded bytes, a fraction of its decoded
// entries, and is decoded again when the walk takes it. The walk rarely waits for a directory, trees travel
// in batches, and what is held stays bounded however many directories there are (invariant 4). Sync layer,
// used by the fetcher.
import { decodeTree, type Hash, type TreeEntry } from '../core/index.ts';
import { MaxHeap } from '../history/index.ts';
import type { CheckedObject } from './object-check.ts';

/** Where a tree lies in the walk: the entry index taken at each level from the root. */
export type WalkPosition = readonly number[];

interface Candidate { id: Hash; at: WalkPosition }
/**
 * A tree asked ahead: the answer on its way, or once it arrived, its bytes and number of entries (the
 * decoded entries are let go: they weigh several times their encoding).
 */
type Asked = { answer: Promise<CheckedObject>; bytes?: undefined; entries?: undefined } | { answer?: undefined; bytes: Uint8Array; entries: number };

/**
 * Trees asked ahead and not arrived, beyond those that arrived: it takes a few round trips to learn how
 * wide the trees are before many are asked on a guess.
 */
const FIRST_ASKED = 64;

export interface TreesAheadOptions {
  /** Trees asked and not yet taken by the walk. */
  limit: number;
  /** Entries of the trees that arrived and wait for the walk (encoded, about a hundred bytes each). */
  entries: number;
  /** Asks a peer for tree `id`, checked. */
  ask(id: Hash): Promise<CheckedObject>;
  /** Whether tree `id` needs no asking: stored, being walked, or the fetch failed. */
  skip(id: Hash): boolean;
}

export function subtreeOf(e: TreeEntry): Hash | undefined {
  return e.kind === 'dir' || e.kind === 'conflict' ? e.tree : undefined;
}

function walkedBefore(a: Candidate, b: Candidate): boolean {
  const n = Math.min(a.at.length, b.at.length);
  for (let i = 0; i < n; i++) if (a.at[i] !== b.at[i]) return a.at[i]! < b.at[i]!;
  return a.at.length < b.at.length;
}

export class TreesAhead {
  readonly #opts: TreesAheadOptions;
  /** Asked and not taken by the walk. */
  readonly #asked = new Map<Hash, Asked>();
  /** Entries of the trees in #asked that arrived. */
  #held = 0;
  /** Trees in #asked that have not arrived. */
  #inFlight = 0;
  /** Trees that arrived, and their entries: their mean stands for the size of a tree not arrived yet. */
  #arrived = { trees: 0, entries: 0 };
  readonly #candidates = new MaxHeap<Candidate>(walkedBefore);

  constructor(opts: TreesAheadOptions) {
    this.#opts = opts;
  }

  /** The tree at `at` is known, with these entries: its subtrees are candidates to ask ahead. */
  known(entries: readonly TreeEntry[], at: WalkPosition): void {
    for (let i = 0; i < entries.length; i++) {
      const sub = subtreeOf(entries[i]!);
      if (sub !== undefined && !this.#opts.skip(sub)) this.#candidates.push({ id: sub, at: [...at, i] });
    }
    this.#fill();
  }

  /**
   * The walk reached tree `id`: its answer, if it was asked ahead (its subtrees were made candidates when
   * it arrived), else undefined (the walk asks for it, and reports it `known`).
   */
  take(id: Hash): Promise<CheckedObject> | undefined {
    const asked = this.#asked.get(id);
    if (asked === undefined) return undefined;
    this.#asked.delete(id);
    if (asked.answer !== undefined) this.#inFlight--;
    else this.#held -= asked.entries;
    this.#fill();
    if (asked.answer !== undefined) return asked.answer;
    const bytes = asked.bytes;
    // Checked when it arrived: decoding the same bytes again cannot fail.
    return Promise.resolve({ kind: 'tree', id, bytes, tree: decodeTree(bytes) });
  }

  /** Entries the trees asked ahead hold, or will once they arrive (a guess for those on their way). */
  #expected(): number {
    const mean = this.#arrived.trees === 0 ? 16 : this.#arrived.entries / this.#arrived.trees;
    return this.#held + this.#inFlight * mean;
  }

  #fill(): void {
    const room = (): boolean => this.#asked.size < this.#opts.limit
      && this.#inFlight < FIRST_ASKED + this.#arrived.trees && this.#expected() < this.#opts.entries;
    while (room()) {
      const c = this.#candidates.pop();
      if (c === undefined) return;
      if (this.#asked.has(c.id) || this.#opts.skip(c.id)) continue;
      const answer = this.#opts.ask(c.id);
      this.#asked.set(c.id, { answer });
      this.#inFlight++;
      // Whether or not the walk took it meanwhile: a tree taken from here is not reported known by the walk.
      answer.then((object) => {
        if (object.kind !== 'tree') return;
        const entries = object.tree.entries.length;
        this.#arrived.trees++;
        this.#arrived.entries += entries;
        if (this.#asked.get(c.id)?.answer === answer) {
          this.#asked.set(c.id, { bytes: object.bytes, entries });
          this.#held += entries;
          this.#inFlight--;
        }
        this.known(object.tree.entries, c.at);
      }, () => {});
    }
  }
}
