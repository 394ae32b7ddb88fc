// The reactive (gossip) path of a SyncNode: HEADS messages heard on an arena's topic, taken in order per
// author, and this node's own new entries handed to the carrier, with the counts `lode sync status` shows. Sync layer.
import { SyncError, type ArenaId } from '../core/index.ts';
import type { PeerId } from './fetcher.ts';
import { decodeSyncMessage, encodeSyncMessage } from './messages.ts';
import type { AnnouncementCounts, SyncNodeOptions } from './node-sync-types.ts';

export class Announcements {
  readonly #opts: SyncNodeOptions;
  /** Per author, the announcements being accepted, one after another. */
  readonly #announced = new Map<PeerId, Promise<void>>();
  readonly #counts: AnnouncementCounts = { messages: 0, entries: 0, accepted: 0, published: 0 };

  constructor(opts: SyncNodeOptions) {
    this.#opts = opts;
  }

  /** Counts of the reactive path (announcements published and heard) since the node started. */
  get counts(): AnnouncementCounts {
    return { ...this.#counts };
  }

  /**
   * Checks a HEADS message for `arena` broadcast by `from` and, for a replicated arena, queues `take` on its
   * entries after that author's earlier ones; returns the work for the caller to run in the background, or
   * undefined when the arena is not replicated. Throws SyncError before any state changes (see SyncNode.receiveAnnouncement).
   */
  receive(
    from: PeerId, arena: ArenaId, bytes: Uint8Array, replicates: (arena: ArenaId) => boolean,
    take: (from: PeerId, entries: Uint8Array[], arena: ArenaId) => Promise<number>,
  ): Promise<void> | undefined {
    const m = decodeSyncMessage(bytes);
    if (m.type !== 'heads') throw new SyncError('BAD_MESSAGE', `an announcement must be a HEADS message, got ${m.type}`);
    if (m.arena !== arena) throw new SyncError('WRONG_ARENA', `an announcement of arena ${m.arena} on the topic of ${arena}`);
    if (!replicates(arena)) return undefined;
    this.#counts.messages++;
    this.#counts.entries += m.entries.length;
    const run = async (): Promise<void> => {
      this.#counts.accepted += await take(from, m.entries, arena);
    };
    const next = (this.#announced.get(from) ?? Promise.resolve()).then(run);
    const settled = next.catch(() => undefined);
    this.#announced.set(from, settled);
    void settled.then(() => { if (this.#announced.get(from) === settled) this.#announced.delete(from); });
    return next;
  }

  /** Hands the carrier one HEADS message for a new entry of this node's own; its failure is no sync failure. */
  publish(arena: ArenaId, entry: Uint8Array): void {
    const announce = this.#opts.announce;
    if (announce === undefined) return;
    try {
      announce(arena, encodeSyncMessage({ type: 'heads', arena, entries: [entry] }));
      this.#counts.published++;
    } catch (e) {
      this.#opts.onError?.(e);
    }
  }
}
