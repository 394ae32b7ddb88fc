// The subtrees one fetch asks for ahead of its walk: at most `limit` at once, chosen in the order the walk
// will reach them (depth first, entries in order), each making its own subtrees candidates when it
// arrives. The walk rarely waits for a directory, trees travel in batches, and what is held stays bounded
// however many directories there are (invariant 4). Sync layer, used by the fetcher.
import type { Hash, TreeEntry } from '../core/index.ts';
import { MaxHeap } from '../history/index.ts';
import type { CheckedObject } from './object-check.ts';

/** What a request for a tree answers (the fetcher's Answer). */
interface Answer { object: CheckedObject }

/** Where a tree lies in the walk: the entry index taken at each level from the root. */
export type WalkPosition = readonly number[];

interface Candidate { id: Hash; at: WalkPosition }

export interface TreesAheadOptions<A extends Answer> {
  limit: number;
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
  readonly #asked = new Map<Hash, Promise<A>>();
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
    const answer = this.#asked.get(id);
    if (answer === undefined) return undefined;
    this.#asked.delete(id);
    this.#fill();
    return answer;
  }

  #fill(): void {
    while (this.#asked.size < this.#opts.limit) {
      const c = this.#candidates.pop();
      if (c === undefined) return;
      if (this.#asked.has(c.id) || this.#opts.skip(c.id)) continue;
      const answer = this.#opts.ask(c.id);
      this.#asked.set(c.id, answer);
      // Whether or not the walk took it meanwhile: a tree taken from here is not reported known by the walk.
      answer.then(({ object }) => {
        if (object.kind === 'tree') this.known(object.tree.entries, c.at);
      }, () => {});
    }
  }
}
