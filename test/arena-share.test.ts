// `lode arena share` and `lode arena join` between stores: a writable ticket makes a second writer whose
// signed head entries the first accepts; a read-only ticket makes a member that cannot publish.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createArena, createCommit, findArena, acceptHeadEntry, listHeadEntries, publishHead } from '../src/history/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';

async function withStore<T>(dir: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await openStore(dir);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function emptyCommit(s: Store, message: string) {
  return createCommit(s, { tree: await s.typed.putTree({ entries: [] }), parents: [], message, time: 1_700_000_000_000 });
}

describe('lode arena share / join', () => {
  const dir = suiteDir('arena-share');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const c = join(dir, 'c');

  test('a writable ticket joins as a second writer; entries flow both ways', async () => {
    const created = await lodeJson<{ id: string }>(['arena', 'create', 'photos'], { store: a });
    assert.equal(created.run.code, 0, explain(created.run));
    const share = await lode(['arena', 'share', 'photos'], { store: a });
    assert.equal(share.code, 0, explain(share));
    const ticket = share.stdout.trim();
    assert.match(ticket, /^lode1[a-z2-7]+$/);
    assert.match(share.stderr, /WRITE access/);
    const joined = await lodeJson<{ name: string; id: string; writable: boolean; path: string | null }>(
      ['arena', 'join', ticket, '--name', 'pics', '--path', join(dir, 'wt')], { store: b });
    assert.equal(joined.run.code, 0, explain(joined.run));
    assert.deepEqual(joined.doc, { ...joined.doc, name: 'pics', id: created.doc.id, writable: true, path: join(dir, 'wt') });
    const list = await lodeJson<{ arenas: { name: string; id: string; writable: boolean }[] }>(['arena', 'list'], { store: b });
    assert.deepEqual(list.doc.arenas.map((x) => [x.name, x.id, x.writable]), [['pics', created.doc.id, true]]);

    // b publishes a head under the shared arena key; a verifies and keeps it.
    const published = await withStore(b, async (s) => {
      const arena = findArena(s, 'pics')!;
      return publishHead(s, arena.id, 'main', await emptyCommit(s, 'from b'));
    });
    await withStore(a, async (s) => {
      assert.equal(await acceptHeadEntry(s, published.bytes), 'accepted');
      assert.equal(await acceptHeadEntry(s, published.bytes), 'stale');
      assert.deepEqual(listHeadEntries(s, findArena(s, 'photos')!.id).map((e) => e.entry.commit), [published.entry.commit]);
    });
    // Joining the same arena again, under any name, is refused.
    const again = await lode(['arena', 'join', ticket, '--name', 'twice'], { store: b });
    assert.equal(again.code, 2, explain(again));
    assert.equal(errorCodeOf(again), 'ARENA_EXISTS');
  });

  test('a read-only ticket carries no secret: the member accepts entries but cannot publish', async () => {
    const share = await lodeJson<{ ticket: string; writable: boolean; id: string }>(['arena', 'share', 'photos', '--read-only'], { store: a });
    assert.equal(share.run.code, 0, explain(share.run));
    assert.equal(share.doc.writable, false);
    const joined = await lode(['arena', 'join', share.doc.ticket], { store: c });
    assert.equal(joined.code, 0, explain(joined));
    assert.match(joined.stdout, /joined arena photos [0-9a-f]{64} \(read-only\)/);
    // Sharing on from a read-only member can only give a read-only ticket.
    const reshare = await lodeJson<{ ticket: string; writable: boolean }>(['arena', 'share', 'photos'], { store: c });
    assert.equal(reshare.run.code, 0, explain(reshare.run));
    assert.equal(reshare.doc.writable, false);
    assert.equal(reshare.doc.ticket, share.doc.ticket);

    const fromA = await withStore(a, async (s) => publishHead(s, findArena(s, 'photos')!.id, 'main', await emptyCommit(s, 'from a')));
    await withStore(c, async (s) => {
      const arena = findArena(s, 'photos')!;
      assert.equal(arena.secretKey, undefined);
      assert.equal(await acceptHeadEntry(s, fromA.bytes), 'accepted');
      await assert.rejects(publishHead(s, arena.id, 'main', await emptyCommit(s, 'from c')), { code: 'READ_ONLY_ARENA' });
    });
  });

  test('malformed tickets are refused with BAD_TICKET (exit 2) and change nothing', async () => {
    const share = await lode(['arena', 'share', 'photos', '--read-only'], { store: a });
    const ticket = share.stdout.trim();
    const flipped = ticket.slice(0, 20) + (ticket[20] === 'a' ? 'b' : 'a') + ticket.slice(21);
    for (const bad of ['garbage', 'lode1', flipped, ticket.slice(0, -3), `${ticket}x`]) {
      const r = await lode(['arena', 'join', bad, '--name', 'never'], { store: c });
      assert.equal(r.code, 2, explain(r));
      assert.equal(errorCodeOf(r), 'BAD_TICKET', bad);
    }
    await withStore(c, async (s) => assert.equal(findArena(s, 'never'), undefined));
    const missing = await lode(['arena', 'share', 'nope'], { store: a });
    assert.equal(missing.code, 4, explain(missing));
  });

  test('a store that holds an arena under that name refuses the join', async () => {
    const d = join(dir, 'd');
    await withStore(d, async (s) => { await createArena(s, 'photos'); });
    const share = await lode(['arena', 'share', 'photos'], { store: a });
    const r = await lode(['arena', 'join', share.stdout.trim()], { store: d });
    assert.equal(r.code, 2, explain(r));
    assert.equal(errorCodeOf(r), 'ARENA_EXISTS');
  });
});
