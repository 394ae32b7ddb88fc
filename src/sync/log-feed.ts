// What one connected peer is sent from the change log, and which of those LOG messages it has
// acknowledged. One per connection; node-sync.ts drives it inside ChangeLog.run steps so records go
// out in sequence order. Sync layer; it emits messages, never touches a socket.
import { SyncError, type ArenaId } from '../core/index.ts';
import type { LogRecord } from './change-log.ts';
import type { PeerId } from './fetcher.ts';
import { MAX_HEAD_ENTRIES, type SyncMessage } from './messages.ts';

/** One LOG awaiting its ACK. `covers` grows past `through` as records the peer need not see go by. */
export interface SentLog { serial: number; through: number; covers: number; marker: boolean }

export class LogFeed {
  readonly peer: PeerId;
  /** The arenas the peer's HELLO listed; undefined before it. */
  arenas: Set<ArenaId> | undefined;
  /** The shared arenas at HELLO: recorded as caught up when the marker is acknowledged. */
  shared: ArenaId[] = [];
  /** Shared arenas whose reconciliation (this node initiating) has not finished. */
  readonly reconciling = new Set<ArenaId>();
  /** True when the peer catches up by reconciliation of every shared arena (new, inactive, or a gap). */
  full = false;
  /** Records up to here were sent or owed nothing; undefined until the catch-up after HELLO ran. */
  #covered: number | undefined;
  readonly #unacked: SentLog[] = [];
  readonly #emit: (m: SyncMessage) => void;
  readonly #serial: () => number;
  /** Serials below this one were issued before this connection's feed: their ACKs are stale. */
  readonly #firstSerial: number;

  /** `serial` hands out increasing LOG serials, node-wide, so feeds of one peer never reuse one. */
  constructor(peer: PeerId, emit: (m: SyncMessage) => void, serial: () => number) {
    this.peer = peer;
    this.#emit = emit;
    this.#serial = serial;
    this.#firstSerial = serial();
  }

  get covered(): number | undefined {
    return this.#covered;
  }

  #wants(r: LogRecord): boolean {
    return r.origin !== this.peer && this.arenas !== undefined && this.arenas.has(r.arena);
  }

  #send(entries: Uint8Array[], through: number, marker: boolean): void {
    const serial = this.#serial();
    this.#emit({ type: 'log', serial, through, entries });
    this.#unacked.push({ serial, through, covers: through, marker });
    this.#covered = through;
  }

  /** Sends `records` the peer should see, in LOG messages of at most MAX_HEAD_ENTRIES, covering up to `through`. */
  #sendRecords(records: Iterable<LogRecord>, through: number): void {
    let batch: Uint8Array[] = [];
    for (const r of records) {
      if (!this.#wants(r)) continue;
      batch.push(r.entry);
      if (batch.length === MAX_HEAD_ENTRIES) {
        this.#send(batch, r.seq, false);
        batch = [];
      }
    }
    if (this.#covered !== undefined && this.#covered >= through) return;
    const last = this.#unacked.at(-1);
    // Nothing to show it: let the last LOG in flight vouch for these records too, or send an empty one.
    if (batch.length === 0 && last !== undefined) {
      last.covers = through;
      this.#covered = through;
    } else {
      this.#send(batch, through, false);
    }
  }

  /**
   * After HELLO: sends the records after `acked` (undefined: none, the peer reconciles instead) and takes
   * charge of everything up to `lastSeq`; later records arrive through announce.
   */
  catchUp(records: Iterable<LogRecord>, lastSeq: number, acked: number | undefined): void {
    if (acked !== undefined) this.#sendRecords(records, lastSeq);
    else this.#covered = Math.max(this.#covered ?? 0, lastSeq);
  }

  /** New records, just made durable. */
  announce(records: readonly LogRecord[]): void {
    if (this.#covered === undefined || records.length === 0) return;
    this.#sendRecords(records, records.at(-1)!.seq);
  }

  /** Reconciliation finished: a LOG whose ACK proves the peer took everything sent before it. */
  sendMarker(lastSeq: number): void {
    this.#send([], this.#covered ?? lastSeq, true);
  }

  /**
   * Takes the peer's ACK for the oldest LOG in flight. An ACK of a LOG sent before this connection's
   * feed (the session restarted on a live stream) is stale: undefined. Any other mismatch is BAD_STATE.
   */
  acked(serial: number, through: number): SentLog | undefined {
    if (serial < this.#firstSerial) return undefined;
    const sent = this.#unacked[0];
    if (sent === undefined || sent.serial !== serial || sent.through !== through) {
      throw new SyncError('BAD_STATE', `an ACK (${serial}, through ${through}) from ${this.peer} for no LOG in flight`);
    }
    this.#unacked.shift();
    return sent;
  }
}
