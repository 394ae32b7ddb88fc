// Test helpers for the on-disk store: temp-dir stores and byte-level damage to their packs.
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError, type Hash } from '../../core/index.ts';
import { openStore, type DiskStore, type OpenStoreOptions } from '../disk-store.ts';
import { packPath } from '../pack-file.ts';
import { RECORD_HEADER_BYTES } from '../pack-record.ts';
import type { StoreHarness } from './conformance.ts';

export async function tempDir(prefix = 'lode-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Flips the last payload byte of an object's record in its pack. */
export async function flipPackByte(store: DiskStore, id: Hash, at: 'payload' | 'header' = 'payload'): Promise<void> {
  const loc = store.objects.location(id);
  if (!loc) throw new StoreError('NOT_FOUND', `object ${id} is not in the store`);
  const pos = at === 'header' ? loc.offset + 20 : loc.offset + RECORD_HEADER_BYTES + loc.storedLength - 1;
  const fh = await open(packPath(store.objects.packDir, loc.pack), 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, pos);
    b[0]! ^= 0x55;
    await fh.write(b, 0, 1, pos);
  } finally {
    await fh.close();
  }
}

export async function diskHarness(opts: OpenStoreOptions = {}): Promise<StoreHarness & { store: DiskStore; dir: string }> {
  const dir = await tempDir();
  let current = await openStore(dir, opts);
  const h = {
    dir,
    get store() { return current; },
    corrupt: (id: Hash) => flipPackByte(current, id),
    async reopen() {
      await current.close();
      current = await openStore(dir, opts);
      return current;
    },
    async cleanup() {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}
