// The sending half of one peer's sync session: a long-lived `/lode/sync/1` stream opened by this node,
// fed in order from a queue of sync messages, each one frame, batched into writes of 256 KiB or more.
// Each node opens its own stream to each peer and reads the peer's stream in its handler, so neither
// side has to decide who opens. Daemon layer; it carries the sync layer's bytes and never looks inside.
import { FrameWriter, type NetNode, type Stream } from '../net/index.ts';
import type { NodeId } from '../core/index.ts';

export const SYNC_PROTOCOL = '/lode/sync/1';

export class PeerLink {
  readonly peer: NodeId;
  readonly #net: NetNode;
  readonly #onBroken: (error: unknown) => void;
  readonly #queue: Uint8Array[] = [];
  #stream: Stream | undefined;
  #opening: Promise<Stream> | undefined;
  #pumping = false;
  #closed = false;
  /** Bytes queued and not yet handed to the stream. */
  queuedBytes = 0;
  /** Whether the peer's own stream has arrived during this session (set by the stream handler). */
  heardFrom = false;

  constructor(net: NetNode, peer: NodeId, onBroken: (error: unknown) => void) {
    this.#net = net;
    this.peer = peer;
    this.#onBroken = onBroken;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues one message; never throws (SyncNode's `send` contract). A broken stream is reported once. */
  send(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push(bytes);
    this.queuedBytes += bytes.length;
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      const stream = await this.#open();
      const writer = new FrameWriter(stream);
      while (this.#queue.length > 0 && !this.#closed) {
        const bytes = this.#queue.shift()!;
        this.queuedBytes -= bytes.length;
        await writer.write(bytes);
        // The peer must see what is queued once the queue runs dry; until then, keep batching.
        if (this.#queue.length === 0) await writer.flush();
      }
    } catch (e) {
      if (!this.#closed) {
        this.#abort(e);
        this.#onBroken(e);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #open(): Promise<Stream> {
    if (this.#stream !== undefined) return Promise.resolve(this.#stream);
    this.#opening ??= this.#net.openStream(this.peer, SYNC_PROTOCOL).then((s) => {
      this.#stream = s;
      if (this.#closed) void s.close().catch(() => s.abort(new Error('closed')));
      return s;
    });
    return this.#opening;
  }

  #abort(error: unknown): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.queuedBytes = 0;
    const s = this.#stream;
    if (s !== undefined && (s.status === 'open' || s.status === 'closing')) s.abort(error instanceof Error ? error : new Error(String(error)));
  }

  /** Ends the session: closes the writable end cleanly (the peer's reader sees the end), or aborts after a timeout. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.queuedBytes = 0;
    const s = this.#stream;
    if (s === undefined || s.status !== 'open') return;
    try {
      await s.close({ signal: AbortSignal.timeout(2000) });
    } catch {
      s.abort(new Error('closing the sync link timed out'));
    }
  }
}
