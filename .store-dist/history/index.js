// The history layer's public face: arenas, branches and their reflog, commits, revisions, the log,
// paths inside a version and diffs between versions. It sits on the store and core layers.
export { createArena, listArenas, findArena, requireArena, checkArenaName, encodeArenaRecord, decodeArenaRecord } from "./arenas.js";
export { getBranch, listBranches, moveBranch, checkBranchName, branchNameProblem } from "./refs.js";
export { readReflog, encodeReflogEntry, decodeReflogEntry } from "./reflog.js";
export { createCommit, verifyCommit } from "./commits.js";
export { resolveRevision, DEFAULT_BRANCH } from "./revisions.js";
export { walkLog } from "./log.js";
export { lookupPath, walkTree, pathComponents, findEntry } from "./paths.js";
export { diffTrees } from "./diff.js";
export { rootCommits } from "./roots.js";
