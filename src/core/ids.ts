// Branded identifiers. Ids travel as lowercase hex strings in memory and on the command line, and as
// 32-byte strings inside encoded objects and index keys.
import { FormatError } from './errors.ts';

export type Hash = string & { readonly __hash: unique symbol };
export type ChunkId = Hash & { readonly __kind: 'chunk' };
export type BlobId = Hash & { readonly __kind: 'blob' };
export type TreeId = Hash & { readonly __kind: 'tree' };
export type CommitId = Hash & { readonly __kind: 'commit' };
export type ObjectId = ChunkId | BlobId | TreeId | CommitId;
/** Hex of an ed25519 public key. */
export type NodeId = string & { readonly __node: unique symbol };
export type ArenaId = string & { readonly __arena: unique symbol };

export const HASH_BYTES = 32;
const HEX64 = /^[0-9a-f]{64}$/;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function hashFromBytes<T extends Hash = Hash>(bytes: Uint8Array): T {
  if (bytes.length !== HASH_BYTES) throw new FormatError('BAD_ID', `an id must be ${HASH_BYTES} bytes, got ${bytes.length}`);
  return toHex(bytes) as T;
}

export function hashToBytes(id: Hash | NodeId | ArenaId): Buffer {
  return Buffer.from(id, 'hex');
}

export function isHashHex(s: string): boolean {
  return HEX64.test(s);
}

export function parseHash<T extends Hash = Hash>(s: string): T {
  if (!isHashHex(s)) throw new FormatError('BAD_ID', `not a 64-digit lowercase hex id: ${JSON.stringify(s)}`);
  return s as T;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
