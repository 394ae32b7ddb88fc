// Tags: names for commits that never move. Creating a tag again is refused unless it names the same
// commit (then it does nothing); a tag can be deleted. History layer; rows live in the 'tags' meta
// table under `<arena id>/<tag>`, and every tagged commit is a root for fsck and gc. Creating and deleting
// a tag each append a reflog row (branch field `tag:<name>`) in the same write.
import {
  decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, type ArenaId, type CommitId,
} from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { branchNameProblem } from './refs.ts';
import { appendReflog, REFLOG_TABLE, TAG_REFLOG_PREFIX } from './reflog.ts';
import { serialized } from './write-queue.ts';

export const TAGS_TABLE = 'tags';
const TAG_VERSION = 1;

export interface TagRecord { name: string; commit: CommitId; time: number }

/** What the reflog row of a tag change says; the defaults name the CLI command. */
export interface TagChangeOptions { command?: string; reason?: string }

function encodeTag(commit: CommitId, time: number): Uint8Array {
  return encodeCbor({ v: TAG_VERSION, commit: hashToBytes(commit), time });
}

export function decodeTag(bytes: Uint8Array): { commit: CommitId; time: number } {
  const m = f.asMap(decodeCbor(bytes, 'tag'), 'tag');
  f.exactKeys(m, 'tag', ['v', 'commit', 'time']);
  f.literal(m.v, TAG_VERSION, 'tag.v');
  return { commit: f.hash<CommitId>(m.commit, 'tag.commit'), time: f.int(m.time, 'tag.time') };
}

/** Tag names follow the branch rules, so the same word can be typed wherever a revision goes. */
export function checkTagName(name: string): string {
  const problem = branchNameProblem(name);
  if (problem !== undefined) throw new HistoryError('BAD_TAG_NAME', `bad tag name ${JSON.stringify(name)}: ${problem}`);
  return name;
}

function tagKey(arena: ArenaId, name: string): string {
  return `${arena}/${name}`;
}

export function getTag(store: Store, arena: ArenaId, name: string): CommitId | undefined {
  const bytes = store.meta.table(TAGS_TABLE).get(tagKey(arena, name));
  return bytes === undefined ? undefined : decodeTag(bytes).commit;
}

export function listTags(store: Store, arena: ArenaId): TagRecord[] {
  const prefix = `${arena}/`;
  const out: TagRecord[] = [];
  for (const [key, bytes] of store.meta.table(TAGS_TABLE).range(prefix)) out.push({ name: key.slice(prefix.length), ...decodeTag(bytes) });
  return out;
}

/** Creates `name` at `commit`. Returns false when the tag already named that commit (nothing changed). */
export async function createTag(store: Store, arena: ArenaId, name: string, commit: CommitId, opts: TagChangeOptions = {}): Promise<boolean> {
  checkTagName(name);
  if (!listArenas(store).some((a) => a.id === arena)) throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena}`);
  if (store.objects.kind(commit) !== 'commit') throw new HistoryError('NO_SUCH_COMMIT', `commit ${commit} is not in the store`);
  await store.objects.flush();
  const table = store.meta.table(TAGS_TABLE);
  const reflog = store.meta.table(REFLOG_TABLE);
  const key = tagKey(arena, name);
  let created = false;
  await serialized(store.meta, () => store.meta.write((w) => {
    const current = table.get(key);
    if (current !== undefined) {
      const existing = decodeTag(current).commit;
      if (existing === commit) return;
      throw new HistoryError('TAG_EXISTS', `tag ${name} exists already at ${existing}; tags do not move (delete it first)`);
    }
    const time = Date.now();
    w.put(TAGS_TABLE, key, encodeTag(commit, time));
    appendReflog(w, reflog, arena, {
      branch: `${TAG_REFLOG_PREFIX}${name}`, old: null, new: commit, time,
      command: opts.command ?? 'tag create', reason: opts.reason ?? `tag ${name}`,
    });
    created = true;
  }));
  return created;
}

/** Deletes `name`, returning the commit it named. */
export async function deleteTag(store: Store, arena: ArenaId, name: string, opts: TagChangeOptions = {}): Promise<CommitId> {
  checkTagName(name);
  const table = store.meta.table(TAGS_TABLE);
  const reflog = store.meta.table(REFLOG_TABLE);
  const key = tagKey(arena, name);
  let old: CommitId | undefined;
  await serialized(store.meta, () => store.meta.write((w) => {
    const current = table.get(key);
    if (current === undefined) throw new HistoryError('NO_SUCH_TAG', `tag ${name} does not exist`);
    old = decodeTag(current).commit;
    w.delete(TAGS_TABLE, key);
    // The deleted tag's commit stays a root through this row until the reflog expires it.
    appendReflog(w, reflog, arena, {
      branch: `${TAG_REFLOG_PREFIX}${name}`, old: old, new: null, time: Date.now(),
      command: opts.command ?? 'tag delete', reason: opts.reason ?? `tag ${name}`,
    });
  }));
  return old!;
}
