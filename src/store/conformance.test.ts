// Runs the store ports' conformance suite against the real store (in a temp dir) and the in-memory fake.
import { memoryStore } from './memory.ts';
import { storeConformance } from './testing/conformance.ts';
import { diskHarness } from './testing/disk-harness.ts';

storeConformance('openStore', () => diskHarness());
// A tiny pack target makes every few puts rotate packs, exercising background commits.
storeConformance('openStore with small packs', () => diskHarness({ packTargetBytes: 64 * 1024 }));
storeConformance('memoryStore', async () => {
  const store = memoryStore();
  return { store, corrupt: async (id) => store.objects.corrupt(id), cleanup: () => store.close() };
});
