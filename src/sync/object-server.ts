// Answers a peer's WANT from the local object store: OBJECTS batches of bounded size, then one HAVE_NOT
// for what this node lacks. Sync layer; it emits messages through the caller.
import { isLodeError, type Hash } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { MAX_OBJECT_BYTES, type ObjectRecord, type SyncMessage } from './messages.ts';

/** Answers a WANT: OBJECTS messages of at most MAX_OBJECT_BYTES each, and one HAVE_NOT for the rest. */
export async function serveObjects(
  store: Store, ids: readonly Hash[], emit: (m: SyncMessage) => void, onError: (e: unknown) => void,
): Promise<void> {
  const objects = store.objects;
  const missing: Hash[] = [];
  let batch: ObjectRecord[] = [];
  let size = 0;
  for (const id of ids) {
    const kind = objects.kind(id);
    if (kind === undefined) { missing.push(id); continue; }
    let bytes: Uint8Array;
    try {
      bytes = await objects.get(id);
    } catch (e) {
      // A bad disk: say we lack it (the peer asks elsewhere) and let the daemon know.
      if (!(isLodeError(e) && e.code === 'CORRUPT')) throw e;
      onError(e);
      missing.push(id);
      continue;
    }
    if (size + bytes.length > MAX_OBJECT_BYTES && batch.length > 0) {
      emit({ type: 'objects', objects: batch });
      batch = [];
      size = 0;
    }
    batch.push({ kind, id, bytes });
    size += bytes.length;
  }
  if (batch.length > 0) emit({ type: 'objects', objects: batch });
  if (missing.length > 0) emit({ type: 'have-not', ids: missing });
}
