// One reply under construction. Ranges on the wire are contiguous, so a matched range waits as a pending
// skip, and mismatched ranges that one sketch request will cover wait as an open group, until something
// else has to be written. Tracks where on our side the written ranges end, which a deferral starts from.
import type { Bound } from './bound.ts';
import { MAX_BOUND_BYTES, MessageWriter } from './message.ts';
import { SKETCH_CELL_BYTES, SKETCH_TABLES, tableSizeFor } from './sketch.ts';

/** Bound, mode and table size of a sketch range, before its cells. */
const SKETCH_HEADER_BYTES = MAX_BOUND_BYTES + 1 + 8;

export function sketchBytes(tableSize: number): number {
  return SKETCH_HEADER_BYTES + tableSize * SKETCH_TABLES * SKETCH_CELL_BYTES;
}

interface Group {
  bound: Bound;
  upper: number;
  differences: number;
}

export class ReplyBuilder {
  readonly out = new MessageWriter();
  /** Our index where the last written range ends. */
  written = 0;
  #skip: Bound | null = null;
  #group: Group | null = null;

  /** Bytes this message will hold once the open group is written. */
  get committed(): number {
    return this.out.size + (this.#group === null ? 0 : SKETCH_HEADER_BYTES);
  }

  /** The bytes of the sketch the open group asks for, after adding `differences`. */
  groupCostWith(differences: number): number {
    return sketchBytes(tableSizeFor((this.#group?.differences ?? 0) + differences));
  }

  get groupOpen(): boolean {
    return this.#group !== null;
  }

  /** A range known to match on both sides: it may sit inside a sketch group. */
  matched(bound: Bound): void {
    this.#skip = bound;
  }

  /** A range settled another way (or skipped by the peer): it must stay out of any sketch, or its differences
   * would be reported twice. */
  settled(bound: Bound): void {
    this.closeGroup();
    this.#skip = bound;
  }

  /** Adds a mismatched range [lower, upper) to the open sketch group, opening one if needed. */
  group(bound: Bound, lower: number, upper: number, differences: number): void {
    if (this.#group === null) {
      this.#flushSkip(lower);
      this.#group = { bound, upper, differences };
    } else {
      this.#skip = null;
      this.#group.bound = bound;
      this.#group.upper = upper;
      this.#group.differences += differences;
    }
  }

  /** Writes what waits, so that the next written range starts at `lower`. */
  prepareWrite(lower: number): void {
    this.closeGroup();
    this.#flushSkip(lower);
  }

  closeGroup(): void {
    const g = this.#group;
    if (g === null) return;
    this.#group = null;
    this.out.sketchRequest(g.bound, tableSizeFor(g.differences));
    this.written = g.upper;
  }

  #flushSkip(lower: number): void {
    if (this.#skip === null) return;
    this.out.skip(this.#skip);
    this.#skip = null;
    this.written = lower;
  }
}
