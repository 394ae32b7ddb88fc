// The sync wire messages between two nodes (hello, head entries, object requests and replies,
// reconciliation rounds): one versioned canonical-CBOR codec, decoded strictly with bounded sizes.
// Sync layer; the bytes travel over whatever carries them (an in-memory pair, a libp2p stream).
import {
  decodeCbor, encodeCbor, fields as f, hashToBytes, isLodeError, toHex, HEAD_ENTRY_LIMITS, SyncError,
  type ArenaId, type Hash,
} from '../core/index.ts';
import type { ObjectKind } from '../store/index.ts';
import { readIdsMessage, writeIdsMessage } from './ids-codec.ts';
import { OBJECT_KINDS, readObjectsMessage, writeObjectsMessage, type ObjectsRecord } from './objects-codec.ts';

/** 2: an `objects` record may carry a chunk as its sender stores it (a zstd frame and its raw length). */
export const SYNC_MESSAGE_VERSION = 2;
/** The most ids one WANT (or HAVE_NOT) names. */
export const MAX_WANT_IDS = 1024;
/** The most object bytes one OBJECTS message carries; a single chunk (≤ 4 MiB) always fits alone. */
export const MAX_OBJECT_BYTES = 4 * 1024 * 1024;
/** The most entries of one HEADS message. */
export const MAX_HEAD_ENTRIES = 256;
/** The most arenas one HELLO lists. */
export const MAX_HELLO_ARENAS = 1024;
/** The largest reconciliation body accepted (the Reconciler's own frame limit is far below). */
export const MAX_RECONCILE_BYTES = 1024 * 1024;
/** Any encoded message: the object payload plus room for ids, kinds and CBOR heads. */
export const MAX_MESSAGE_BYTES = MAX_OBJECT_BYTES + 256 * 1024;

/**
 * The gossip topic on which a node announces its new head entries of `arena`, each as one HEADS message
 * (the arena id in lowercase hex; the last segment is the topic's version).
 */
export function headsTopic(arena: ArenaId): string {
  return `/lode/arena/${arena}/heads/1`;
}

/** An object sent: with `rawLength` (chunks only), `bytes` is a zstd frame inflating to exactly that many bytes. */
export type ObjectRecord = ObjectsRecord;

export type SyncMessage =
  | { type: 'hello'; arenas: ArenaId[] }
  | { type: 'heads'; arena: ArenaId; entries: Uint8Array[] }
  /** Asks for head entries by reconciliation item id (BLAKE3 of the entry bytes). */
  | { type: 'want-heads'; arena: ArenaId; ids: Uint8Array[] }
  | { type: 'want'; ids: Hash[] }
  | { type: 'objects'; objects: ObjectRecord[] }
  | { type: 'have-not'; ids: Hash[] }
  /** `role` says which side sent it: the initiator's rounds go to the responder's Reconciler and back. */
  | { type: 'reconcile'; arena: ArenaId; role: 'initiator' | 'responder'; body: Uint8Array }
  /**
   * Records of the sender's change log: head entries (of any shared arena, each naming its own) and
   * `through`, the last log sequence number this message covers, including records the receiver need not
   * see. `serial` numbers the sender's LOG messages, so an ACK left over from an earlier session is told apart.
   */
  | { type: 'log'; serial: number; through: number; entries: Uint8Array[] }
  /** The receiver of a LOG accepted its entries (and everything sent before it): one ACK per LOG, in order. */
  | { type: 'ack'; serial: number; through: number };

const KINDS = OBJECT_KINDS;
const OBJECTS_BOUNDS = { maxRecords: MAX_WANT_IDS, maxObjectBytes: MAX_OBJECT_BYTES, maxMessageBytes: MAX_MESSAGE_BYTES, maxRawLength: MAX_OBJECT_BYTES };

function ids(list: readonly Hash[]): Uint8Array[] {
  return list.map((id) => hashToBytes(id));
}

function encodeRaw(m: SyncMessage): Uint8Array {
  let body: Record<string, unknown>;
  switch (m.type) {
    case 'hello': body = { arenas: m.arenas.map((a) => hashToBytes(a)) }; break;
    case 'heads': body = { arena: hashToBytes(m.arena), entries: m.entries }; break;
    case 'want-heads': body = { arena: hashToBytes(m.arena), ids: m.ids }; break;
    case 'want': body = { ids: ids(m.ids) }; break;
    case 'have-not': body = { ids: ids(m.ids) }; break;
    case 'objects': body = { objects: m.objects.map((o) => o.rawLength === undefined ? [KINDS.indexOf(o.kind), hashToBytes(o.id), o.bytes] : [KINDS.indexOf(o.kind), hashToBytes(o.id), o.bytes, o.rawLength]) }; break;
    case 'reconcile': body = { arena: hashToBytes(m.arena), role: m.role === 'initiator' ? 0 : 1, body: m.body }; break;
    case 'log': body = { serial: m.serial, through: m.through, entries: m.entries }; break;
    case 'ack': body = { serial: m.serial, through: m.through }; break;
  }
  return encodeCbor({ t: m.type, v: SYNC_MESSAGE_VERSION, ...body });
}

/** Encodes a message; refuses one that breaks its own bounds (the receiver would refuse it anyway). */
export function encodeSyncMessage(m: SyncMessage): Uint8Array {
  if (m.type === 'objects') {
    // The bulk of a transfer: written directly, and checked by the direct reader (no copies of the bytes).
    const bytes = writeObjectsMessage(SYNC_MESSAGE_VERSION, m.objects);
    if (readObjectsMessage(SYNC_MESSAGE_VERSION, bytes, OBJECTS_BOUNDS, false) !== undefined) return bytes;
  }
  if (m.type === 'want' || m.type === 'have-not') {
    // A transfer's requests: tens of thousands of ids, written directly and checked the same way.
    const bytes = writeIdsMessage(m.type, SYNC_MESSAGE_VERSION, m.ids);
    if (readIdsMessage(SYNC_MESSAGE_VERSION, bytes, MAX_WANT_IDS) !== undefined) return bytes;
  }
  const bytes = encodeRaw(m);
  // Reading our own output checks every bound in one place.
  parse(bytes);
  return bytes;
}

function arenaOf(v: unknown, what: string): ArenaId {
  return toHex(f.bytes(v, what, 32)) as ArenaId;
}

function hashList(v: unknown, what: string, max: number): Hash[] {
  return f.list(v, what, max).map((x, i) => f.hash<Hash>(x, `${what}[${i}]`));
}

function headEntryList(v: unknown, what: string): Uint8Array[] {
  return f.list(v, what, MAX_HEAD_ENTRIES).map((e, i) => {
    const b = f.bytes(e, `${what}[${i}]`);
    if (b.length > HEAD_ENTRY_LIMITS.bytes) throw new SyncError('TOO_LARGE', `${what}[${i}]: over ${HEAD_ENTRY_LIMITS.bytes} bytes`);
    return b;
  });
}

function readBody(m: f.Fields, type: string): SyncMessage {
  const keys = (k: string[]): void => f.exactKeys(m, `sync ${type}`, ['t', 'v', ...k]);
  switch (type) {
    case 'hello':
      keys(['arenas']);
      return { type, arenas: f.list(m.arenas, 'hello.arenas', MAX_HELLO_ARENAS).map((a, i) => arenaOf(a, `hello.arenas[${i}]`)) };
    case 'heads':
      keys(['arena', 'entries']);
      return { type, arena: arenaOf(m.arena, 'heads.arena'), entries: headEntryList(m.entries, 'heads.entries') };
    case 'want-heads':
      keys(['arena', 'ids']);
      return { type, arena: arenaOf(m.arena, 'want-heads.arena'), ids: f.list(m.ids, 'want-heads.ids', MAX_WANT_IDS).map((x, i) => f.bytes(x, `want-heads.ids[${i}]`, 32)) };
    case 'want':
    case 'have-not':
      keys(['ids']);
      return { type, ids: hashList(m.ids, `${type}.ids`, MAX_WANT_IDS) };
    case 'objects': {
      keys(['objects']);
      let total = 0;
      const objects = f.list(m.objects, 'objects.objects', MAX_WANT_IDS).map((v, i): ObjectRecord => {
        const what = `objects.objects[${i}]`;
        const items = f.list(v, what, 4);
        if (items.length !== 3 && items.length !== 4) throw new SyncError('BAD_MESSAGE', `${what}: expected [kind, id, bytes] or [kind, id, bytes, raw length]`);
        const kind = KINDS[f.uint(items[0], `${what}.kind`, KINDS.length - 1)]!;
        const bytes = f.bytes(items[2], `${what}.bytes`);
        total += bytes.length;
        if (total > MAX_OBJECT_BYTES) throw new SyncError('TOO_LARGE', `objects: more than ${MAX_OBJECT_BYTES} bytes of objects`);
        const id = f.hash<Hash>(items[1], `${what}.id`);
        if (items.length === 3) return { kind, id, bytes };
        if (kind !== 'chunk') throw new SyncError('BAD_MESSAGE', `${what}: only a chunk may be sent compressed`);
        return { kind, id, bytes, rawLength: f.uint(items[3], `${what}.rawLength`, MAX_OBJECT_BYTES) };
      });
      return { type, objects };
    }
    case 'reconcile': {
      keys(['arena', 'role', 'body']);
      const body = f.bytes(m.body, 'reconcile.body');
      if (body.length > MAX_RECONCILE_BYTES) throw new SyncError('TOO_LARGE', `reconcile.body: over ${MAX_RECONCILE_BYTES} bytes`);
      return { type, arena: arenaOf(m.arena, 'reconcile.arena'), role: f.uint(m.role, 'reconcile.role', 1) === 0 ? 'initiator' : 'responder', body };
    }
    case 'log':
      keys(['serial', 'through', 'entries']);
      return { type, serial: f.uint(m.serial, 'log.serial'), through: f.uint(m.through, 'log.through'), entries: headEntryList(m.entries, 'log.entries') };
    case 'ack':
      keys(['serial', 'through']);
      return { type, serial: f.uint(m.serial, 'ack.serial'), through: f.uint(m.through, 'ack.through') };
    default:
      throw new SyncError('UNKNOWN_MESSAGE', `unknown sync message type ${JSON.stringify(type)}`);
  }
}

/**
 * Strict: bounded size, known type and version, exact fields, canonical encoding. Every failure is a
 * SyncError (TOO_LARGE, UNKNOWN_MESSAGE, BAD_MESSAGE with the format error as cause), never a guess.
 */
export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  // Canonical by construction when the direct reader accepts it; anything else takes the generic path.
  const objects = readObjectsMessage(SYNC_MESSAGE_VERSION, bytes, OBJECTS_BOUNDS);
  if (objects !== undefined) return { type: 'objects', objects };
  const ids = readIdsMessage(SYNC_MESSAGE_VERSION, bytes, MAX_WANT_IDS);
  if (ids !== undefined) return ids;
  const message = parse(bytes);
  if (Buffer.compare(bytes, encodeRaw(message)) !== 0) throw new SyncError('BAD_MESSAGE', 'sync message: not in canonical encoding');
  return message;
}

function parse(bytes: Uint8Array): SyncMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new SyncError('TOO_LARGE', `a sync message is at most ${MAX_MESSAGE_BYTES} bytes, got ${bytes.length}`);
  let message: SyncMessage;
  try {
    const m = f.asMap(decodeCbor(bytes, 'sync message'), 'sync message');
    const type = f.text(m.t, 'sync message.t', 32);
    f.literal(m.v, SYNC_MESSAGE_VERSION, 'sync message.v');
    message = readBody(m, type);
  } catch (e) {
    if (e instanceof SyncError) throw e;
    if (isLodeError(e) && e.code === 'TOO_LARGE') throw new SyncError('TOO_LARGE', `sync message: ${e.message}`, { cause: e });
    if (isLodeError(e)) throw new SyncError('BAD_MESSAGE', `malformed sync message: ${e.message}`, { cause: e });
    throw e;
  }
  return message;
}
