// The history layer's public face: arenas, branches and their reflog, commits, revisions, the log,
// paths inside a version and diffs between versions. It sits on the store and core layers.
export { createArena, joinArena, listArenas, findArena, requireArena, checkArenaName, encodeArenaRecord, decodeArenaRecord, type ArenaRecord } from './arenas.ts';
export { getBranch, listBranches, moveBranch, checkBranchName, branchNameProblem, type MoveOptions } from './refs.ts';
export { readReflog, expireReflog, encodeReflogEntry, decodeReflogEntry, TAG_REFLOG_PREFIX, type ReflogEntry } from './reflog.ts';
export { createCommit, verifyCommit, type NewCommit } from './commits.ts';
export { resolveRevision, DEFAULT_BRANCH } from './revisions.ts';
export { walkLog, walkLogBatches, LOG_BATCH, type LogItem } from './log.ts';
export { lookupPath, walkTree, pathComponents, findEntry, type RootEntry } from './paths.ts';
export { diffTrees, type DiffEntry, type SameTrees } from './diff.ts';
export { rootCommits, collectRoots, type RootSet } from './roots.ts';
export { renameBranch } from './branch-rename.ts';
export { createTag, deleteTag, getTag, listTags, checkTagName, type TagRecord, type TagChangeOptions } from './tags.ts';
export { signatureStatus, requireGoodSignature, checkSignatures, type SignatureStatus, type SignatureProblem } from './verify.ts';
export { diffLines, splitLines, DEFAULT_MAX_EDIT_DISTANCE, type Edit, type EqualEdit, type DeleteEdit, type InsertEdit, type DiffLinesOptions } from './line-diff.ts';
export { unifiedDiff, looksBinary, type UnifiedDiffOptions } from './unified-diff.ts';
export { mergeText, mergeLines, type MergeTextOptions, type MergeResult, type MergeChunk } from './text-merge.ts';
export { mergeBases, isAncestor } from './merge-base.ts';
export { logGraph, type GraphCommit, type GraphRow } from './log-graph.ts';
export { blameFile, type BlameLine } from './blame.ts';
export { writeConflict, readConflict, materialEntry, CONFLICT_SIDES, type ConflictSide, type ConflictSides, type PlainEntry } from './conflict-entry.ts';
export { editTree } from './tree-edit.ts';
export { mergeTrees, MAX_TEXT_MERGE_BYTES, type TreeMergeOptions, type TreeMergeResult } from './tree-merge.ts';
export { planMerge, mergeCommit, planRevert, revertCommit, type RevertPlan, type MergePlan, type PlanOptions, type MergeCommitOptions, type MergeCommitResult, type RevertOptions } from './merge-commits.ts';
export { listConflicts, resolveConflict, type ListedConflict } from './conflicts.ts';
export { listStash, pushStash, dropStash, STASH_TABLE, type StashEntry } from './stash.ts';
export { logDetachedHead, DETACHED_HEAD_REFLOG } from './head-log.ts';
export { acceptHeadEntry, publishHead, signHead, storeOwnHead, listHeadEntries, headEntryItems, HEADS_TABLE, type StoredHeadEntry, type HeadEntryItem } from './head-entries.ts';
export { MaxHeap } from './max-heap.ts';
