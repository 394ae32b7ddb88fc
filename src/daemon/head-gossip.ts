// The reactive path's carrier: one gossipsub topic per replicated arena (headsTopic), on which the sync
// engine's announcements of its own new head entries are published, and whose messages go back into it as
// announcements from their author. Daemon layer; it moves the sync layer's bytes and never looks inside.
import type { ArenaId, NodeId } from '../core/index.ts';
import type { Gossip } from '../net/index.ts';
import { headsTopic } from '../sync/index.ts';

export interface HeadGossipOptions {
  /** The node's gossip (undefined when gossipsub is off: everything then goes over the sync streams). */
  gossip: Gossip | undefined;
  self: NodeId;
  /** Feeds a message heard on an arena's topic to the sync engine; throws for bytes it refuses. */
  receive(author: NodeId, arena: ArenaId, bytes: Uint8Array): void;
  /** A member published bytes the sync engine refused. */
  onBadMessage(author: NodeId, arena: ArenaId, error: unknown): void;
  /** Publishing failed (the entry still reaches the peers as a LOG on the sync streams). */
  onPublishError(arena: ArenaId, error: unknown): void;
}

export class HeadGossip {
  readonly #opts: HeadGossipOptions;
  readonly #unsubscribe: (() => void)[] = [];
  #stopped = false;
  /** Announcements published to at least one subscriber. */
  published = 0;
  /** Announcements not published because nobody had subscribed to the topic yet. */
  skipped = 0;

  constructor(opts: HeadGossipOptions) {
    this.#opts = opts;
  }

  /** Joins the topic of each arena; call once the sync engine can take messages. */
  subscribe(arenas: Iterable<ArenaId>): void {
    const { gossip, self } = this.#opts;
    if (gossip === undefined) return;
    for (const arena of arenas) {
      this.#unsubscribe.push(gossip.subscribe(headsTopic(arena), (data, author) => {
        if (this.#stopped || author === self) return;
        try {
          this.#opts.receive(author, arena, data);
        } catch (e) {
          this.#opts.onBadMessage(author, arena, e);
        }
      }));
    }
  }

  /**
   * Publishes one announcement, only once the topic has a subscriber: gossipsub drops a message nobody
   * listens to, and at start (before subscriptions are exchanged) the change log's LOG over the sync
   * streams delivers the entry anyway, so nothing is lost by skipping.
   */
  announce(arena: ArenaId, bytes: Uint8Array): void {
    const { gossip } = this.#opts;
    if (gossip === undefined || this.#stopped) return;
    const topic = headsTopic(arena);
    if (gossip.subscribers(topic).length === 0) {
      this.skipped++;
      return;
    }
    gossip.publish(topic, bytes).then(
      (recipients) => { if (recipients > 0) this.published++; else this.skipped++; },
      (e: unknown) => this.#opts.onPublishError(arena, e),
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}
