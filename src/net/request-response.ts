// One request frame, one response frame, on a fresh stream of a protocol. Part of the net layer: the
// simplest exchange the layers above need (fetch an object, ask for a head) without owning a stream.
import type { AbortOptions } from '@libp2p/interface';
import { NetError, type NodeId } from '../core/index.ts';
import { DEFAULT_MAX_FRAME, readSingleFrame, writeFrame } from './frames.ts';
import type { NetNode } from './transport.ts';

export interface RequestOptions extends AbortOptions {
  /** The largest response accepted (default DEFAULT_MAX_FRAME). */
  maxResponse?: number;
}

export interface HandleOptions {
  /** The largest request accepted (default DEFAULT_MAX_FRAME). */
  maxRequest?: number;
}

export type RequestHandler = (request: Uint8Array, from: NodeId) => Promise<Uint8Array>;

/** Sends `request` to `peer` on `protocol` and resolves with the single response frame. */
export async function request(node: NetNode, peer: NodeId | string, protocol: string, body: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
  const stream = await node.openStream(peer, protocol, options);
  const onAbort = (): void => stream.abort(new NetError('ABORTED', `the ${protocol} request was aborted`, { cause: options.signal?.reason }));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await writeFrame(stream, body);
    await stream.close(options);
    return await readSingleFrame(stream, { maxFrame: options.maxResponse ?? DEFAULT_MAX_FRAME });
  } catch (e) {
    if (stream.status === 'open' || stream.status === 'closing') stream.abort(e instanceof Error ? e : new NetError('REQUEST_FAILED', `the ${protocol} request failed`, { cause: e }));
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Serves `protocol`: each stream carries one request frame, answered by one response frame. The stream
 * is always ended: closed after the response, aborted if the request is bad or the handler throws.
 */
export async function handle(node: NetNode, protocol: string, handler: RequestHandler, options: HandleOptions = {}): Promise<void> {
  const maxFrame = options.maxRequest ?? DEFAULT_MAX_FRAME;
  await node.handleStream(protocol, async (stream, from) => {
    const body = await readSingleFrame(stream, { maxFrame, expectEnd: false });
    await writeFrame(stream, await handler(body, from));
  });
}
