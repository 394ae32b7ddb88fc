// From what the user typed to what the history layer holds: an arena record, a commit id and its commit.
import type { Commit, CommitId } from '../core/index.ts';
import { requireArena, resolveRevision, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import type { RevisionSpec } from './revision-spec.ts';

export interface ResolvedRevision { arena: ArenaRecord; id: CommitId; commit: Commit }

export async function resolveSpec(store: Store, spec: Pick<RevisionSpec, 'arena' | 'rev'>): Promise<ResolvedRevision> {
  const arena = requireArena(store, spec.arena);
  const id = await resolveRevision(store, arena, spec.rev);
  return { arena, id, commit: await store.typed.getCommit(id) };
}
