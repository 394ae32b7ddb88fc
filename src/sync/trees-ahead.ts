// The subtrees one fetch asks for ahead of its walk: at most `limit` asked and not yet taken by the walk,
// and no more once they hold `entries` entries (those not arrived yet counted at the mean so far), chosen in the order the walk will reach them (depth
// first, entries in order), each making its own subtrees candidates when it arrives. The walk rarely waits
// for a directory, trees travel in batches, and what is held stays bounded however many directories there
// are and however wide (invariant 4). Sync layer, used by the fetcher.
import type { Hash, TreeEntry } from '../core/index.ts';
import { MaxHeap } from '../history/index.ts';
import type { CheckedObject } from './object-check.ts';

/** What a request for a tree answers (the fetcher's Answer). */
interface Answer { object: CheckedObject }

/** Where a tree lies in the walk: the entry index taken at each level from the root. */
export type WalkPosition = readonly number[];

interface Candidate { id: Hash; at: WalkPosition }
/** A tree asked ahead: its answer, and its number of entries once it arrived. */
interface Asked<A> { answer: Promise<A>; entries?: number }

export interface TreesAheadOptions<A extends Answer> {
  /** Trees asked and not yet taken by the walk. */
  limit: number;
  /** Entries of the trees that arrived and wait for the walk: a decoded entry weighs a few hundred bytes. */
  entries: number;
  /** Asks a peer for tree `id`. */
  ask(id: Hash): Promise<A>;
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

export class TreesAhead<A extends Answer> {
  readonly #opts: TreesAheadOptions<A>;
  /** Asked and not taken by the walk. */
  readonly #asked = new Map<Hash, Asked<A>>();
  /** Entries of the trees in #asked that arrived. */
  #held = 0;
  /** Trees in #asked that have not arrived. */
  #inFlight = 0;
  /** Trees that arrived, and their entries: their mean stands for the size of a tree not arrived yet. */
  #arrived = { trees: 0, entries: 0 };
  readonly #candidates = new MaxHeap<Candidate>(walkedBefore);

  constructor(opts: TreesAheadOptions<A>) {
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
  take(id: Hash): Promise<A> | undefined {
    const asked = this.#asked.get(id);
    if (asked === undefined) return undefined;
    this.#asked.delete(id);
    if (asked.entries !== undefined) this.#held -= asked.entries;
    else this.#inFlight--;
    this.#fill();
    return asked.answer;
  }

  /** Entries the trees asked ahead hold, or will once they arrive (a guess for those on their way). */
  #expected(): number {
    const mean = this.#arrived.trees === 0 ? 16 : this.#arrived.entries / this.#arrived.trees;
    return this.#held + this.#inFlight * mean;
  }

  #fill(): void {
    while (this.#asked.size < this.#opts.limit && this.#expected() < this.#opts.entries) {
      const c = this.#candidates.pop();
      if (c === undefined) return;
      if (this.#asked.has(c.id) || this.#opts.skip(c.id)) continue;
      const asked: Asked<A> = { answer: this.#opts.ask(c.id) };
      this.#asked.set(c.id, asked);
      this.#inFlight++;
      // Whether or not the walk took it meanwhile: a tree taken from here is not reported known by the walk.
      asked.answer.then(({ object }) => {
        if (object.kind !== 'tree') return;
        this.#arrived.trees++;
        this.#arrived.entries += object.tree.entries.length;
        if (this.#asked.get(c.id) === asked) {
          asked.entries = object.tree.entries.length;
          this.#held += asked.entries;
          this.#inFlight--;
        }
        this.known(object.tree.entries, c.at);
      }, () => {});
    }
  }
}
