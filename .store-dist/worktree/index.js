// The worktree layer's public face: snapshot a directory into trees and blobs, restore a tree to disk,
// and the .lodeignore rules. Sits above store (and core); the CLI imports only from here.
export { snapshotTree } from "./snapshot.js";
export { restoreTree } from "./restore.js";
export { loadIgnore, IGNORE_FILE } from "./ignore-rules.js";
export { isContainedSymlink } from "./symlink-safety.js";
export { STAT_CACHE_TABLE } from "./stat-cache.js";
