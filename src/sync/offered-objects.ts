// Objects a peer pushed without being asked: the announcer of a new head sends the head's small new
// objects just before its entry, so a fetch finds them here instead of asking (one round trip per tree
// level saved). Nothing here is trusted or stored: the fetcher checks an object against its id when it
// takes it, exactly as a reply. Bounded in bytes, per object and in age. Sync layer.
import type { Hash } from '../core/index.ts';
import type { PeerId } from './fetch-types.ts';
import type { ObjectRecord } from './messages.ts';

/** Larger unasked objects are dropped: pushes carry small ones only. */
export const MAX_OFFERED_OBJECT = 64 * 1024;
/** All offered objects held at once. */
export const MAX_OFFERED_BYTES = 1024 * 1024;
/** An offer nobody took by then is dropped. */
export const OFFER_TTL_MS = 10_000;

interface Offer { peer: PeerId; record: ObjectRecord; at: number }

export class OfferedObjects {
  /** In arrival order, so the oldest go first. */
  readonly #offers = new Map<Hash, Offer>();
  #bytes = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `record` from `peer` (a copy: the message buffer it views is not kept alive), evicting the oldest offers past the budget. */
  offer(peer: PeerId, record: ObjectRecord): void {
    const size = record.bytes.length;
    if (size > MAX_OFFERED_OBJECT || this.#offers.has(record.id)) return;
    this.#expire();
    for (const [id, o] of this.#offers) {
      if (this.#bytes + size <= MAX_OFFERED_BYTES) break;
      this.#drop(id, o);
    }
    this.#offers.set(record.id, { peer, record: { kind: record.kind, id: record.id, bytes: record.bytes.slice() }, at: this.#now() });
    this.#bytes += size;
  }

  /** The offer of `id`, removed; undefined when none is held (or it expired). */
  take(id: Hash): { peer: PeerId; record: ObjectRecord } | undefined {
    const o = this.#offers.get(id);
    if (o === undefined) return undefined;
    this.#drop(id, o);
    return this.#now() - o.at > OFFER_TTL_MS ? undefined : o;
  }

  #expire(): void {
    const cutoff = this.#now() - OFFER_TTL_MS;
    for (const [id, o] of this.#offers) {
      if (o.at >= cutoff) break;
      this.#drop(id, o);
    }
  }

  #drop(id: Hash, o: Offer): void {
    this.#offers.delete(id);
    this.#bytes -= o.record.bytes.length;
  }
}
