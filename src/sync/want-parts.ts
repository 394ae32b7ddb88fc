// Splits a batch of requests for one peer into WANT messages bounded in ids and expected reply bytes. Sync layer.
import type { Hash } from '../core/index.ts';

/**
 * Splits a batch into WANTs of at most `maxIds` ids and about `maxBytes` expected reply bytes: a peer
 * answers each WANT in turn but several at once, so smaller WANTs start replies sooner and overlap its reads.
 */
export function wantParts(reqs: readonly { id: Hash; cost: number }[], maxIds: number, maxBytes: number): Hash[][] {
  const parts: Hash[][] = [];
  let part: Hash[] = [];
  let bytes = 0;
  for (const r of reqs) {
    if (part.length > 0 && (part.length >= maxIds || bytes + r.cost > maxBytes)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(r.id);
    bytes += r.cost;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
