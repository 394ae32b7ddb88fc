// The node's libp2p identity, derived from lode's ed25519 node key, and the mapping node id <-> PeerId.
// Part of the net layer: one key names the node both in lode objects and on the wire.
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { NetError, hashToBytes, isHashHex, publicKeyOf, toHex, type NodeId } from '../core/index.ts';

/** What the net layer needs of a store's identity (src/store Identity has this shape). */
export interface NodeIdentity { nodeId: NodeId; secretKey: Uint8Array }

/**
 * libp2p's raw ed25519 private key is the 32-byte seed followed by the 32-byte public key; lode keeps
 * only the seed. The public key is recomputed and checked against the node id, so a mismatched
 * identity fails here rather than as a puzzling handshake failure later.
 */
export function libp2pPrivateKey(identity: NodeIdentity): PrivateKey {
  const publicKey = publicKeyOf(identity.secretKey);
  if (toHex(publicKey) !== identity.nodeId) {
    throw new NetError('IDENTITY_MISMATCH', `the secret key does not belong to node ${identity.nodeId}`);
  }
  const raw = new Uint8Array(64);
  raw.set(identity.secretKey, 0);
  raw.set(publicKey, 32);
  return privateKeyFromRaw(raw);
}

export function peerIdOfNode(nodeId: NodeId | string): PeerId {
  if (!isHashHex(nodeId)) throw new NetError('BAD_NODE_ID', `not a 64-digit lowercase hex node id: ${JSON.stringify(nodeId)}`);
  return peerIdFromPublicKey(publicKeyFromRaw(hashToBytes(nodeId as NodeId)));
}

/** The node id of an ed25519 peer; other key types cannot be lode nodes. */
export function nodeIdOfPeer(peer: PeerId | string): NodeId {
  const peerId = typeof peer === 'string' ? parsePeerId(peer) : peer;
  if (peerId.type !== 'Ed25519') throw new NetError('NOT_ED25519_PEER', `peer ${peerId.toString()} has a ${peerId.type} key`);
  return toHex(peerId.publicKey.raw) as NodeId;
}

/** Like nodeIdOfPeer, but undefined for a peer that cannot be a lode node (used by the gater). */
export function nodeIdOfPeerOrUndefined(peerId: PeerId): NodeId | undefined {
  return peerId.type === 'Ed25519' ? (toHex(peerId.publicKey.raw) as NodeId) : undefined;
}

function parsePeerId(s: string): PeerId {
  try {
    return peerIdFromString(s);
  } catch (cause) {
    throw new NetError('BAD_PEER_ID', `not a peer id: ${JSON.stringify(s)}`, { cause });
  }
}
