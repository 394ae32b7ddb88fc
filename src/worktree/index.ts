// The worktree layer's public face: snapshot a directory into trees and blobs, restore a tree to disk,
// and the .lodeignore rules. Sits above store (and core); the CLI imports only from here.
export { snapshotTree, type SnapshotOptions, type SnapshotProgress, type SnapshotResult, type SnapshotStats } from './snapshot.ts';
export { restoreTree, type RestoreOptions, type RestoreProgress, type RestoreStats } from './restore.ts';
export { loadIgnore, IGNORE_FILE, type IgnoreMatcher } from './ignore-rules.ts';
export { isContainedSymlink } from './symlink-safety.ts';
export { STAT_CACHE_TABLE } from './stat-cache.ts';
export type { Problem } from './problems.ts';
