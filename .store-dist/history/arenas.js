// Arenas: named, versioned datasets, each with its own ed25519 keypair (the public key is the arena id).
// History layer; the records live in the store's 'arenas' meta table, keyed by name.
import { decodeCbor, encodeCbor, fields as f, generateKeypair, hashToBytes, isHashHex, toHex, HistoryError, } from "../core/index.js";
import { serialized } from "./write-queue.js";
export const ARENAS_TABLE = 'arenas';
const ARENA_RECORD_VERSION = 1;
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
/** Names are safe as file names, table keys and command-line words; one that looks like an id would be ambiguous. */
export function checkArenaName(name) {
    if (!NAME_RE.test(name) || isHashHex(name)) {
        throw new HistoryError('BAD_ARENA_NAME', `bad arena name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -`);
    }
    return name;
}
export function encodeArenaRecord(r) {
    const m = { v: ARENA_RECORD_VERSION, name: r.name, id: hashToBytes(r.id), created: r.created };
    if (r.secretKey !== undefined)
        m.sk = r.secretKey;
    return encodeCbor(m);
}
export function decodeArenaRecord(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'arena record'), 'arena record');
    f.exactKeys(m, 'arena record', ['v', 'name', 'id', 'created'], ['sk']);
    f.literal(m.v, ARENA_RECORD_VERSION, 'arena record.v');
    const record = {
        name: f.text(m.name, 'arena record.name', 64),
        id: toHex(f.bytes(m.id, 'arena record.id', 32)),
        created: f.uint(m.created, 'arena record.created'),
    };
    if (m.sk !== undefined)
        record.secretKey = f.bytes(m.sk, 'arena record.sk', 32);
    return record;
}
export async function createArena(store, name) {
    checkArenaName(name);
    const keys = generateKeypair();
    const record = { name, id: toHex(keys.publicKey), secretKey: new Uint8Array(keys.secretKey), created: Date.now() };
    const table = store.meta.table(ARENAS_TABLE);
    // The check runs inside the queued write so that two concurrent creates cannot both succeed.
    await serialized(store.meta, () => store.meta.write((w) => {
        if (table.get(name) !== undefined)
            throw new HistoryError('ARENA_EXISTS', `arena ${name} exists already`);
        w.put(ARENAS_TABLE, name, encodeArenaRecord(record));
    }));
    return record;
}
export function listArenas(store) {
    const out = [];
    for (const [key, bytes] of store.meta.table(ARENAS_TABLE).range('')) {
        const record = decodeArenaRecord(bytes);
        if (record.name !== key)
            throw new HistoryError('CORRUPT_ARENA', `arena record under ${JSON.stringify(key)} is named ${JSON.stringify(record.name)}`);
        out.push(record);
    }
    return out;
}
export function findArena(store, nameOrId) {
    const byName = store.meta.table(ARENAS_TABLE).get(nameOrId);
    if (byName !== undefined)
        return decodeArenaRecord(byName);
    if (!isHashHex(nameOrId))
        return undefined;
    return listArenas(store).find((r) => r.id === nameOrId);
}
export function requireArena(store, nameOrId) {
    const record = findArena(store, nameOrId);
    if (record === undefined)
        throw new HistoryError('NO_SUCH_ARENA', `no arena named ${JSON.stringify(nameOrId)}`);
    return record;
}
