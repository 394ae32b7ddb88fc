// The worktree layer's public face: snapshot a directory into trees and blobs, restore a tree to disk,
// the .lodeignore rules, and worktrees bound to an arena (binding, status, commit, switch, stash).
// Sits above history and store; the CLI imports only from here.
export { snapshotTree, type SnapshotOptions, type SnapshotProgress, type SnapshotResult, type SnapshotStats } from './snapshot.ts';
export { restoreTree, type RestoreOptions, type RestoreProgress, type RestoreStats } from './restore.ts';
export { loadIgnore, IGNORE_FILE, type IgnoreMatcher } from './ignore-rules.ts';
export { isContainedSymlink } from './symlink-safety.ts';
export { STAT_CACHE_TABLE } from './stat-cache.ts';
export { WALK_MARK_TABLE, type ChangeSource } from './walk-mark.ts';
export { SAME_TREES_TABLE } from './same-trees.ts';
export type { Problem } from './problems.ts';
export {
  findWorktreeRoot, readBinding, writeBinding, parseBinding, encodeBinding, headState, worktreePath, bindingPath,
  WORKTREE_DIR, BINDING_FILE, type WorktreeBinding, type HeadRef, type HeadState,
} from './binding.ts';
export { worktreeStatus, hasChanges, checkReadable, type WorktreeStatus, type WorktreeChange, type ChangeKind, type StatusOptions } from './worktree-status.ts';
export { applyTreeChange, checkNoReservedEntry, type ApplyOptions, type ApplyResult } from './tree-apply.ts';
export { switchWorktree, forceToTree, blockedPaths, localChangesError, headTree, type SwitchOptions, type SwitchResult } from './worktree-switch.ts';
export { stashPush, stashPop, type StashPushResult, type StashPopResult } from './stash-apply.ts';
export { commitWorktree, type CommitOptions, type CommitResult } from './worktree-commit.ts';
export { entryOfPath } from './path-entry.ts';
