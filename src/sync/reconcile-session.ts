// Reconciliation of one arena's head entries with one peer, run when the peer connects (a cold start or
// the end of a partition): the Reconciler over headEntryItems, then each side sends the entries the
// other lacks and the normal HEADS path fetches what they name. Sync layer; it returns messages.
import { blake3, toHex, SyncError, type ArenaId } from '../core/index.ts';
import { headEntryItems, listHeadEntries } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { SyncIndex } from './item-index.ts';
import { MAX_HEAD_ENTRIES, MAX_WANT_IDS, type SyncMessage } from './messages.ts';
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';

function indexOf(store: Store, arena: ArenaId): SyncIndex {
  return SyncIndex.from(headEntryItems(store, arena));
}

/** The stored entries of `arena` whose item ids (BLAKE3 of their bytes) are among `ids`, as HEADS messages. */
export function headsFor(store: Store, arena: ArenaId, ids: readonly Uint8Array[]): SyncMessage[] {
  if (ids.length === 0) return [];
  const wanted = new Set(ids.map((id) => toHex(id)));
  const entries = listHeadEntries(store, arena).filter(({ bytes }) => wanted.has(toHex(blake3(bytes)))).map(({ bytes }) => bytes);
  const out: SyncMessage[] = [];
  for (let i = 0; i < entries.length; i += MAX_HEAD_ENTRIES) out.push({ type: 'heads', arena, entries: entries.slice(i, i + MAX_HEAD_ENTRIES) });
  return out;
}

/** The initiator's side of one session. */
export class HeadReconciliation {
  readonly arena: ArenaId;
  readonly #store: Store;
  readonly #reconciler: Reconciler;
  #done = false;

  constructor(store: Store, arena: ArenaId, options: ReconcilerOptions = {}) {
    this.#store = store;
    this.arena = arena;
    this.#reconciler = new Reconciler(indexOf(store, arena), options);
  }

  get done(): boolean {
    return this.#done;
  }

  /** The first message to send. */
  start(): SyncMessage {
    return { type: 'reconcile', arena: this.arena, role: 'initiator', body: this.#reconciler.initiate() };
  }

  /** Takes the responder's reply; returns what to send: entries the peer lacks, requests for ours, the next round. */
  step(body: Uint8Array): SyncMessage[] {
    if (this.#done) throw new SyncError('BAD_STATE', 'a reconciliation reply after the session ended');
    const { reply, have, need } = this.#reconciler.reconcile(body);
    const out = headsFor(this.#store, this.arena, have);
    for (let i = 0; i < need.length; i += MAX_WANT_IDS) out.push({ type: 'want-heads', arena: this.arena, ids: need.slice(i, i + MAX_WANT_IDS) });
    if (reply === null) this.#done = true;
    else out.push({ type: 'reconcile', arena: this.arena, role: 'initiator', body: reply });
    return out;
  }
}

/**
 * The responder's answer to one round. A responder keeps no state between rounds (it only describes its
 * own index), so each round reads the arena's current entries afresh.
 */
export function answerReconcile(store: Store, arena: ArenaId, body: Uint8Array, options: ReconcilerOptions = {}): SyncMessage {
  const { reply } = new Reconciler(indexOf(store, arena), options).reconcile(body);
  if (reply === null) throw new SyncError('BAD_STATE', 'a responder must always reply');
  return { type: 'reconcile', arena, role: 'responder', body: reply };
}
