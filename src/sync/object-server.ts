// Answers a peer's WANT from the local object store: OBJECTS batches of bounded size, then one HAVE_NOT
// for what this node lacks. Chunks go as stored (a zstd frame stays one), so neither side compresses them
// again. Sync layer; it emits messages through the caller.
import { isLodeError, type Hash } from '../core/index.ts';
import type { ObjectKind, Store } from '../store/index.ts';
import { MAX_OBJECT_BYTES, type ObjectRecord, type SyncMessage } from './messages.ts';

/** Objects read ahead of the one being batched: reads of large chunks overlap, memory stays bounded. */
const READ_AHEAD = 4;

/** One id's outcome: its record, absent (not held, or damaged here), or a failure to rethrow in turn. */
type Lookup = { record: ObjectRecord } | { absent: true } | { failure: unknown };

/** Answers a WANT: OBJECTS messages of at most MAX_OBJECT_BYTES each, and one HAVE_NOT for the rest. */
export async function serveObjects(
  store: Store, ids: readonly Hash[], emit: (m: SyncMessage) => void, onError: (e: unknown) => void,
): Promise<void> {
  const missing: Hash[] = [];
  let batch: ObjectRecord[] = [];
  let size = 0;
  const ahead: Promise<Lookup>[] = [];
  let next = 0;
  for (const id of ids) {
    while (ahead.length < READ_AHEAD && next < ids.length) ahead.push(lookup(store, ids[next++]!, onError));
    const found = await ahead.shift()!;
    if ('failure' in found) throw found.failure;
    if ('absent' in found) { missing.push(id); continue; }
    const bytes = found.record.bytes.length;
    if (size + bytes > MAX_OBJECT_BYTES && batch.length > 0) {
      emit({ type: 'objects', objects: batch });
      batch = [];
      size = 0;
    }
    batch.push(found.record);
    size += bytes;
  }
  if (batch.length > 0) emit({ type: 'objects', objects: batch });
  if (missing.length > 0) emit({ type: 'have-not', ids: missing });
}

/** Never rejects: a read still waiting its turn must not fail unobserved. */
async function lookup(store: Store, id: Hash, onError: (e: unknown) => void): Promise<Lookup> {
  const kind = store.objects.kind(id);
  if (kind === undefined) return { absent: true };
  try {
    return { record: await read(store, id, kind) };
  } catch (e) {
    // A bad disk: say we lack it (the peer asks elsewhere) and let the daemon know.
    if (!(isLodeError(e) && e.code === 'CORRUPT')) return { failure: e };
    onError(e);
    return { absent: true };
  }
}

/** The object as it goes on the wire: a chunk as stored when the store can say, anything else raw. */
async function read(store: Store, id: Hash, kind: ObjectKind): Promise<ObjectRecord> {
  const objects = store.objects;
  if (kind !== 'chunk' || objects.getStored === undefined) return { kind, id, bytes: await objects.get(id) };
  const stored = await objects.getStored(id);
  return stored.compressed ? { kind, id, bytes: stored.bytes, rawLength: stored.rawLength } : { kind, id, bytes: stored.bytes };
}
