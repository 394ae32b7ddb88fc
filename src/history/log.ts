// The log: a commit's ancestors, newest first, each once. History layer. A binary heap keeps the
// frontier ordered, so a walk over n commits costs O(n log n) and reads each commit once.
import type { Commit, CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { MaxHeap } from './max-heap.ts';

export interface LogItem { id: CommitId; commit: Commit }

/** Items per batch of `walkLogBatches`: what a consumer that stops early may have had read for nothing. */
export const LOG_BATCH = 256;

/** Newer first; equal times order by id, larger first, so the walk is the same on every node. */
function newer(a: LogItem, b: LogItem): boolean {
  return a.commit.time !== b.commit.time ? a.commit.time > b.commit.time : a.id > b.id;
}

/** Every ancestor of `start` (itself included), newest first by (time, id), each commit once. */
export async function* walkLog(store: Store, start: CommitId, opts: { limit?: number } = {}): AsyncIterable<LogItem> {
  for await (const batch of walkLogBatches(store, start, opts)) yield* batch;
}

/**
 * `walkLog` in arrays of up to LOG_BATCH items, in the same order. A consumer of a long history (the
 * log command) pays one turn of the async iteration per batch instead of one per commit.
 */
export async function* walkLogBatches(store: Store, start: CommitId, opts: { limit?: number } = {}): AsyncIterable<LogItem[]> {
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  const seen = new Set<CommitId>([start]);
  const frontier = new MaxHeap<LogItem>(newer);
  frontier.push({ id: start, commit: await store.typed.getCommit(start) });
  let emitted = 0;
  let batch: LogItem[] = [];
  for (let item = frontier.pop(); item !== undefined; item = frontier.pop()) {
    batch.push(item);
    if (++emitted >= limit) break;
    if (batch.length >= LOG_BATCH) {
      yield batch;
      batch = [];
      // The disk store reads commits synchronously: let other work in a long-running process (the
      // daemon) run between batches of a long walk.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const parent of item.commit.parents) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      frontier.push({ id: parent, commit: await store.typed.getCommit(parent) });
    }
  }
  if (batch.length > 0) yield batch;
}
