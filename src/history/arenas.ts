// Arenas: named, versioned datasets, each with its own ed25519 keypair (the public key is the arena id).
// History layer; the records live in the store's 'arenas' meta table, keyed by name.
import {
  decodeCbor, encodeCbor, fields as f, generateKeypair, hashToBytes, isHashHex, publicKeyOf, toHex, HistoryError,
  type ArenaId,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { serialized } from './write-queue.ts';

export interface ArenaRecord {
  name: string;
  id: ArenaId;
  /** The write secret; a read-only member (joined with a read-only ticket) has none. */
  secretKey?: Uint8Array;
  created: number;
  /** The worktree given at join (`lode arena join --path`), absolute; lode.toml's `[[arenas]] path` is the daemon's. */
  path?: string;
}

export const ARENAS_TABLE = 'arenas';
const ARENA_RECORD_VERSION = 1;
const MAX_PATH_BYTES = 4096;
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** Names are safe as file names, table keys and command-line words; one that looks like an id would be ambiguous. */
export function checkArenaName(name: string): string {
  if (!NAME_RE.test(name) || isHashHex(name)) {
    throw new HistoryError('BAD_ARENA_NAME', `bad arena name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -`);
  }
  return name;
}

export function encodeArenaRecord(r: ArenaRecord): Uint8Array {
  const m: Record<string, unknown> = { v: ARENA_RECORD_VERSION, name: r.name, id: hashToBytes(r.id), created: r.created };
  if (r.secretKey !== undefined) m.sk = r.secretKey;
  if (r.path !== undefined) m.path = r.path;
  return encodeCbor(m);
}

export function decodeArenaRecord(bytes: Uint8Array): ArenaRecord {
  const m = f.asMap(decodeCbor(bytes, 'arena record'), 'arena record');
  f.exactKeys(m, 'arena record', ['v', 'name', 'id', 'created'], ['sk', 'path']);
  f.literal(m.v, ARENA_RECORD_VERSION, 'arena record.v');
  const record: ArenaRecord = {
    name: f.text(m.name, 'arena record.name', 64),
    id: toHex(f.bytes(m.id, 'arena record.id', 32)) as ArenaId,
    created: f.uint(m.created, 'arena record.created'),
  };
  if (m.sk !== undefined) record.secretKey = f.bytes(m.sk, 'arena record.sk', 32);
  if (m.path !== undefined) record.path = f.text(m.path, 'arena record.path', MAX_PATH_BYTES);
  return record;
}

export async function createArena(store: Store, name: string): Promise<ArenaRecord> {
  checkArenaName(name);
  const keys = generateKeypair();
  const record: ArenaRecord = { name, id: toHex(keys.publicKey) as ArenaId, secretKey: new Uint8Array(keys.secretKey), created: Date.now() };
  await addArena(store, record);
  return record;
}

/**
 * Adds an arena created on another node (from a ticket): read-only without `secretKey`, writable with it.
 * Refuses a name in use and an id already held under any name (ARENA_EXISTS), and a secret that is not
 * the id's key (BAD_TICKET).
 */
export async function joinArena(store: Store, name: string, id: ArenaId, secretKey?: Uint8Array, opts: { path?: string } = {}): Promise<ArenaRecord> {
  checkArenaName(name);
  if (!isHashHex(id)) throw new HistoryError('BAD_TICKET', `not an arena id: ${JSON.stringify(id)}`);
  if (secretKey !== undefined && (secretKey.length !== 32 || toHex(publicKeyOf(secretKey)) !== id)) {
    throw new HistoryError('BAD_TICKET', `the write secret is not the key of arena ${id}`);
  }
  if (opts.path !== undefined && (opts.path === '' || Buffer.byteLength(opts.path) > MAX_PATH_BYTES || opts.path.includes('\0'))) {
    throw new HistoryError('BAD_PATH', `bad worktree path ${JSON.stringify(opts.path)}`);
  }
  const record: ArenaRecord = { name, id, created: Date.now() };
  if (secretKey !== undefined) record.secretKey = new Uint8Array(secretKey);
  if (opts.path !== undefined) record.path = opts.path;
  await addArena(store, record);
  return record;
}

async function addArena(store: Store, record: ArenaRecord): Promise<void> {
  const table = store.meta.table(ARENAS_TABLE);
  // The checks run inside the queued write so that two concurrent creates or joins cannot both succeed.
  await serialized(store.meta, () => store.meta.write((w) => {
    if (table.get(record.name) !== undefined) throw new HistoryError('ARENA_EXISTS', `arena ${record.name} exists already`);
    const same = listArenas(store).find((a) => a.id === record.id);
    if (same !== undefined) throw new HistoryError('ARENA_EXISTS', `arena ${record.id} is in the store already, as ${same.name}`);
    w.put(ARENAS_TABLE, record.name, encodeArenaRecord(record));
  }));
}

export function listArenas(store: Store): ArenaRecord[] {
  const out: ArenaRecord[] = [];
  for (const [key, bytes] of store.meta.table(ARENAS_TABLE).range('')) {
    const record = decodeArenaRecord(bytes);
    if (record.name !== key) throw new HistoryError('CORRUPT_ARENA', `arena record under ${JSON.stringify(key)} is named ${JSON.stringify(record.name)}`);
    out.push(record);
  }
  return out;
}

export function findArena(store: Store, nameOrId: string): ArenaRecord | undefined {
  const byName = store.meta.table(ARENAS_TABLE).get(nameOrId);
  if (byName !== undefined) return decodeArenaRecord(byName);
  if (!isHashHex(nameOrId)) return undefined;
  return listArenas(store).find((r) => r.id === nameOrId);
}

export function requireArena(store: Store, nameOrId: string): ArenaRecord {
  const record = findArena(store, nameOrId);
  if (record === undefined) throw new HistoryError('NO_SUCH_ARENA', `no arena named ${JSON.stringify(nameOrId)}`);
  return record;
}
