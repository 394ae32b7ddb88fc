// Head entries: the signed records (arena, author, key) -> (commit, time) that peers gossip and
// reconcile instead of whole histories, as iroh-docs entries are. Core layer: the one versioned codec,
// the signing rule (by the author's node key and by the arena's write key) and verification.
import { decodeCbor, encodeCbor } from './cbor.ts';
import { branchNameProblem } from './branch-name.ts';
import { FormatError } from './errors.ts';
import * as f from './fields.ts';
import { hashToBytes, toHex, type ArenaId, type CommitId, type NodeId } from './ids.ts';
import { publicKeyOf, signBytes, verifyBytes } from './keys.ts';

export const HEAD_ENTRY_VERSION = 1;
/** The only kind of key so far: `branch/<branch name>`. */
export const BRANCH_KEY_PREFIX = 'branch/';
/** Limits a decoder applies before and while it reads an entry from a peer. */
export const HEAD_ENTRY_LIMITS = { key: BRANCH_KEY_PREFIX.length + 255, bytes: 1024, time: Number.MAX_SAFE_INTEGER - 1 };
/** How far ahead of the receiver's clock an entry may be stamped; later ones are refused. */
export const MAX_FUTURE_MS = 10 * 60 * 1000;

export interface HeadEntryFields {
  arena: ArenaId;
  /** The node that wrote the entry. */
  author: NodeId;
  /** What the entry names, e.g. `branch/main`. */
  key: string;
  commit: CommitId;
  /** Milliseconds since the epoch: orders an author's entries for one key, never decides merges. */
  time: number;
}

export interface HeadEntry extends HeadEntryFields {
  /** ed25519 signature by `author` over `headEntrySigningBytes`. */
  sig: Uint8Array;
  /** ed25519 signature by the arena's write key (the key whose public half is `arena`) over the same bytes. */
  arenaSig: Uint8Array;
}

/** Why `key` cannot be a head-entry key, or undefined when it can. */
export function headEntryKeyProblem(key: string): string | undefined {
  if (!key.startsWith(BRANCH_KEY_PREFIX)) return `expected ${BRANCH_KEY_PREFIX}<branch>`;
  const problem = branchNameProblem(key.slice(BRANCH_KEY_PREFIX.length));
  return problem === undefined ? undefined : `bad branch name: ${problem}`;
}

export function checkHeadEntryKey(key: string): string {
  const problem = headEntryKeyProblem(key);
  if (problem !== undefined) throw new FormatError('BAD_HEAD_KEY', `bad head entry key ${JSON.stringify(key)}: ${problem}`);
  return key;
}

export function branchKey(branch: string): string {
  return checkHeadEntryKey(`${BRANCH_KEY_PREFIX}${branch}`);
}

function checkFields(e: HeadEntryFields): void {
  checkHeadEntryKey(e.key);
  f.uint(e.time, 'head entry.time', HEAD_ENTRY_LIMITS.time);
}

function unsignedMap(e: HeadEntryFields): Record<string, unknown> {
  return {
    t: 'head', v: HEAD_ENTRY_VERSION, arena: hashToBytes(e.arena), author: hashToBytes(e.author),
    key: e.key, commit: hashToBytes(e.commit), time: e.time,
  };
}

/** The bytes both signatures cover: the canonical encoding of the entry without `sig` and `asig`. */
export function headEntrySigningBytes(e: HeadEntryFields): Uint8Array {
  checkFields(e);
  return encodeCbor(unsignedMap(e));
}

/** Signs with the author's node secret and the arena's write secret; each must be the key it claims. */
export function signHeadEntry(fields: HeadEntryFields, authorSecret: Uint8Array, arenaSecret: Uint8Array): HeadEntry {
  if (toHex(publicKeyOf(authorSecret)) !== fields.author) throw new FormatError('WRONG_SECRET', `the author secret is not the key of node ${fields.author}`);
  if (toHex(publicKeyOf(arenaSecret)) !== fields.arena) throw new FormatError('WRONG_SECRET', `the arena secret is not the write key of arena ${fields.arena}`);
  const message = headEntrySigningBytes(fields);
  const { arena, author, key, commit, time } = fields;
  // Plain Uint8Arrays, as decoding gives, so that a signed entry and its decoded copy compare equal.
  const sig = new Uint8Array(signBytes(authorSecret, message));
  const arenaSig = new Uint8Array(signBytes(arenaSecret, message));
  return { arena, author, key, commit, time, sig, arenaSig };
}

export function encodeHeadEntry(e: HeadEntry): Uint8Array {
  checkFields(e);
  f.bytes(e.sig, 'head entry.sig', 64);
  f.bytes(e.arenaSig, 'head entry.asig', 64);
  return encodeCbor({ ...unsignedMap(e), sig: e.sig, asig: e.arenaSig });
}

/** Strict: exact keys, bounded sizes, a valid key, and only the canonical encoding. Signatures are not checked here. */
export function decodeHeadEntry(bytes: Uint8Array): HeadEntry {
  if (bytes.length > HEAD_ENTRY_LIMITS.bytes) throw new FormatError('TOO_LARGE', `a head entry is at most ${HEAD_ENTRY_LIMITS.bytes} bytes, got ${bytes.length}`);
  const m = f.asMap(decodeCbor(bytes, 'head entry'), 'head entry');
  f.exactKeys(m, 'head entry', ['t', 'v', 'arena', 'author', 'key', 'commit', 'time', 'sig', 'asig']);
  f.literal(m.t, 'head', 'head entry.t');
  f.literal(m.v, HEAD_ENTRY_VERSION, 'head entry.v');
  const entry: HeadEntry = {
    arena: toHex(f.bytes(m.arena, 'head entry.arena', 32)) as ArenaId,
    author: toHex(f.bytes(m.author, 'head entry.author', 32)) as NodeId,
    key: f.text(m.key, 'head entry.key', HEAD_ENTRY_LIMITS.key),
    commit: f.hash<CommitId>(m.commit, 'head entry.commit'),
    time: f.uint(m.time, 'head entry.time', HEAD_ENTRY_LIMITS.time),
    sig: f.bytes(m.sig, 'head entry.sig', 64),
    arenaSig: f.bytes(m.asig, 'head entry.asig', 64),
  };
  checkHeadEntryKey(entry.key);
  if (Buffer.compare(bytes, encodeHeadEntry(entry)) !== 0) throw new FormatError('NON_CANONICAL', 'head entry: not in canonical encoding');
  return entry;
}

function verifies(pub: string, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verifyBytes(hashToBytes(pub as NodeId), message, sig);
  } catch {
    // A public key that is not a curve point cannot have signed anything.
    return false;
  }
}

/**
 * Throws FormatError BAD_SIGNATURE unless both the author and the arena's write key signed the entry, and
 * FUTURE_ENTRY when it is stamped more than MAX_FUTURE_MS after `now`.
 */
export function verifyHeadEntry(e: HeadEntry, opts: { now: number }): void {
  const message = headEntrySigningBytes(e);
  if (!verifies(e.author, message, e.sig)) throw new FormatError('BAD_SIGNATURE', `head entry ${e.key} is not signed by its author ${e.author}`);
  if (!verifies(e.arena, message, e.arenaSig)) throw new FormatError('BAD_SIGNATURE', `head entry ${e.key} by ${e.author} is not signed by the write key of arena ${e.arena}`);
  if (e.time > opts.now + MAX_FUTURE_MS) {
    throw new FormatError('FUTURE_ENTRY', `head entry ${e.key} by ${e.author} is stamped ${e.time - opts.now} ms in the future`);
  }
}

/** The order of one author's entries for one key: later time wins, then the larger commit id. */
export function compareHeadEntries(a: HeadEntryFields, b: HeadEntryFields): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : 0;
}
