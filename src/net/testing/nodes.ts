// Test fixtures for the net layer: fresh node identities, nodes on 127.0.0.1 port 0, and polling waits.
import assert from 'node:assert/strict';
import { generateKeypair, toHex, type NodeId } from '../../core/index.ts';
import { createNetNode, type NetNode, type NetNodeOptions } from '../transport.ts';
import type { NodeIdentity } from '../node-identity.ts';

export function newIdentity(): NodeIdentity {
  const { publicKey, secretKey } = generateKeypair();
  return { nodeId: toHex(publicKey) as NodeId, secretKey };
}

export const LOOPBACK = '/ip4/127.0.0.1/tcp/0';

export function startNode(identity: NodeIdentity, household: NodeIdentity[], extra: Partial<NetNodeOptions> = {}): Promise<NetNode> {
  return createNetNode({ identity, listen: [LOOPBACK], household: household.map((h) => h.nodeId), gossip: false, ...extra });
}

/** Polls `check` until it is true; fails the test after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function stopAll(nodes: Array<NetNode | undefined>): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n?.stop()));
}

export interface Members { a: NetNode; b: NetNode; ia: NodeIdentity; ib: NodeIdentity }

/** Two fresh household members on 127.0.0.1, given to `body` and stopped afterwards, whatever happens. */
export async function withMembers(body: (m: Members) => Promise<void>, extra: { a?: Partial<NetNodeOptions>; b?: Partial<NetNodeOptions> } = {}): Promise<void> {
  const [ia, ib] = [newIdentity(), newIdentity()];
  let a: NetNode | undefined;
  let b: NetNode | undefined;
  try {
    a = await startNode(ia, [ib], extra.a);
    b = await startNode(ib, [ia], extra.b);
    await body({ a, b, ia, ib });
  } finally {
    await stopAll([a, b]);
  }
}
