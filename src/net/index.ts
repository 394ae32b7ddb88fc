// The net layer's public face: a libp2p 3 node admitting only the household, length-prefixed frames on
// its streams, request/response, topic gossip and a redialing dialer. It sits above core only.
export { createNetNode, DEFAULT_NET_LIMITS, type NetNode, type NetNodeOptions, type NetLimits, type RefusalReason, type PeerEvent, type StreamHandler } from './transport.ts';
export { libp2pPrivateKey, peerIdOfNode, nodeIdOfPeer, type NodeIdentity } from './node-identity.ts';
export { writeFrame, readFrames, readSingleFrame, FrameWriter, FRAME_HEADER_BYTES, WRITE_BATCH_BYTES, DEFAULT_MAX_FRAME, type ReadFramesOptions } from './frames.ts';
export { request, handle, type RequestOptions, type HandleOptions, type RequestHandler } from './request-response.ts';
export { startDialer, backoffDelay, DEFAULT_DIALER, type Dialer, type DialerOptions, type DialTarget, type PeerDialState } from './dialer.ts';
export type { Gossip, GossipListener } from './gossip.ts';
export type { Stream } from '@libp2p/interface';
