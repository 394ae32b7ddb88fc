// Error families with stable codes. Each layer throws its own family; the CLI maps codes to exit
// statuses and one line for the user. Tests assert on `code`, never on message text.

export class LodeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed or hostile bytes: bad CBOR, unknown fields, bad lengths, bad signatures. */
export class FormatError extends LodeError {}
/** The chunk store, its index, packs, locks and disk. */
export class StoreError extends LodeError {}
/** Commits, branches, revisions, arenas. */
export class HistoryError extends LodeError {}
/** Scanning, snapshotting and restoring directories. */
export class WorktreeError extends LodeError {}
/** Peer sync: reconciliation messages and protocol state. */
export class SyncError extends LodeError {}
/** Peer connections: transport, handshakes, frames on a stream. */
export class NetError extends LodeError {}
/** Configuration and command-line usage. */
export class UsageError extends LodeError {}

export function isLodeError(e: unknown): e is LodeError {
  return e instanceof LodeError;
}
