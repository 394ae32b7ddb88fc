// A store wrapper for tests: logs puts, flushes, meta writes and blob writes, calls hooks on meta reads,
// and can hide objects from `has` (as if gc had removed them after a crashed snapshot). Used by *.test.ts only.
import { chunkStream, createBlobs, createObjects, type MetaStore, type ObjectStore, type Store } from '../../store/index.ts';

export interface Spy { store: Store; log: string[]; hidden: Set<string>; blobWrites: number }

export function spyStore(inner: Store, hooks: { beforeBlobWrite?: (n: number) => void; onRead?: (key: string) => void } = {}): Spy {
  const log: string[] = [];
  const hidden = new Set<string>();
  const objects: ObjectStore = {
    has: (id) => !hidden.has(id) && inner.objects.has(id),
    kind: (id) => inner.objects.kind(id),
    get: (id) => inner.objects.get(id),
    put: async (kind, id, bytes) => {
      log.push(`put ${kind}`);
      return inner.objects.put(kind, id, bytes);
    },
    flush: async () => {
      log.push('flush');
      await inner.objects.flush();
    },
    ids: () => inner.objects.ids(),
  };
  const spy: Spy = { store: inner, log, hidden, blobWrites: 0 };
  const blobs = createBlobs(objects, chunkStream);
  spy.store = {
    path: inner.path,
    identity: inner.identity,
    objects,
    blobs: {
      write: (source) => {
        spy.blobWrites++;
        hooks.beforeBlobWrite?.(spy.blobWrites);
        return blobs.write(source);
      },
      read: (id) => blobs.read(id),
      manifest: (id) => blobs.manifest(id),
    },
    typed: createObjects(objects),
    meta: spyMeta(inner.meta, log, hooks),
    cache: spyMeta(inner.cache, log, hooks),
    close: () => inner.close(),
  };
  return spy;
}

function spyMeta(inner: MetaStore, log: string[], hooks: { onRead?: (key: string) => void }): MetaStore {
  return {
    table: (name) => {
      const t = inner.table(name);
      return { get: (k) => { hooks.onRead?.(k); return t.get(k); }, range: (prefix) => { hooks.onRead?.(prefix); return t.range(prefix); } };
    },
    write: async (fn) => {
      log.push('write');
      await inner.write(fn);
    },
  };
}
