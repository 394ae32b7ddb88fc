// Which branches moved since the daemon last looked: other processes (the CLI) move branches in the
// shared LMDB store and then poke the daemon, which compares the refs with what it saw. Daemon layer.
import { blake3Hex, type ArenaId, type CommitId } from '../core/index.ts';
import { listArenas, listBranches } from '../history/index.ts';
import type { Store } from '../store/index.ts';

export interface MovedBranch { arena: ArenaId; branch: string; commit: CommitId }

export class RefWatch {
  readonly #seen = new Map<string, CommitId>();

  /** Branches of `arenas` that are new or point elsewhere than at the last call (deletions are not moves). */
  moved(store: Store, arenas: ReadonlySet<ArenaId>): MovedBranch[] {
    const out: MovedBranch[] = [];
    for (const arena of arenas) {
      for (const { name, commit } of listBranches(store, arena)) {
        const key = `${arena}/${name}`;
        if (this.#seen.get(key) === commit) continue;
        this.#seen.set(key, commit);
        out.push({ arena, branch: name, commit });
      }
    }
    return out;
  }
}

/**
 * A digest of every branch of every arena: the CLI takes it when it opens the store and again when it
 * closes it, and pokes the daemon only when the two differ. A handful of rows, so cheap to read.
 */
export function refsFingerprint(store: Store): string {
  const rows: string[] = [];
  for (const a of listArenas(store)) for (const b of listBranches(store, a.id)) rows.push(`${a.id}/${b.name}=${b.commit}`);
  return blake3Hex(new TextEncoder().encode(rows.join('\n')));
}
