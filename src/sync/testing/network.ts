// Test support: N nodes in one process, each a memoryStore with its own identity and a SyncNode, all
// holding one arena (writers with its secret, read-only members without), joined by in-memory links
// that queue messages per direction, deliver them in a random interleaving, and can be cut or held.
import { SyncError, type ArenaId, type LodeError } from '../../core/index.ts';
import { createArena, joinArena } from '../../history/index.ts';
import { memoryStore, type MemoryObjectStore, type Store } from '../../store/index.ts';
import { SyncNode, type SyncNodeOptions } from '../node-sync.ts';
import { seededRandom } from './items.ts';

export interface NetNodeUnderTest {
  index: number;
  id: string;
  store: Store & { objects: MemoryObjectStore };
  sync: SyncNode;
  readOnly: boolean;
  /** What the node reported about its peers (onBadPeer). */
  badPeers: { peer: string; code: string }[];
  /** Messages it refused as malformed (receive threw). */
  refused: string[];
  errors: unknown[];
}

export interface NetworkOptions {
  nodes: number;
  /** Indexes of read-only members. */
  readOnly?: number[];
  seed?: number;
  /** Wraps each node's send, e.g. to tamper with what one node sends. */
  tamper?: (from: number, to: string, bytes: Uint8Array) => Uint8Array | null;
  syncOptions?: Partial<SyncNodeOptions>;
  /** Options for one node, over syncOptions (e.g. the arenas it replicates). */
  syncOptionsFor?: (index: number) => Partial<SyncNodeOptions>;
  /** Stores to use instead of fresh memory stores (e.g. disk stores, to restart a node on one). */
  stores?: Store[];
}

type LinkState = 'up' | 'down' | 'held';

export class MemoryNetwork {
  readonly nodes: NetNodeUnderTest[] = [];
  readonly arena: ArenaId;
  readonly #queues = new Map<string, { from: number; to: number; bytes: Uint8Array }[]>();
  readonly #links = new Map<string, LinkState>();
  readonly #random: () => number;
  readonly #byId = new Map<string, number>();
  #opts: NetworkOptions = { nodes: 0 };

  private constructor(arena: ArenaId, seed: number) {
    this.arena = arena;
    this.#random = seededRandom(seed);
  }

  static async create(opts: NetworkOptions): Promise<MemoryNetwork> {
    const stores = opts.stores ?? Array.from({ length: opts.nodes }, () => memoryStore());
    const record = await createArena(stores[0]!, 'shared');
    const net = new MemoryNetwork(record.id, opts.seed ?? 1);
    net.#opts = opts;
    for (let i = 0; i < stores.length; i++) {
      const store = stores[i]!;
      const readOnly = opts.readOnly?.includes(i) ?? false;
      if (readOnly && i === 0) throw new SyncError('BAD_OPTIONS', 'node 0 creates the arena and must be a writer');
      if (i > 0) await joinArena(store, 'shared', record.id, readOnly ? undefined : record.secretKey);
      const node: NetNodeUnderTest = {
        index: i, id: store.identity.nodeId, store: store as NetNodeUnderTest['store'], readOnly, badPeers: [], refused: [], errors: [],
        sync: undefined as unknown as SyncNode,
      };
      node.sync = net.#syncNode(node);
      net.nodes.push(node);
      net.#byId.set(node.id, i);
    }
    return net;
  }

  #syncNode(node: NetNodeUnderTest): SyncNode {
    const { tamper, syncOptions, syncOptionsFor } = this.#opts;
    return new SyncNode({
      store: node.store,
      send: (peer, bytes) => this.#enqueue(node.index, peer, tamper ? tamper(node.index, peer, bytes) : bytes),
      onBadPeer: (peer, e: LodeError) => void node.badPeers.push({ peer, code: e.code }),
      onError: (e) => void node.errors.push(e),
      ...syncOptions,
      ...syncOptionsFor?.(node.index),
    });
  }

  /** Gives node `index` a new SyncNode over `store` (the same store reopened): a restart. Disconnect it first. */
  restart(index: number, store: Store): void {
    const node = this.nodes[index]!;
    if (store.identity.nodeId !== node.id) throw new SyncError('BAD_OPTIONS', 'a restarted node keeps its identity');
    node.store = store as NetNodeUnderTest['store'];
    node.sync = this.#syncNode(node);
  }

  #key(a: number, b: number): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  #enqueue(from: number, peer: string, bytes: Uint8Array | null): void {
    const to = this.#byId.get(peer);
    if (to === undefined || bytes === null || this.#links.get(this.#key(from, to)) === 'down') return;
    const key = `${from}>${to}`;
    let q = this.#queues.get(key);
    if (q === undefined) this.#queues.set(key, (q = []));
    q.push({ from, to, bytes });
  }

  connect(a: number, b: number): void {
    const key = this.#key(a, b);
    const was = this.#links.get(key);
    this.#links.set(key, 'up');
    if (was === 'up' || was === 'held') return;
    this.nodes[a]!.sync.peerConnected(this.nodes[b]!.id);
    this.nodes[b]!.sync.peerConnected(this.nodes[a]!.id);
  }

  disconnect(a: number, b: number): void {
    const key = this.#key(a, b);
    if (this.#links.get(key) !== 'up' && this.#links.get(key) !== 'held') return;
    this.#links.set(key, 'down');
    this.#queues.delete(`${a}>${b}`);
    this.#queues.delete(`${b}>${a}`);
    this.nodes[a]!.sync.peerDisconnected(this.nodes[b]!.id);
    this.nodes[b]!.sync.peerDisconnected(this.nodes[a]!.id);
  }

  connectAll(): void {
    for (let a = 0; a < this.nodes.length; a++) for (let b = a + 1; b < this.nodes.length; b++) this.connect(a, b);
  }

  /**
   * Splits the nodes into groups. 'drop' closes the connections between groups (as a dead link does);
   * 'hold' keeps them open but delivers nothing across until heal().
   */
  partition(groups: number[][], mode: 'drop' | 'hold'): void {
    const groupOf = new Map<number, number>();
    groups.forEach((g, gi) => g.forEach((n) => groupOf.set(n, gi)));
    for (let a = 0; a < this.nodes.length; a++) {
      for (let b = a + 1; b < this.nodes.length; b++) {
        if (groupOf.get(a) === groupOf.get(b)) continue;
        if (mode === 'drop') this.disconnect(a, b);
        else if (this.#links.get(this.#key(a, b)) === 'up') this.#links.set(this.#key(a, b), 'held');
      }
    }
  }

  /** Ends every partition: held links deliver again, dropped ones reconnect (and reconcile). */
  heal(): void {
    for (const [key, state] of this.#links) if (state === 'held') this.#links.set(key, 'up');
    this.connectAll();
  }

  #deliverable(): string[] {
    const out: string[] = [];
    for (const [key, q] of this.#queues) {
      if (q.length === 0) continue;
      const m = q[0]!;
      if (this.#links.get(this.#key(m.from, m.to)) === 'up') out.push(key);
    }
    return out;
  }

  /** Delivers one ready message, if any; false when none is ready. */
  deliverOne(): boolean {
    const ready = this.#deliverable();
    if (ready.length === 0) return false;
    const key = ready[Math.floor(this.#random() * ready.length)]!;
    const m = this.#queues.get(key)!.shift()!;
    const node = this.nodes[m.to]!;
    try {
      node.sync.receive(this.nodes[m.from]!.id, m.bytes);
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      node.refused.push(e.code);
    }
    return true;
  }

  /** Delivers up to `n` messages, letting background work run in between. */
  async deliver(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      if (!this.deliverOne()) await new Promise((r) => setImmediate(r));
      else if (this.#random() < 0.3) await new Promise((r) => setImmediate(r));
    }
  }

  /** Delivers messages (per link in order, links interleaved at random) until nothing is left to do. */
  async settle(maxTurns = 200_000): Promise<void> {
    let idleTurns = 0;
    let idleSince = Date.now();
    for (let turn = 0; turn < maxTurns; turn++) {
      if (this.deliverOne()) {
        idleTurns = 0;
        idleSince = Date.now();
        // A random delay: sometimes let background work run before the next delivery.
        if (this.#random() < 0.3) await new Promise((r) => setImmediate(r));
        continue;
      }
      await new Promise((r) => setImmediate(r));
      idleTurns++;
      const busy = this.nodes.some((n) => n.sync.busy > 0);
      // A task may have sent something and ended during that turn: deliver it before calling it settled.
      if (!busy && idleTurns > 2 && this.#deliverable().length === 0) return;
      // Disk stores commit metadata on another thread: give them wall-clock time, not just turns.
      if (idleTurns > 500 && Date.now() - idleSince > 2000) {
        // Held links leave fetches waiting; anything else waiting that long is a bug.
        if ([...this.#links.values()].includes('held')) return;
        throw new SyncError('STUCK', 'nodes are busy but no message is in flight');
      }
    }
    throw new SyncError('NOT_SETTLED', `the network was still busy after ${maxTurns} turns`);
  }
}
