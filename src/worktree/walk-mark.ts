// The walk mark (worktree layer): per worktree, the change-journal token at which the last status walk was
// consistent, and the tree it found. With the daemon's answer "nothing changed since that token" the tree
// is the worktree as it is now; with a few directories, only they are walked. A disposable cache row.
import { blake3, hashFromBytes, hashToBytes, type ArenaId, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';

/** Asks a change journal (the daemon's) what changed since a token; undefined when there is none to ask. */
export type ChangeSource = (since: string | undefined) => Promise<{ token: string; dirs: readonly string[] | null } | undefined>;

export const WALK_MARK_TABLE = 'worktree-journal';

/** Layout: version byte (1), the tree id (32 bytes), the token (UTF-8), the first 8 bytes of BLAKE3 of all that. */
const VERSION = 1;
const CHECK = 8;
const MAX_TOKEN_BYTES = 256;

export interface WalkMark { token: string; tree: TreeId }

function markKey(arena: ArenaId, root: string): string {
  return `${arena}\0${root}`;
}

export function encodeWalkMark(mark: WalkMark): Uint8Array {
  const body = Buffer.concat([Buffer.from([VERSION]), hashToBytes(mark.tree), Buffer.from(mark.token, 'utf8')]);
  return Buffer.concat([body, blake3(body).subarray(0, CHECK)]);
}

/** Undefined for anything but an intact row of this version: a damaged mark would be a wrong answer, not a slow one. */
export function decodeWalkMark(raw: Uint8Array): WalkMark | undefined {
  if (raw.byteLength < 1 + 32 + 1 + CHECK || raw.byteLength > 1 + 32 + MAX_TOKEN_BYTES + CHECK || raw[0] !== VERSION) return undefined;
  const body = raw.subarray(0, raw.byteLength - CHECK);
  if (Buffer.compare(blake3(body).subarray(0, CHECK), raw.subarray(raw.byteLength - CHECK)) !== 0) return undefined;
  let token: string;
  try {
    token = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(33));
  } catch {
    return undefined;
  }
  return { tree: hashFromBytes<TreeId>(body.subarray(1, 33)), token };
}

export function readWalkMark(store: Store, arena: ArenaId, root: string): WalkMark | undefined {
  const key = markKey(arena, root);
  if (Buffer.byteLength(key) > 1000) return undefined;
  const raw = store.cache.table(WALK_MARK_TABLE).get(key);
  return raw === undefined ? undefined : decodeWalkMark(raw);
}

/** Writes the mark, or with undefined removes it. Call only once the walk's records and objects are written. */
export async function writeWalkMark(store: Store, arena: ArenaId, root: string, mark: WalkMark | undefined): Promise<void> {
  const key = markKey(arena, root);
  if (Buffer.byteLength(key) > 1000 || (mark !== undefined && Buffer.byteLength(mark.token) > MAX_TOKEN_BYTES)) return;
  await store.cache.write((w) => {
    if (mark === undefined) w.delete(WALK_MARK_TABLE, key);
    else w.put(WALK_MARK_TABLE, key, encodeWalkMark(mark));
  });
}
