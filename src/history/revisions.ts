// Revisions: the words a user types for a commit (a branch, then a tag, a full id, an id prefix, then ~N and ^N
// suffixes) resolved against one arena. History layer.
import { isHashHex, HistoryError, type CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import type { ArenaRecord } from './arenas.ts';
import { branchNameProblem, getBranch, listBranches } from './refs.ts';
import { getTag } from './tags.ts';

export const DEFAULT_BRANCH = 'main';
const MIN_PREFIX = 4;
const MAX_CANDIDATES = 10;
const SUFFIXES = /^(?:[~^]\d{0,9})*$/;
const SUFFIX = /([~^])(\d*)/g;
const HEX_PREFIX = /^[0-9a-f]+$/;

/** Resolves `rev` (default: the branch `main`) in `arena` to a commit id that is in the store. */
export async function resolveRevision(store: Store, arena: ArenaRecord, rev: string = DEFAULT_BRANCH): Promise<CommitId> {
  const cut = rev.search(/[~^]/);
  const base = cut < 0 ? rev : rev.slice(0, cut);
  const suffixes = cut < 0 ? '' : rev.slice(cut);
  if (base === '' || !SUFFIXES.test(suffixes)) throw new HistoryError('BAD_REVISION', `bad revision ${JSON.stringify(rev)}`);
  let id = resolveBase(store, arena, base, rev);
  for (const [, op, digits] of suffixes.matchAll(SUFFIX)) {
    const n = digits === '' || digits === undefined ? 1 : Number(digits);
    id = op === '~' ? await nthFirstParent(store, id, n, rev) : await nthParent(store, id, n, rev);
  }
  return id;
}

function resolveBase(store: Store, arena: ArenaRecord, base: string, rev: string): CommitId {
  const branchName = branchNameProblem(base) === undefined;
  if (branchName) {
    // A branch wins over a tag of the same name: branches are what users move and name most often.
    const id = getBranch(store, arena.id, base) ?? getTag(store, arena.id, base);
    if (id !== undefined) return id;
  }
  if (isHashHex(base)) {
    if (store.objects.kind(base as CommitId) === 'commit') return base as CommitId;
    throw new HistoryError('UNKNOWN_REVISION', `no commit ${base} in the store`);
  }
  const hex = base.length >= MIN_PREFIX && HEX_PREFIX.test(base);
  if (hex) {
    const found = commitsWithPrefix(store, base);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      const more = found.length >= MAX_CANDIDATES ? ', …' : '';
      throw new HistoryError('AMBIGUOUS_REVISION', `revision ${base} matches several commits: ${found.join(', ')}${more}`);
    }
  }
  if (!branchName) throw new HistoryError('BAD_REVISION', `bad revision ${JSON.stringify(rev)}`);
  if (!hex && listBranches(store, arena.id).length === 0) {
    throw new HistoryError('EMPTY_ARENA', `arena ${arena.name} has no commits yet`);
  }
  throw new HistoryError('UNKNOWN_REVISION', `no branch or commit ${JSON.stringify(base)} in arena ${arena.name}`);
}

/** Commit ids starting with `prefix`; ids() is in id order, so the scan stops past the prefix. */
function commitsWithPrefix(store: Store, prefix: string): CommitId[] {
  const found: CommitId[] = [];
  for (const id of store.objects.ids()) {
    if (id < prefix) continue;
    if (!id.startsWith(prefix)) break;
    if (store.objects.kind(id) === 'commit') found.push(id as CommitId);
    if (found.length >= MAX_CANDIDATES) break;
  }
  return found;
}

async function nthFirstParent(store: Store, start: CommitId, n: number, rev: string): Promise<CommitId> {
  let id = start;
  for (let i = 0; i < n; i++) {
    const parent = (await store.typed.getCommit(id)).parents[0];
    if (parent === undefined) throw new HistoryError('NO_PARENT', `${rev}: commit ${id} is a root, ${n - i} generation(s) short`);
    id = parent;
  }
  return id;
}

async function nthParent(store: Store, id: CommitId, n: number, rev: string): Promise<CommitId> {
  if (n === 0) return id;
  const parent = (await store.typed.getCommit(id)).parents[n - 1];
  if (parent === undefined) throw new HistoryError('NO_PARENT', `${rev}: commit ${id} has no parent number ${n}`);
  return parent;
}
