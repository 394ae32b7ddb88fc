// Length-prefixed frames over a libp2p 3 stream: a 4-byte big-endian length, then that many bytes. Part
// of the net layer; sync messages and chunks travel in these frames. A bad frame ends only its stream.
import type { Stream } from '@libp2p/interface';
import { NetError, isLodeError } from '../core/index.ts';

export const FRAME_HEADER_BYTES = 4;
/** DESIGN: writes of 256 KiB or more; smaller ones cost half the throughput on yamux. */
export const WRITE_BATCH_BYTES = 256 * 1024;
/** Room for the largest chunk (4 MiB) plus the message around it. */
export const DEFAULT_MAX_FRAME = 4 * 1024 * 1024 + 64 * 1024;
/**
 * The yamux receive window is capped here (transport.ts), so that a paused reader's stream never
 * buffers more than this beyond what the reader holds; libp2p resets a stream whose read buffer
 * outgrows `maxReadBufferLength`.
 */
export const MAX_STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const MAX_LENGTH = 0xffff_ffff;

export interface ReadFramesOptions {
  /** A frame announcing more bytes than this aborts the stream with FRAME_TOO_LARGE. */
  maxFrame: number;
}

/** Writes one frame, coalescing the header with a small payload, and waits out backpressure. */
export async function writeFrame(stream: Stream, frame: Uint8Array): Promise<void> {
  const header = frameHeader(frame.length);
  if (frame.length < WRITE_BATCH_BYTES) await sendBytes(stream, concat([header, frame], FRAME_HEADER_BYTES + frame.length));
  else {
    await sendBytes(stream, header);
    await sendBytes(stream, frame);
  }
}

/**
 * Queues frames and sends them in writes of at least `batchBytes` (DESIGN: batch to 256 KiB or more).
 * Call flush() when the peer must see what is queued, and end() to flush and close the writable end.
 */
export class FrameWriter {
  readonly #stream: Stream;
  readonly #batchBytes: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(stream: Stream, options: { batchBytes?: number } = {}) {
    this.#stream = stream;
    this.#batchBytes = options.batchBytes ?? WRITE_BATCH_BYTES;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  async write(frame: Uint8Array): Promise<void> {
    const header = frameHeader(frame.length);
    if (frame.length >= this.#batchBytes) {
      // A large frame is a batch by itself: send it without copying it into the queue.
      this.#queue(header);
      await this.flush();
      await sendBytes(this.#stream, frame);
      return;
    }
    this.#queue(header);
    this.#queue(frame);
    if (this.#pendingBytes >= this.#batchBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const bytes = concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    await sendBytes(this.#stream, bytes);
  }

  async end(): Promise<void> {
    await this.flush();
    await this.#stream.close();
  }

  #queue(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }
}

/**
 * Yields the frames of a stream until the remote closes its writable end. An oversized announced
 * length (FRAME_TOO_LARGE) or a stream ending inside a frame (TRUNCATED_FRAME) aborts this stream
 * and throws; the connection and its other streams are untouched. The stream is paused while the
 * unread bytes exceed about one frame, so a slow consumer holds memory O(frame), not O(stream).
 */
export async function* readFrames(stream: Stream, options: ReadFramesOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const { maxFrame } = options;
  const queue = new ByteQueue();
  const highWater = Math.max(maxFrame + FRAME_HEADER_BYTES, WRITE_BATCH_BYTES);
  stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, MAX_STREAM_WINDOW_BYTES + highWater);
  let ended = stream.readableEnded || stream.status === 'closed';
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // libp2p's resume() dispatches the buffered bytes before it tells yamux to resume; pausing inside that
  // dispatch would leave the stream marked paused while yamux keeps granting window, and the read buffer
  // would overflow. So a pause wanted during resume() is applied after it returns.
  let resuming = false;
  const pauseIfFull = (): void => {
    if (!resuming && queue.length > highWater && stream.readStatus === 'readable') stream.pause();
  };
  const resume = (): void => {
    resuming = true;
    try {
      stream.resume();
    } finally {
      resuming = false;
    }
    pauseIfFull();
  };
  const onMessage = (event: { data: Uint8Array | Iterable<Uint8Array> }): void => {
    // A Uint8ArrayList is queued piece by piece: its subarray() would copy them into one buffer, and
    // take() copies a frame that spans pieces anyway.
    const data = event.data;
    if (data instanceof Uint8Array) queue.push(data);
    else for (const piece of data) queue.push(piece);
    pauseIfFull();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onClose = (event: { error?: Error }): void => {
    if (event.error !== undefined && failure === undefined) failure = event.error;
    ended = true;
    notify();
  };
  stream.addEventListener('message', onMessage);
  stream.addEventListener('end', onEnd);
  stream.addEventListener('close', onClose);
  if (stream.status === 'reset' || stream.status === 'aborted') {
    ended = true;
    failure = new NetError('STREAM_RESET', 'the stream was already reset');
  }

  let need: number | undefined; // payload length of the frame being read
  try {
    for (;;) {
      if (need === undefined && queue.length >= FRAME_HEADER_BYTES) {
        need = queue.readUint32();
        if (need > maxFrame) throw new NetError('FRAME_TOO_LARGE', `a frame of ${need} bytes exceeds the limit of ${maxFrame}`);
      }
      if (need !== undefined && queue.length >= need) {
        const frame = queue.take(need);
        need = undefined;
        if (stream.readStatus === 'paused' && queue.length <= highWater / 2) resume();
        yield frame;
        continue;
      }
      if (stream.readStatus === 'paused') {
        // A partial frame needs more bytes. resume() may deliver some at once, so look again before waiting.
        resume();
        continue;
      }
      if (failure !== undefined) throw new NetError('STREAM_RESET', `the ${stream.protocol} stream was reset`, { cause: failure });
      if (ended) {
        if (need !== undefined || queue.length > 0) {
          throw new NetError('TRUNCATED_FRAME', `the stream ended inside a frame (${queue.length} of ${need ?? FRAME_HEADER_BYTES} bytes)`);
        }
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } catch (e) {
    const err = isLodeError(e) ? e : new NetError('STREAM_RESET', 'reading frames failed', { cause: e });
    if (stream.status === 'open' || stream.status === 'closing') stream.abort(err);
    throw err;
  } finally {
    stream.removeEventListener('message', onMessage);
    stream.removeEventListener('end', onEnd);
    stream.removeEventListener('close', onClose);
  }
}

/** Reads exactly one frame and then the end of the stream; anything else is an error. */
export async function readSingleFrame(stream: Stream, options: ReadFramesOptions & { expectEnd?: boolean }): Promise<Uint8Array> {
  let first: Uint8Array | undefined;
  for await (const frame of readFrames(stream, options)) {
    if (first !== undefined) {
      const err = new NetError('UNEXPECTED_FRAME', `a second frame arrived on ${stream.protocol}`);
      stream.abort(err);
      throw err;
    }
    first = frame;
    if (options.expectEnd === false) return first;
  }
  if (first === undefined) throw new NetError('NO_FRAME', `the ${stream.protocol} stream ended without a frame`);
  return first;
}

function frameHeader(length: number): Uint8Array {
  if (length > MAX_LENGTH) throw new NetError('FRAME_TOO_LARGE', `a frame of ${length} bytes cannot be encoded`);
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  new DataView(header.buffer).setUint32(0, length, false);
  return header;
}

async function sendBytes(stream: Stream, bytes: Uint8Array): Promise<void> {
  try {
    if (!stream.send(bytes)) await stream.onDrain();
  } catch (cause) {
    throw new NetError('STREAM_CLOSED', `cannot write to the ${stream.protocol} stream`, { cause });
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Received bytes not yet framed; takes copy only when a frame spans several received pieces. */
class ByteQueue {
  #pieces: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pieces.push(bytes);
    this.#length += bytes.length;
  }

  readUint32(): number {
    const b = this.take(FRAME_HEADER_BYTES);
    return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, false);
  }

  take(n: number): Uint8Array {
    const first = this.#pieces[0];
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#pieces.shift();
      else this.#pieces[0] = first.subarray(n);
      this.#length -= n;
      return out;
    }
    // Not zero-filled: every byte is copied in below (a frame is up to 4 MiB, most of a transfer).
    const out = new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
    let at = 0;
    while (at < n) {
      const piece = this.#pieces[0]!;
      const used = Math.min(piece.length, n - at);
      out.set(piece.subarray(0, used), at);
      at += used;
      if (used === piece.length) this.#pieces.shift();
      else this.#pieces[0] = piece.subarray(used);
    }
    this.#length -= n;
    return out;
  }
}
