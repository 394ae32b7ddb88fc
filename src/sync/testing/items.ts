// Test and benchmark support: reproducible sync items from a seed, and two sets that differ by a known amount.
import type { SyncItem } from '../item-index.ts';

/** mulberry32: small, fast and reproducible; nothing here needs more. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How timestamps are spread: all distinct, a few shared values (bounds then need id prefixes), or all equal. */
export type TimestampSpread = 'distinct' | 'few' | 'same';

export function randomItems(count: number, seed: number, spread: TimestampSpread = 'distinct'): SyncItem[] {
  const random = seededRandom(seed);
  const items: SyncItem[] = [];
  for (let i = 0; i < count; i++) {
    const id = new Uint8Array(32);
    for (let j = 0; j < 32; j += 4) {
      const w = Math.floor(random() * 4294967296);
      id[j] = w & 0xff;
      id[j + 1] = (w >>> 8) & 0xff;
      id[j + 2] = (w >>> 16) & 0xff;
      id[j + 3] = w >>> 24;
    }
    const timestamp = spread === 'same' ? 1_700_000_000_000 : spread === 'few' ? 1_700_000_000_000 + Math.floor(random() * 4) : 1_700_000_000_000 + i * 30_000 + Math.floor(random() * 30_000);
    items.push({ timestamp, id });
  }
  return items;
}

export interface SplitSets {
  a: SyncItem[];
  b: SyncItem[];
  onlyA: SyncItem[];
  onlyB: SyncItem[];
}

/** `common` shared items, plus `onlyA` and `onlyB` items held by one side each. */
export function splitSets(common: number, onlyA: number, onlyB: number, seed: number, spread: TimestampSpread = 'distinct'): SplitSets {
  const all = randomItems(common + onlyA + onlyB, seed, spread);
  const random = seededRandom(seed ^ 0x5eed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const shared = all.slice(0, common);
  const a = all.slice(common, common + onlyA);
  const b = all.slice(common + onlyA);
  return { a: [...shared, ...a], b: [...shared, ...b], onlyA: a, onlyB: b };
}

export function hexSet(ids: readonly Uint8Array[]): Set<string> {
  return new Set(ids.map((id) => Buffer.from(id).toString('hex')));
}
