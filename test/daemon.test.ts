// `lode daemon` end to end: real daemons as separate processes on 127.0.0.1, each with its own store and
// lode.toml. A cold-start join of an arena holding data, live propagation of a snapshot taken by the CLI
// while the daemons run (announced by gossip), a line of three daemons where the ends never meet, an arena
// left out of one lode.toml, a read-only member's local commit, a resumed transfer, a stranger refused, the
// control socket (peers, sync status, status outside a worktree, stale socket).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blake3Hex, type Hash } from '../src/core/index.ts';
import { chunkStream, openStore } from '../src/store/index.ts';
import { errorCodeOf, explain, lode, lodeJson, suiteDir } from './cli.ts';
import { Household, until, type NodeDir, type Running } from './household.ts';
import { buildTree, compareTrees, seededBytes } from './tree.ts';

const ARENA = 'photos';
/** Held by l1, l2 and l3 only, which form a line. */
const LINE = 'line';
/** Held by a, b and c, but listed in the lode.toml of a and c only. */
const PRIVATE = 'private';
/** b joined it read-only. */
const FAMILY = 'family';
const HUGE = 48 * 1024 * 1024;

/** Bytes of `content`'s chunks that the (stopped) store at `dir` holds in its index. */
async function durableBytesOf(dir: string, content: Uint8Array): Promise<number> {
  const store = await openStore(dir);
  try {
    let bytes = 0;
    for await (const cut of chunkStream((async function* () { yield content; })())) if (store.objects.has(blake3Hex(cut.bytes) as Hash)) bytes += cut.bytes.length;
    return bytes;
  } finally {
    await store.close();
  }
}
const BIG = seededBytes(3 * 1024 * 1024 + 12_345, 7);

describe('lode daemon: three nodes on loopback', { timeout: 240_000 }, () => {
  const root = suiteDir('daemon');
  const household = new Household(root);
  const { arenaIds } = household;
  let arenaId = '';
  let head1 = '';
  let privateHead = '';
  let familyHead = '';

  const node = (name: string): NodeDir => household.node(name);
  const at = (name: string) => household.at(name);
  const writeConfig = (name: string, peers: { name: string; addrs?: string[] }[], arenas = [ARENA, PRIVATE, FAMILY]): Promise<void> =>
    household.writeConfig(name, peers, arenas);
  const start = (name: string): Promise<Running> => household.start(name);
  const headOf = (name: string, arena = ARENA): Promise<string | undefined> => household.headOf(name, arena);

  const daemons = new Map<string, Running>();

  const addNode = async (name: string): Promise<void> => { await household.addNode(name); };

  type GossipCounts = { heads_published_by_gossip: number; heads_received_by_gossip: number; heads_accepted_by_gossip: number };
  const gossipOf = async (name: string): Promise<GossipCounts> => {
    const r = await lodeJson<{ sync: GossipCounts }>(['sync', 'status'], at(name));
    assert.equal(r.run.code, 0, explain(r.run));
    return r.doc.sync;
  };

  before(async () => {
    for (const name of ['a', 'b', 'c', 'd']) await addNode(name);
    const data = join(root, 'data');
    await buildTree(data, [
      { path: 'big.bin', kind: 'file', content: BIG },
      { path: 'notes/readme.txt', kind: 'file', content: 'hello from a\n' },
      { path: 'notes/empty', kind: 'file', content: '' },
    ]);
    const snap = await lodeJson<{ commit: string; arena_id: string }>(['snapshot', data, '--arena', ARENA], at('a'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    head1 = snap.doc.commit;
    arenaId = snap.doc.arena_id;
    arenaIds.set(ARENA, arenaId);
    const joinAs = async (arena: string, names: string[], readOnly = false): Promise<void> => {
      const share = await lodeJson<{ ticket: string }>(['arena', 'share', arena, ...(readOnly ? ['--read-only'] : [])], at('a'));
      for (const name of names) {
        const join_ = await lode(['arena', 'join', share.doc.ticket], at(name));
        assert.equal(join_.code, 0, explain(join_));
      }
    };
    await joinAs(ARENA, ['b', 'c', 'd']);
    const small = join(root, 'small');
    await buildTree(small, [{ path: 'secret.txt', kind: 'file', content: 'only for a and c\n' }]);
    for (const arena of [PRIVATE, FAMILY]) {
      const s = await lodeJson<{ commit: string; arena_id: string }>(['snapshot', small, '--arena', arena], at('a'));
      assert.equal(s.run.code, 0, explain(s.run));
      arenaIds.set(arena, s.doc.arena_id);
      if (arena === PRIVATE) privateHead = s.doc.commit;
      else familyHead = s.doc.commit;
    }
    await joinAs(PRIVATE, ['b', 'c']);
    await joinAs(FAMILY, ['c']);
    await joinAs(FAMILY, ['b'], true);

    // a knows b and c (they dial it); b dials a; c dials a and b; d dials a, which does not know d.
    await writeConfig('a', [{ name: 'b' }, { name: 'c' }]);
    daemons.set('a', await start('a'));
    await writeConfig('b', [{ name: 'a', addrs: daemons.get('a')!.addrs }, { name: 'c' }], [ARENA, FAMILY]);
    daemons.set('b', await start('b'));
    await writeConfig('c', [{ name: 'a', addrs: daemons.get('a')!.addrs }, { name: 'b', addrs: daemons.get('b')!.addrs }]);
    daemons.set('c', await start('c'));
    await writeConfig('d', [{ name: 'a', addrs: daemons.get('a')!.addrs }], [ARENA]);
    daemons.set('d', await start('d'));
  });

  after(async () => {
    if (process.env.LODE_SHOW_DAEMON_LOGS) for (const r of daemons.values()) process.stderr.write(`--- ${r.name}\n${r.stderr()}`);
    await household.killAll();
  });

  test('each daemon writes <store>/node_id and prints its listen address with its /p2p/ id', async () => {
    for (const name of ['a', 'b', 'c']) {
      assert.equal(await readFile(join(node(name).store, 'node_id'), 'utf8'), `${node(name).id}\n`);
      assert.match(daemons.get(name)!.addrs[0]!, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo\w+$/);
    }
  });

  test('cold start: b and c fetch a\'s head, and cat, restore and fsck --read-data agree', async () => {
    for (const name of ['b', 'c']) {
      await until(`${name} to hold a's head`, async () => (await headOf(name)) === head1 ? true : undefined);
      const cat = await lode(['cat', `${ARENA}:big.bin`], at(name));
      assert.equal(cat.code, 0, explain(cat));
      assert.ok(cat.stdoutBytes.equals(BIG), `${name}: big.bin differs`);
      const target = join(root, `restored-${name}`);
      const restore = await lode(['restore', ARENA, target], at(name));
      assert.equal(restore.code, 0, explain(restore));
      assert.deepEqual(await compareTrees(join(root, 'data'), target), []);
      const fsck = await lodeJson<{ ok: boolean }>(['fsck', '--read-data'], at(name));
      assert.equal(fsck.run.code, 0, explain(fsck.run));
      assert.equal(fsck.doc.ok, true);
    }
  });

  test('an arena b holds but its lode.toml leaves out never reaches b, while c takes it', async () => {
    await until('c to hold the private arena\'s head', async () => ((await headOf('c', PRIVATE)) === privateHead ? true : undefined));
    await until('b to hold the family arena\'s head', async () => ((await headOf('b', FAMILY)) === familyHead ? true : undefined));
    assert.equal(await headOf('b', PRIVATE), undefined, 'b has no commit of the private arena');
    const status = await lodeJson<{ arenas: { name: string }[] }>(['sync', 'status'], at('b'));
    assert.deepEqual(status.doc.arenas.map((a) => a.name).sort(), [FAMILY, ARENA].sort());
    const show = await lode(['show', `${PRIVATE}@${privateHead}`], at('b'));
    assert.notEqual(show.code, 0, 'b does not even hold the commit');
  });

  test('a read-only member (b) commits locally; its daemon says it cannot publish, and a and c never take it', async () => {
    const mine = join(root, 'b-family');
    await buildTree(mine, [{ path: 'from-b.txt', kind: 'file', content: 'b cannot publish this\n' }]);
    const snap = await lodeJson<{ commit: string }>(['snapshot', mine, '--arena', FAMILY], at('b'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    assert.equal(await headOf('b', FAMILY), snap.doc.commit, 'the commit exists on b');
    await until('b to log that it cannot publish', async () => (/cannot publish a local change.*arena=family/.test(daemons.get('b')!.stderr()) ? true : undefined), 10_000);
    await until('b\'s sync work to settle', async () => ((await lodeJson<{ sync: { tasks: number } }>(['sync', 'status'], at('b'))).doc.sync.tasks === 0 ? true : undefined));
    for (const name of ['a', 'c']) {
      assert.equal(await headOf(name, FAMILY), familyHead, `${name} keeps the writers' head`);
      const status = await lodeJson<{ arenas: { name: string; heads: { author: string }[] }[] }>(['sync', 'status'], at(name));
      const family = status.doc.arenas.find((a) => a.name === FAMILY)!;
      assert.ok(!family.heads.some((h) => h.author === node('b').id), `${name} holds no head entry by b`);
    }
  });

  test('live: a snapshot taken by the CLI on a while the daemons run reaches b and c', async () => {
    const data = join(root, 'data');
    await writeFile(join(data, 'notes', 'readme.txt'), 'hello again from a\n');
    await writeFile(join(data, 'new.bin'), seededBytes(600_000, 9));
    const snap = await lodeJson<{ commit: string }>(['snapshot', data, '--arena', ARENA, '-m', 'second'], at('a'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    const head2 = snap.doc.commit;
    assert.notEqual(head2, head1);
    for (const name of ['b', 'c']) {
      await until(`${name} to hold the new head`, async () => (await headOf(name)) === head2 ? true : undefined);
      const cat = await lode(['cat', `${ARENA}:notes/readme.txt`], at(name));
      assert.equal(cat.stdout, 'hello again from a\n');
    }
    const fsck = await lode(['fsck'], at('a'));
    assert.equal(fsck.code, 0, explain(fsck));
  });

  test('lode sync wait returns once the daemon\'s branch reaches a commit made on another node, and times out otherwise', async () => {
    const data = join(root, 'data');
    await writeFile(join(data, 'notes', 'waited.txt'), 'waited for\n');
    const snap = await lodeJson<{ commit: string }>(['snapshot', data, '--arena', ARENA, '-m', 'waited'], at('a'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    const startedAt = Date.now();
    for (const name of ['b', 'c']) {
      const waited = await lodeJson<{ commit: string; branch: string; moved_at: string | null }>(['sync', 'wait', ARENA, snap.doc.commit, '--timeout', '20'], at(name));
      assert.equal(waited.run.code, 0, explain(waited.run));
      assert.equal(waited.doc.commit, snap.doc.commit);
      assert.equal(waited.doc.branch, 'main');
      // The daemon saw the move itself (it happened while it ran), no earlier than the snapshot began.
      assert.ok(waited.doc.moved_at !== null && Date.parse(waited.doc.moved_at) >= startedAt - 60_000, `moved_at ${waited.doc.moved_at}`);
      assert.equal(await headOf(name), snap.doc.commit, `${name}'s branch is there when the wait returns`);
    }
    const never = await lode(['sync', 'wait', ARENA, '0'.repeat(64), '--timeout', '0.3'], at('b'));
    assert.equal(never.code, 1, explain(never));
    assert.equal(errorCodeOf(never), 'WAIT_TIMEOUT');
    const prefix = await lode(['sync', 'wait', ARENA, snap.doc.commit.slice(0, 12)], at('b'));
    assert.equal(prefix.code, 2, explain(prefix));
    assert.equal(errorCodeOf(prefix), 'BAD_REVISION');
    const unknown = await lode(['sync', 'wait', 'no-such-arena', snap.doc.commit], at('b'));
    assert.equal(unknown.code, 4, explain(unknown));
    assert.equal(errorCodeOf(unknown), 'NO_SUCH_ARENA');
  });

  test('live, the reactive path: a\'s new head entry is gossiped on the arena\'s topic, and b and c hear it', async () => {
    const before = new Map(await Promise.all(['a', 'b', 'c'].map(async (n) => [n, await gossipOf(n)] as const)));
    const data = join(root, 'data');
    await writeFile(join(data, 'notes', 'gossip.txt'), 'announced by gossip\n');
    const snap = await lodeJson<{ commit: string }>(['snapshot', data, '--arena', ARENA, '-m', 'gossiped'], at('a'));
    assert.equal(snap.run.code, 0, explain(snap.run));
    await until('a to gossip its entry', async () => ((await gossipOf('a')).heads_published_by_gossip > before.get('a')!.heads_published_by_gossip ? true : undefined), 10_000);
    for (const name of ['b', 'c']) {
      await until(`${name} to hear a head entry by gossip`, async () => ((await gossipOf(name)).heads_received_by_gossip > before.get(name)!.heads_received_by_gossip ? true : undefined), 10_000);
      await until(`${name} to hold the gossiped head`, async () => ((await headOf(name)) === snap.doc.commit ? true : undefined));
    }
  });

  test('a line l1 - l2 - l3 (l1 and l3 do not know each other): a commit on l1 reaches l3 through l2', async () => {
    for (const name of ['l1', 'l2', 'l3']) await addNode(name);
    const data = join(root, 'line-data');
    await buildTree(data, [{ path: 'start.txt', kind: 'file', content: 'start\n' }]);
    const first = await lodeJson<{ commit: string; arena_id: string }>(['snapshot', data, '--arena', LINE], at('l1'));
    assert.equal(first.run.code, 0, explain(first.run));
    arenaIds.set(LINE, first.doc.arena_id);
    const share = await lodeJson<{ ticket: string }>(['arena', 'share', LINE], at('l1'));
    for (const name of ['l2', 'l3']) {
      const joined = await lode(['arena', 'join', share.doc.ticket], at(name));
      assert.equal(joined.code, 0, explain(joined));
    }
    // l2 lists both ends (they dial it); each end lists l2 alone.
    await writeConfig('l2', [{ name: 'l1' }, { name: 'l3' }], [LINE]);
    daemons.set('l2', await start('l2'));
    for (const end of ['l1', 'l3']) {
      await writeConfig(end, [{ name: 'l2', addrs: daemons.get('l2')!.addrs }], [LINE]);
      daemons.set(end, await start(end));
    }
    await until('l3 to hold l1\'s first head', async () => ((await headOf('l3', LINE)) === first.doc.commit ? true : undefined));
    const heard = (await gossipOf('l3')).heads_received_by_gossip;

    await writeFile(join(data, 'live.txt'), 'written on l1 while the line runs\n');
    const live = await lodeJson<{ commit: string }>(['snapshot', data, '--arena', LINE, '-m', 'live'], at('l1'));
    assert.equal(live.run.code, 0, explain(live.run));
    await until('l3 to hold l1\'s live head', async () => ((await headOf('l3', LINE)) === live.doc.commit ? true : undefined));
    const cat = await lode(['cat', `${LINE}:live.txt`], at('l3'));
    assert.equal(cat.stdout, 'written on l1 while the line runs\n');
    // l2 relays l1's own signed entry on its change log; l3 drops gossip authored by l1, which is no member
    // of its household, and l2 signs no entry of its own for a head it only followed.
    const status = await lodeJson<{ arenas: { name: string; heads: { author: string; commit: string }[] }[] }>(['sync', 'status'], at('l3'));
    const heads = status.doc.arenas.find((a) => a.name === LINE)!.heads;
    assert.deepEqual(heads.filter((h) => h.commit === live.doc.commit).map((h) => h.author), [node('l1').id], 'l1\'s entry, relayed');
    assert.equal((await gossipOf('l3')).heads_received_by_gossip, heard, 'nothing l3 can take arrives by gossip on a line');
    const peers = await lodeJson<{ peers: { name: string; connected: boolean }[] }>(['peers'], at('l3'));
    assert.deepEqual(peers.doc.peers.map((p) => [p.name, p.connected]), [['l2', true]], 'l3 is connected to l2 alone');
  });

  test('partition: b stops, a and b both commit, b restarts, and all three converge on a merge of both', async () => {
    const b = daemons.get('b')!;
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.stderr());
    const commitIn = async (name: string, file: string): Promise<string> => {
      const work = join(root, `work-${name}`);
      const co = await lode(['checkout', ARENA, work], at(name));
      assert.equal(co.code, 0, explain(co));
      await writeFile(join(work, file), `written on ${name}\n`);
      const c = await lodeJson<{ commit: string }>(['commit', '-m', `${name} while apart`], { ...at(name), cwd: work });
      assert.equal(c.run.code, 0, explain(c.run));
      return c.doc.commit;
    };
    // b writes offline; a writes with its daemon running (c learns of it at once).
    const fromB = await commitIn('b', 'from-b.txt');
    const fromA = await commitIn('a', 'from-a.txt');
    await until('c to take a\'s commit', async () => (await headOf('c')) === fromA ? true : undefined);
    daemons.set('b', await start('b'));
    const merged = await until('a, b and c to agree on one head', async () => {
      const heads = await Promise.all(['a', 'b', 'c'].map((n) => headOf(n)));
      return heads.every((h) => h === heads[0]) && heads[0] !== fromA && heads[0] !== fromB ? heads[0] : undefined;
    });
    const show = await lodeJson<{ parents: string[] }>(['show', `${ARENA}@${merged}`], at('a'));
    assert.deepEqual([...show.doc.parents].sort(), [fromA, fromB].sort(), explain(show.run));
    for (const name of ['a', 'b', 'c']) {
      for (const file of ['from-a.txt', 'from-b.txt']) {
        const cat = await lode(['cat', `${ARENA}:${file}`], at(name));
        assert.equal(cat.code, 0, `${name}: ${explain(cat)}`);
      }
    }
  });

  test('kill -9 mid-transfer: the restarted daemon fetches only what it lacked, and its store is fsck-clean', async () => {
    const c = daemons.get('c')!;
    const work = join(root, 'work-a');
    await writeFile(join(work, 'huge.bin'), seededBytes(HUGE, 11));
    const packs = join(node('c').store, 'packs');
    const sizeOf = async (): Promise<number> => {
      let total = 0;
      for (const f of await readdir(packs)) total += (await stat(join(packs, f)).catch(() => ({ size: 0 }))).size;
      return total;
    };
    const before = await sizeOf();
    const commit = await lodeJson<{ commit: string }>(['commit', '-m', 'huge'], { ...at('a'), cwd: work });
    assert.equal(commit.run.code, 0, explain(commit.run));
    const target = commit.doc.commit;
    // Kill c once a good part of the file has arrived, while it is still fetching.
    await until('c to receive part of the file', async () => ((await sizeOf()) - before > 20 * 1024 * 1024 ? true : undefined), 20_000, 20);
    c.child.kill('SIGKILL');
    await c.exited;
    const partial = await sizeOf();
    assert.notEqual(await headOf('c'), target, `c finished before it was killed (${partial - before} bytes arrived): the test did not interrupt a transfer`);
    const durable = await durableBytesOf(node('c').store, seededBytes(HUGE, 11));
    assert.ok(durable > 0, 'no chunk of the file was durable at the kill: the test did not reach the resume path');
    daemons.set('c', await start('c'));
    await until('the restarted c to hold the head', async () => ((await headOf('c')) === target ? true : undefined), 30_000);
    // No chunk that was durable (indexed) at the kill is fetched again: what comes after the restart is
    // the rest of the file plus a little metadata (commit, trees, the manifest).
    const received = await lodeJson<{ sync: { objects_received: number; bytes_received: number } }>(['sync', 'status'], at('c'));
    assert.ok(received.doc.sync.objects_received > 0);
    assert.ok(received.doc.sync.bytes_received <= HUGE - durable + 256 * 1024,
      `after the restart c received ${received.doc.sync.bytes_received} bytes; ${durable} of ${HUGE} were durable in c's store at the kill`);
    const fsck = await lodeJson<{ ok: boolean }>(['fsck', '--read-data'], at('c'));
    assert.equal(fsck.run.code, 0, explain(fsck.run));
    const cat = await lode(['cat', `${ARENA}:huge.bin`], at('c'));
    assert.ok(cat.stdoutBytes.equals(seededBytes(HUGE, 11)), 'huge.bin arrived intact');
  });

  test('a stranger (d, not in a\'s household) is refused during the handshake and gets nothing', async () => {
    await until('a to log the refusal', async () => (daemons.get('a')!.stderr().includes(node('d').id) ? true : undefined), 10_000);
    assert.match(daemons.get('a')!.stderr(), /refused a connection .*reason=not-in-household/);
    assert.equal(await headOf('d'), undefined, 'd holds no commit of the arena');
    const peers = await lodeJson<{ peers: { node_id: string; connected: boolean; dial_failures: number; last_error: { reason: string } | null }[] }>(['peers'], at('d'));
    assert.equal(peers.run.code, 0, explain(peers.run));
    assert.equal(peers.doc.peers[0]!.connected, false);
    assert.ok(peers.doc.peers[0]!.last_error !== null, 'd records why it cannot connect');
  });

  test('lode peers and lode sync status report connections and heads as JSON', async () => {
    const peers = await lodeJson<{ node_id: string; listen: string[]; peers: Record<string, unknown>[] }>(['peers'], at('a'));
    assert.equal(peers.run.code, 0, explain(peers.run));
    assert.equal(peers.doc.node_id, node('a').id);
    assert.deepEqual(peers.doc.listen, daemons.get('a')!.addrs);
    assert.deepEqual(peers.doc.peers.map((p) => [p.name, p.node_id, p.connected, p.syncing]), [
      ['b', node('b').id, true, true],
      ['c', node('c').id, true, true],
    ]);
    for (const p of peers.doc.peers) assert.deepEqual(Object.keys(p).sort(), ['active', 'addrs', 'connected', 'dial_failures', 'last_error', 'last_seen', 'name', 'node_id', 'pending_changes', 'queued_bytes', 'syncing']);

    type Status = {
      node_id: string; sync: { tasks: number; log_length: number; objects_received: number; bytes_received: number };
      arenas: { name: string; id: string; writable: boolean; branches: { name: string; commit: string }[]; heads: { author: string; own: boolean; branch: string; commit: string; timestamp: string }[]; transfers: unknown[] }[];
    };
    const status = await lodeJson<Status>(['sync', 'status'], at('b'));
    assert.equal(status.run.code, 0, explain(status.run));
    const arena = status.doc.arenas.find((a) => a.name === ARENA)!;
    assert.deepEqual(arena.transfers, [], 'nothing is being fetched once b caught up');
    assert.ok(status.doc.sync.objects_received > 0 && status.doc.sync.bytes_received > BIG.length, 'b counts what it received');
    assert.deepEqual([arena.name, arena.id, arena.writable], [ARENA, arenaId, true]);
    const local = arena.branches.find((b) => b.name === 'main')!.commit;
    const fromA = arena.heads.find((h) => h.author === node('a').id && h.branch === 'main');
    assert.ok(fromA !== undefined && !fromA.own, 'b holds a\'s signed head for main');
    assert.equal(fromA.commit, local);
    assert.equal(typeof status.doc.sync.tasks, 'number');
    assert.equal(typeof status.doc.sync.log_length, 'number');
    const human = await lode(['sync', 'status'], at('b'));
    assert.match(human.stdout, new RegExp(`arena ${ARENA} ${arenaId}`));
    assert.match(human.stdout, /arena family \S+ \(read-only\)/);
    assert.match(human.stdout, /received from peers since the daemon started: \d+ objects/);
  });

  test('lode status outside a worktree summarizes the running daemon; with no daemon it is NOT_A_WORKTREE', async () => {
    type Summary = { worktree: null; daemon: { node_id: string; listen: string[]; peers: { connected: number; total: number }; arenas: { name: string; branches: { name: string; commit: string }[] }[] } };
    const r = await lodeJson<Summary>(['status'], { ...at('a'), cwd: root });
    assert.equal(r.run.code, 0, explain(r.run));
    assert.equal(r.doc.worktree, null);
    assert.equal(r.doc.daemon.node_id, node('a').id);
    assert.deepEqual(r.doc.daemon.listen, daemons.get('a')!.addrs);
    assert.deepEqual(r.doc.daemon.peers, { connected: 2, total: 2 });
    assert.deepEqual(r.doc.daemon.arenas.map((a) => a.name).sort(), [ARENA, FAMILY, PRIVATE].sort());
    assert.equal(r.doc.daemon.arenas.find((a) => a.name === ARENA)!.branches[0]!.commit, await headOf('a'));
    const text = await lode(['status'], { ...at('a'), cwd: root });
    assert.match(text.stdout, new RegExp(`node ${node('a').id}`));
    assert.match(text.stdout, /peers 2\/2 connected/);
    assert.match(text.stdout, /arena photos: main [0-9a-f]{12}/);
    const lonely = await lode(['status'], { store: join(root, 'lonely-status'), cwd: root });
    assert.equal(lonely.code, 1, explain(lonely));
    assert.equal(errorCodeOf(lonely), 'NOT_A_WORKTREE');
  });

  test('without a daemon, peers and sync status fail with DAEMON_NOT_RUNNING (exit 1)', async () => {
    const lonely = join(root, 'lonely');
    for (const args of [['peers'], ['sync', 'status']]) {
      const r = await lode(args, { store: lonely });
      assert.equal(r.code, 1, explain(r));
      assert.equal(errorCodeOf(r), 'DAEMON_NOT_RUNNING');
    }
  });

  test('a second daemon on the same store is refused (DAEMON_RUNNING)', async () => {
    const r = await lode(['daemon'], at('b'));
    assert.equal(r.code, 1, explain(r));
    assert.equal(errorCodeOf(r), 'DAEMON_RUNNING');
    assert.ok(existsSync(join(node('b').store, 'daemon.sock')), 'the running daemon keeps its socket');
  });

  test('kill -9 leaves a stale socket: the CLI reports no daemon, and a restart replaces it', async () => {
    const d = daemons.get('d')!;
    d.child.kill('SIGKILL');
    await d.exited;
    assert.ok(existsSync(join(node('d').store, 'daemon.sock')), 'a killed daemon leaves its socket behind');
    const r = await lode(['peers'], at('d'));
    assert.equal(errorCodeOf(r), 'DAEMON_NOT_RUNNING', explain(r));
    // A CLI write next to a stale socket still succeeds (the poke is best effort).
    const snap = await lode(['snapshot', join(root, 'data'), '--arena', ARENA], at('d'));
    assert.equal(snap.code, 0, explain(snap));
    daemons.set('d', await start('d'));
  });

  test('SIGTERM stops a daemon cleanly: exit 0 and its socket removed', async () => {
    const c = daemons.get('c')!;
    c.child.kill('SIGTERM');
    assert.equal(await c.exited, 0, c.stderr());
    assert.ok(!existsSync(join(node('c').store, 'daemon.sock')));
    assert.match(c.stderr(), /daemon stopped/);
  });
});
