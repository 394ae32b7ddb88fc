import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake3Hex, type Hash } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import type { SyncMessage } from './messages.ts';
import { RequestWindow } from './request-window.ts';

test('requests queued one microtask apart go out together, even with the window empty', async () => {
  const sent: SyncMessage[] = [];
  const window = new RequestWindow({ store: memoryStore(), send: (_peer, m) => sent.push(m) });
  // A store catching up frees its files one settled put at a time: the walk asks for the next file in
  // a microtask each, and nothing is in flight yet.
  const ids: Hash[] = [];
  for (let i = 0; i < 100; i++) {
    const id = blake3Hex(new TextEncoder().encode(`file ${i}`));
    ids.push(id);
    window.ask(id, 'blob', 100, ['a']);
    await Promise.resolve();
  }
  await new Promise((r) => setImmediate(r));
  const wants = sent.filter((m) => m.type === 'want');
  assert.ok(wants.length <= 2, `${wants.length} WANT messages for 100 requests`);
  assert.deepEqual(wants.flatMap((m) => (m.type === 'want' ? m.ids : [])), ids);
  for (const id of ids) window.requestFor(id)!.promise.catch(() => {});
  window.peerGone('a');
});
