// Range-based set reconciliation (negentropy v1) over a SyncIndex: the initiator and the responder trade
// messages of ranges until every range matches; the initiator learns which ids only it has and which it
// needs. With sketches on (lode's extension), the initiator asks for one invertible sketch per group of
// mismatched ranges once it can estimate how many differences they hold, instead of splitting further.
// A responder answers sketch requests whatever its own option. It never touches a socket.
import { SyncError } from '../core/index.ts';
import { BOUND_END, minimalBound, type Bound } from './bound.ts';
import type { SyncIndex } from './item-index.ts';
import { decodeMessage, MAX_BOUND_BYTES, MAX_FINGERPRINT_RANGE_BYTES, maxSketchTableSize, type WireRange } from './message.ts';
import { ID_BYTES } from './range-sum.ts';
import { ReplyBuilder, sketchBytes } from './reply-builder.ts';
import { confirmDifference, differenceDensity, differencesHeldBy, expectedDifferences, peelDifference, Sketch, tableSizeFor } from './sketch.ts';

export interface ReconcilerOptions {
  /** How many parts a mismatched range is split into. Default 16. */
  readonly branching?: number;
  /** A range with fewer items is sent as its id list instead of being split (`[sync] enumerate_threshold`). Default 8. */
  readonly enumerateThreshold?: number;
  /** The most bytes of one message, sent or accepted (so both peers must use the same); work beyond it
   * waits for the next round, as in negentropy. Default 60,000. */
  readonly frameSizeLimit?: number;
  /** Settle sparse differences with sketches (modes 3 and 4). Off: plain negentropy modes only. Default on. */
  readonly sketches?: boolean;
}

export interface ReconcileResult {
  /** The message to send back; null when the initiator is done. A responder always replies. */
  readonly reply: Uint8Array | null;
  /** Ids the initiator holds and the responder lacks (learned from this message; empty for a responder). */
  readonly have: Uint8Array[];
  /** Ids the responder holds and the initiator lacks. */
  readonly need: Uint8Array[];
}

export const DEFAULT_BRANCHING = 16;
export const DEFAULT_ENUMERATE_THRESHOLD = 8;
export const DEFAULT_FRAME_SIZE_LIMIT = 60_000;
const MAX_FRAME_SIZE_LIMIT = 64 * 1024 * 1024;
const SKIP_RANGE_BYTES = MAX_BOUND_BYTES + 1;
/** Bound, mode and count of an id list. */
const ID_LIST_HEADER_BYTES = MAX_BOUND_BYTES + 1 + 8;

function idKey(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
}

export class Reconciler {
  readonly #index: SyncIndex;
  readonly #branching: number;
  readonly #threshold: number;
  readonly #limit: number;
  readonly #sketches: boolean;
  /** The most bytes that handling one incoming range may add, a pending skip and a deferral included. */
  readonly #reserve: number;
  #role: 'idle' | 'initiator' | 'responder' = 'idle';
  /** Differences per item, as last estimated: kept across rounds, since a round where every range
   * mismatched tells nothing new. The initiator's alone: it sizes the sketches. */
  #density: number | null = null;
  /** Ids the initiator has reported. A range deferred under one fingerprint can cover ranges already
   * settled, whose ids would otherwise be reported again. */
  readonly #reported = new Set<string>();

  constructor(index: SyncIndex, options: ReconcilerOptions = {}) {
    this.#index = index;
    this.#branching = options.branching ?? DEFAULT_BRANCHING;
    this.#threshold = options.enumerateThreshold ?? DEFAULT_ENUMERATE_THRESHOLD;
    this.#limit = options.frameSizeLimit ?? DEFAULT_FRAME_SIZE_LIMIT;
    this.#sketches = options.sketches ?? true;
    if (!Number.isInteger(this.#branching) || this.#branching < 2) throw new SyncError('BAD_OPTIONS', `branching must be an integer of at least 2, got ${this.#branching}`);
    // With a threshold of 1, a one-item range would be split into itself, and two peers could bounce it forever.
    if (!Number.isInteger(this.#threshold) || this.#threshold < 2) throw new SyncError('BAD_OPTIONS', `enumerate_threshold must be an integer of at least 2, got ${this.#threshold}`);
    const split = Math.max(this.#branching * MAX_FINGERPRINT_RANGE_BYTES, ID_LIST_HEADER_BYTES + (this.#threshold - 1) * ID_BYTES);
    // A pending group and skip written first, then the split, then a deferral fingerprint.
    this.#reserve = MAX_FINGERPRINT_RANGE_BYTES + SKIP_RANGE_BYTES + split + 2 * MAX_FINGERPRINT_RANGE_BYTES;
    if (!Number.isInteger(this.#limit) || this.#limit < 4 * this.#reserve || this.#limit > MAX_FRAME_SIZE_LIMIT) {
      throw new SyncError('BAD_OPTIONS', `frameSizeLimit must be an integer from ${4 * this.#reserve} (for this branching and threshold) to ${MAX_FRAME_SIZE_LIMIT}, got ${this.#limit}`);
    }
  }

  /** The first message of the initiator: the whole set, split. */
  initiate(): Uint8Array {
    if (this.#role !== 'idle') throw new SyncError('BAD_STATE', `initiate() on a reconciler that is already the ${this.#role}`);
    this.#role = 'initiator';
    const reply = new ReplyBuilder();
    this.#split(reply, 0, this.#index.size, BOUND_END);
    return reply.out.finish();
  }

  /** Answers one message of the peer. A reconciler that has not initiated acts as the responder. */
  reconcile(message: Uint8Array): ReconcileResult {
    if (this.#role === 'idle') this.#role = 'responder';
    const initiator = this.#role === 'initiator';
    const ranges = decodeMessage(message, this.#limit);
    const index = this.#index;
    const { uppers, matches } = this.#survey(ranges);
    const density = this.#sketches && initiator && this.#density !== null ? this.#density : null;
    const reply = new ReplyBuilder();
    const have: Uint8Array[] = [];
    const need: Uint8Array[] = [];
    const report = (into: Uint8Array[], id: Uint8Array): void => {
      const key = idKey(id);
      if (this.#reported.has(key)) return;
      this.#reported.add(key);
      into.push(id.slice());
    };

    let lower = 0;
    for (let i = 0; i < ranges.length; lower = uppers[i++]!) {
      const range = ranges[i]!;
      const upper = uppers[i]!;
      if (reply.committed + this.#reserve > this.#limit) {
        this.#deferRest(reply, ranges, uppers, i, lower);
        break;
      }
      if (range.mode === 'skip') {
        reply.settled(range.bound);
      } else if (range.mode === 'fingerprint') {
        if (matches[i]) reply.matched(range.bound);
        else if (density !== null && upper - lower >= this.#threshold) this.#requestSketch(reply, lower, upper, range.bound, expectedDifferences(density, upper - lower));
        else {
          reply.prepareWrite(lower);
          this.#split(reply, lower, upper, range.bound);
        }
      } else if (range.mode === 'idList') {
        const theirs = new Map<string, Uint8Array>();
        for (const id of range.ids) {
          const key = idKey(id);
          if (theirs.has(key)) throw new SyncError('BAD_MESSAGE', 'an id list holds the same id twice');
          theirs.set(key, id);
        }
        if (initiator) {
          index.forEach(lower, upper, (_ts, id) => {
            if (!theirs.delete(idKey(id))) report(have, id);
          });
          for (const id of theirs.values()) report(need, id);
          reply.settled(range.bound);
        } else {
          reply.prepareWrite(lower);
          const cut = this.#answerIdList(reply, lower, upper, range.bound);
          if (cut < upper) {
            this.#deferRest(reply, ranges, uppers, i, cut);
            break;
          }
        }
      } else if (range.mode === 'sketch') {
        if (!initiator) throw new SyncError('UNEXPECTED_MODE', 'a responder was sent a sketch');
        const diff = peelDifference(range.cells, Sketch.build(index, lower, upper, range.tableSize));
        if (diff !== null && confirmDifference(index, lower, upper, diff)) {
          for (const id of diff.ours) report(have, id);
          for (const id of diff.theirs) report(need, id);
          reply.settled(range.bound);
        } else if (upper - lower >= this.#threshold) {
          // Too many differences for this sketch: ask again for one that holds twice as many, so that a
          // range that keeps failing grows its sketch (or its parts) rather than asking for the same forever.
          this.#requestSketch(reply, lower, upper, range.bound, 2 * differencesHeldBy(range.tableSize));
        } else {
          reply.prepareWrite(lower);
          this.#split(reply, lower, upper, range.bound);
        }
      } else {
        if (initiator) throw new SyncError('UNEXPECTED_MODE', 'an initiator was asked for a sketch');
        if (reply.committed + sketchBytes(range.tableSize) + this.#reserve > this.#limit) {
          this.#deferRest(reply, ranges, uppers, i, lower);
          break;
        }
        reply.prepareWrite(lower);
        reply.out.sketch(range.bound, range.tableSize, Sketch.build(index, lower, upper, range.tableSize).encode());
        reply.written = upper;
      }
    }
    reply.closeGroup();
    if (initiator && reply.out.empty) return { reply: null, have, need };
    return { reply: reply.out.finish(), have, need };
  }

  /** Out of room: the incoming ranges from `from` on (the first from our index `start`) wait for the next
   * round. Each goes back as our fingerprint of it, unsplit, so the peer can take it up where it was (a
   * sketch asked for is asked for again, not split anew); the peer's skips stay skips, since a skip may
   * stand for a range the initiator settled while both sides still differ there. What the frame cannot
   * hold goes back under one fingerprint. */
  #deferRest(reply: ReplyBuilder, ranges: readonly WireRange[], uppers: readonly number[], from: number, start: number): void {
    const index = this.#index;
    let last = ranges.length - 1;
    while (last >= from && ranges[last]!.mode === 'skip') last--;
    let at = start;
    for (let i = from; i <= last; i++) {
      const range = ranges[i]!;
      if (range.mode === 'skip') reply.settled(range.bound);
      else {
        reply.prepareWrite(at);
        if (reply.out.size + 2 * MAX_FINGERPRINT_RANGE_BYTES > this.#limit) {
          reply.out.fingerprint(ranges[last]!.bound, index.fingerprint(at, uppers[last]!));
          return;
        }
        reply.out.fingerprint(range.bound, index.fingerprint(at, uppers[i]!));
        reply.written = uppers[i]!;
      }
      at = uppers[i]!;
    }
  }

  /** Our index for each range's upper bound and which fingerprints match; updates the density estimate. */
  #survey(ranges: readonly WireRange[]): { uppers: number[]; matches: boolean[] } {
    const uppers: number[] = [];
    const matches: boolean[] = [];
    let lower = 0;
    const sizes: number[] = [];
    const sampled: boolean[] = [];
    for (const range of ranges) {
      const upper = Math.max(lower, this.#index.lowerBound(range.bound));
      uppers.push(upper);
      const match = range.mode === 'fingerprint' && Buffer.compare(range.fingerprint, this.#index.fingerprint(lower, upper)) === 0;
      matches.push(match);
      if (range.mode === 'fingerprint') {
        sizes.push(upper - lower);
        sampled.push(match);
      }
      lower = upper;
    }
    if (this.#role === 'initiator' && this.#sketches) this.#density = differenceDensity(sizes, sampled) ?? this.#density;
    return { uppers, matches };
  }

  /** Asks for a sketch of a mismatched range: inside the open group while it stays under a quarter of a
   * frame, else in a new group, else in parts of our own split. The requests of one message may ask for
   * more than one reply can hold: the responder answers what fits and defers the rest under one
   * fingerprint, which the next round asks for again at the density estimated here. */
  #requestSketch(reply: ReplyBuilder, lower: number, upper: number, bound: Bound, differences: number): void {
    const cap = Math.min(this.#limit / 4, sketchBytes(maxSketchTableSize(this.#limit)));
    if (reply.groupOpen && reply.groupCostWith(differences) <= cap) {
      reply.group(bound, lower, upper, differences);
      return;
    }
    reply.closeGroup();
    if (reply.groupCostWith(differences) <= cap) {
      reply.group(bound, lower, upper, differences);
      return;
    }
    reply.prepareWrite(lower);
    const n = upper - lower;
    let parts = 2;
    while (parts <= this.#branching && parts < n && sketchBytes(tableSizeFor(differences / parts)) > cap) parts++;
    if (parts > this.#branching || sketchBytes(tableSizeFor(differences / parts)) > cap) {
      // Denser than `branching` sketches can hold: split, so that the next round asks for smaller parts.
      this.#split(reply, lower, upper, bound);
      return;
    }
    const tableSize = tableSizeFor(differences / parts);
    this.#forEachPart(lower, upper, bound, parts, (partBound) => reply.out.sketchRequest(partBound, tableSize));
    reply.written = upper;
  }

  /** The responder's own ids of the range, as many as the frame allows; returns where it stopped. */
  #answerIdList(reply: ReplyBuilder, lower: number, upper: number, bound: Bound): number {
    const ids: Uint8Array[] = [];
    const room = this.#limit - reply.out.size - ID_LIST_HEADER_BYTES - MAX_FINGERPRINT_RANGE_BYTES;
    let cut = upper;
    this.#index.forEach(lower, upper, (_ts, id, i) => {
      if ((ids.length + 1) * ID_BYTES > room) {
        cut = i;
        return false;
      }
      ids.push(id);
    });
    if (cut === upper) reply.out.idList(bound, ids);
    else if (cut > lower) {
      const prev = this.#index.itemAt(cut - 1);
      const next = this.#index.itemAt(cut);
      reply.out.idList(minimalBound(prev.timestamp, prev.id, next.timestamp, next.id), ids);
    }
    reply.written = cut;
    return cut;
  }

  /** Our items [lower, upper) below `upperBound`: an id list when few, else `branching` fingerprinted parts. */
  #split(reply: ReplyBuilder, lower: number, upper: number, upperBound: Bound): void {
    const index = this.#index;
    const n = upper - lower;
    reply.written = upper;
    if (n < this.#threshold) {
      const ids: Uint8Array[] = [];
      index.forEach(lower, upper, (_ts, id) => void ids.push(id));
      reply.out.idList(upperBound, ids);
      return;
    }
    this.#forEachPart(lower, upper, upperBound, Math.min(this.#branching, n), (bound, from, to) => reply.out.fingerprint(bound, index.fingerprint(from, to)));
  }

  /** Splits our items [lower, upper) into `parts` near-equal parts, with the shortest bounds between them. */
  #forEachPart(lower: number, upper: number, upperBound: Bound, parts: number, visit: (bound: Bound, from: number, to: number) => void): void {
    const n = upper - lower;
    const base = Math.floor(n / parts);
    const extra = n % parts;
    let at = lower;
    for (let i = 0; i < parts; i++) {
      const next = at + base + (i < extra ? 1 : 0);
      let bound = upperBound;
      if (next < upper) {
        const a = this.#index.itemAt(next - 1);
        const b = this.#index.itemAt(next);
        bound = minimalBound(a.timestamp, a.id, b.timestamp, b.id);
      }
      visit(bound, at, next);
      at = next;
    }
  }
}
