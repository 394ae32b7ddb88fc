// Arena tickets: the text a user copies from `lode arena share` to `lode arena join` on another node.
// Core layer: the one versioned codec. A ticket with the write secret grants write access to the arena.
import { decodeBase32, encodeBase32 } from './base32.ts';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { UsageError, isLodeError } from './errors.ts';
import * as f from './fields.ts';
import { blake3 } from './hash.ts';
import { hashToBytes, toHex, type ArenaId } from './ids.ts';

/** `lode1`: the '1' cannot occur in base32, so the prefix ends unambiguously, as in bech32. */
export const TICKET_PREFIX = 'lode1';
export const TICKET_VERSION = 1;
const CHECKSUM_BYTES = 4;
const MAX_TICKET_CHARS = 512;

export interface ArenaTicket {
  id: ArenaId;
  /** The name the sharer uses; the joiner may choose another. */
  name: string;
  /** The arena's write secret; absent in a read-only ticket. */
  secretKey?: Uint8Array;
}

export function encodeArenaTicket(t: ArenaTicket): string {
  const m: Record<string, unknown> = { t: 'ticket', v: TICKET_VERSION, id: hashToBytes(t.id), name: t.name };
  if (t.secretKey !== undefined) m.sk = f.bytes(t.secretKey, 'ticket.sk', 32);
  const body = encodeCbor(m);
  const out = new Uint8Array(body.length + CHECKSUM_BYTES);
  out.set(body);
  out.set(blake3(body).subarray(0, CHECKSUM_BYTES), body.length);
  return TICKET_PREFIX + encodeBase32(out);
}

function bad(why: string, cause?: unknown): UsageError {
  return new UsageError('BAD_TICKET', `not a lode arena ticket: ${why}`, cause === undefined ? undefined : { cause });
}

/** Throws UsageError BAD_TICKET for anything but a ticket as `encodeArenaTicket` writes it. */
export function decodeArenaTicket(text: string): ArenaTicket {
  if (!text.startsWith(TICKET_PREFIX)) throw bad(`it does not start with ${TICKET_PREFIX}`);
  if (text.length > MAX_TICKET_CHARS) throw bad(`longer than ${MAX_TICKET_CHARS} characters`);
  try {
    const raw = decodeBase32(text.slice(TICKET_PREFIX.length));
    if (raw.length <= CHECKSUM_BYTES) throw bad('too short');
    const body = raw.subarray(0, raw.length - CHECKSUM_BYTES);
    if (Buffer.compare(blake3(body).subarray(0, CHECKSUM_BYTES), raw.subarray(body.length)) !== 0) throw bad('the checksum does not match (was it copied whole?)');
    const m = f.asMap(decodeCbor(body, 'ticket'), 'ticket');
    f.exactKeys(m, 'ticket', ['t', 'v', 'id', 'name'], ['sk']);
    f.literal(m.t, 'ticket', 'ticket.t');
    f.literal(m.v, TICKET_VERSION, 'ticket.v');
    const ticket: ArenaTicket = { id: toHex(f.bytes(m.id, 'ticket.id', 32)) as ArenaId, name: f.text(m.name, 'ticket.name', 64) };
    if (m.sk !== undefined) ticket.secretKey = f.bytes(m.sk, 'ticket.sk', 32);
    if (encodeArenaTicket(ticket) !== text) throw bad('not in canonical form');
    return ticket;
  } catch (e) {
    if (isLodeError(e) && e.code === 'BAD_TICKET') throw e;
    throw bad(e instanceof Error ? e.message : String(e), e);
  }
}
