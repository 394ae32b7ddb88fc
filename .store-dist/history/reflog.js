// The reflog: every branch move, appended in the same atomic write as the move itself (refs.ts).
// History layer; rows live in the 'reflog' meta table under `<arena>/<branch> <seq>-<tag>`, with one
// per-arena sequence counter under `<arena>` so that moves across branches keep their order.
import { randomBytes } from 'node:crypto';
import { decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, } from "../core/index.js";
export const REFLOG_TABLE = 'reflog';
const REFLOG_VERSION = 1;
const SEQ_DIGITS = 16;
const ROW_SUFFIX = /^(\d{16})-[0-9a-f]{8}$/;
function encodeOptionalId(id) {
    return id === null ? null : hashToBytes(id);
}
function decodeOptionalId(v, what) {
    return v === null ? null : f.hash(v, what);
}
export function encodeReflogEntry(e) {
    return encodeCbor({
        v: REFLOG_VERSION, branch: e.branch, old: encodeOptionalId(e.old), new: encodeOptionalId(e.new),
        time: e.time, cmd: e.command, why: e.reason,
    });
}
export function decodeReflogEntry(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'reflog entry'), 'reflog entry');
    f.exactKeys(m, 'reflog entry', ['v', 'branch', 'old', 'new', 'time', 'cmd', 'why']);
    f.literal(m.v, REFLOG_VERSION, 'reflog entry.v');
    return {
        branch: f.text(m.branch, 'reflog entry.branch', 255),
        old: decodeOptionalId(m.old, 'reflog entry.old'),
        new: decodeOptionalId(m.new, 'reflog entry.new'),
        time: f.int(m.time, 'reflog entry.time'),
        command: f.text(m.cmd, 'reflog entry.cmd', 4096),
        reason: f.text(m.why, 'reflog entry.why', 1 << 16),
    };
}
function encodeCounter(next) {
    return encodeCbor({ v: REFLOG_VERSION, next });
}
function decodeCounter(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'reflog counter'), 'reflog counter');
    f.exactKeys(m, 'reflog counter', ['v', 'next']);
    f.literal(m.v, REFLOG_VERSION, 'reflog counter.v');
    return f.uint(m.next, 'reflog counter.next');
}
/**
 * Stages one reflog row inside the caller's meta write. `table` must be read inside that write, so the
 * counter read and its increment are one transaction.
 */
export function appendReflog(w, table, arena, entry) {
    const counter = table.get(arena);
    const seq = counter === undefined ? 0 : decodeCounter(counter);
    const tag = randomBytes(4).toString('hex');
    w.put(REFLOG_TABLE, `${arena}/${entry.branch} ${String(seq).padStart(SEQ_DIGITS, '0')}-${tag}`, encodeReflogEntry(entry));
    w.put(REFLOG_TABLE, arena, encodeCounter(seq + 1));
}
/** Newest first; with `branch`, only that branch's moves. */
export function readReflog(store, arena, branch) {
    const prefix = branch === undefined ? `${arena}/` : `${arena}/${branch} `;
    const rows = [];
    for (const [key, bytes] of store.meta.table(REFLOG_TABLE).range(prefix)) {
        const space = key.lastIndexOf(' ');
        const match = ROW_SUFFIX.exec(key.slice(space + 1));
        const seq = Number(match?.[1]);
        const entry = decodeReflogEntry(bytes);
        if (space < 0 || match === null || key.slice(arena.length + 1, space) !== entry.branch) {
            throw new HistoryError('CORRUPT_REFLOG', `reflog row ${JSON.stringify(key)} does not match its entry`);
        }
        rows.push({ seq, entry });
    }
    // Equal sequence numbers come only from a race between processes; the key order breaks the tie.
    rows.sort((a, b) => b.seq - a.seq);
    return rows.map((r) => r.entry);
}
