// Two daemons in one process over real loopback connections, and a household member gone bad: its
// garbage and oversized frames close only its own stream, and the daemons keep syncing each other.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKeypair, toHex, type NodeId } from '../core/index.ts';
import { createArena, createCommit, getBranch, joinArena, moveBranch, type ArenaRecord } from '../history/index.ts';
import { createNetNode, writeFrame, type NetNode } from '../net/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { startDaemon, type Daemon } from './daemon.ts';
import type { LogFields, LogLevel } from './daemon-log.ts';
import { SYNC_PROTOCOL } from './peer-link.ts';

const dir = mkdtempSync(join(tmpdir(), 'lode-daemon-hostile-'));

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('daemon with a hostile household member', { timeout: 60_000 }, () => {
  const stores: Store[] = [];
  const daemons: Daemon[] = [];
  const lines: { level: LogLevel; message: string; fields: LogFields }[] = [];
  let rogue: NetNode;
  const keys = generateKeypair();
  const rogueId = toHex(keys.publicKey) as NodeId;
  let arena: ArenaRecord;

  before(async () => {
    for (const name of ['a', 'b']) stores.push(await openStore(join(dir, name)));
    const [a, b] = stores as [Store, Store];
    arena = await createArena(a, 'x');
    await joinArena(b, 'x', arena.id, arena.secretKey);
    const config = (peers: { node_id: string; addrs?: string[] }[]) => ({
      arenas: [{ name: 'x', id: arena.id }], peers, network: { listen: ['/ip4/127.0.0.1/tcp/0'] }, sync: {},
    });
    daemons.push(await startDaemon({
      store: a, config: config([{ node_id: b.identity.nodeId }, { node_id: rogueId }]),
      log: (level, message, fields = {}) => lines.push({ level, message, fields }),
    }));
    const addrs = daemons[0]!.listenAddrs();
    daemons.push(await startDaemon({ store: b, config: config([{ node_id: a.identity.nodeId, addrs }]), log: () => {} }));
    rogue = await createNetNode({ identity: { nodeId: rogueId, secretKey: keys.secretKey }, listen: [], household: [a.identity.nodeId], gossip: false });
    await rogue.dial(a.identity.nodeId, addrs);
  });

  after(async () => {
    await rogue?.stop();
    for (const d of daemons) await d.stop();
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a garbage frame and an oversized frame close only that stream; a and b keep syncing', async () => {
    const [a, b] = stores as [Store, Store];
    const aId = a.identity.nodeId;
    const garbage = await rogue.openStream(aId, SYNC_PROTOCOL);
    await writeFrame(garbage, new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    const oversized = await rogue.openStream(aId, SYNC_PROTOCOL);
    // A header announcing 64 MiB: refused before any of it is read.
    oversized.send(new Uint8Array([0x04, 0x00, 0x00, 0x00]));
    await until('a to close both streams', () => lines.filter((l) => l.message === 'closed a stream after an error').length >= 2);
    const reasons = lines.filter((l) => l.message === 'closed a stream after an error').map((l) => String(l.fields.error));
    assert.deepEqual(reasons.map((r) => r.split(':')[0]).sort(), ['BAD_MESSAGE', 'FRAME_TOO_LARGE'], reasons.join('\n'));
    assert.equal(reasons.length, 2);
    const status = daemons[0]!.status();
    assert.ok(status.peers.find((p) => p.node_id === rogueId)!.last_error !== null);

    // The daemons still serve each other: a commit on a reaches b.
    const tree = await a.typed.putTree({ entries: [] });
    const commit = await createCommit(a, { tree, parents: [], message: 'after the attack' });
    await moveBranch(a, arena.id, 'main', commit, { command: 'test', reason: 'test' });
    assert.equal(daemons[0]!.refsChanged(), 1);
    await until('b to take the commit', () => getBranch(b, arena.id, 'main') === commit);
    assert.equal(daemons[0]!.status().peers.find((p) => p.node_id === b.identity.nodeId)!.connected, true);
  });
});
