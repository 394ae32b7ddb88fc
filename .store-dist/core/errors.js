// Error families with stable codes. Each layer throws its own family; the CLI maps codes to exit
// statuses and one line for the user. Tests assert on `code`, never on message text.
export class LodeError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.code = code;
        this.name = new.target.name;
    }
}
/** Malformed or hostile bytes: bad CBOR, unknown fields, bad lengths, bad signatures. */
export class FormatError extends LodeError {
}
/** The chunk store, its index, packs, locks and disk. */
export class StoreError extends LodeError {
}
/** Commits, branches, revisions, arenas. */
export class HistoryError extends LodeError {
}
/** Scanning, snapshotting and restoring directories. */
export class WorktreeError extends LodeError {
}
/** Configuration and command-line usage. */
export class UsageError extends LodeError {
}
export function isLodeError(e) {
    return e instanceof LodeError;
}
