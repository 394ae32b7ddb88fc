// restoreTree (worktree layer): writes a stored tree back to disk. Each file streams into a temporary
// file beside its final name and is renamed into place only once the blob verified, so a corrupt blob
// never leaves wrong bytes under the real name. Nothing is ever written through a symlink.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FormatError, StoreError, WorktreeError } from "../core/index.js";
import { errorMessage, syscallCode } from "./problems.js";
import { ProgressThrottle } from "./progress.js";
import { isContainedSymlink } from "./symlink-safety.js";
import { TaskPool } from "./task-pool.js";
const DEFAULT_CONCURRENCY = 8;
// O_EXCL with O_CREAT never opens an existing path, symlink or not; O_NOFOLLOW says so twice.
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
/** Failures of the target's disk as a whole: going on would only fail again for every file. */
const FATAL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
function guard(p) {
    p.catch(() => { });
    return p;
}
function seconds(m) {
    return m.sec + m.nsec / 1e9;
}
/** Temporary names: unguessable per run, then a counter (O_EXCL refuses any name that exists anyway). */
const tempPrefix = `.lode-tmp-${randomBytes(6).toString('hex')}-`;
let tempCounter = 0;
function tempName(dir) {
    return `${dir}/${tempPrefix}${(tempCounter++).toString(36)}`;
}
class RestoreRun {
    stats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
    problems = [];
    pool;
    totalBytes;
    #store;
    #allowUnsafe;
    #progress;
    #currentPath;
    #fatal;
    /** Where the restored part sits in the tree, so problems name tree paths ('' for the whole tree). */
    #base;
    constructor(store, opts, base) {
        this.#store = store;
        this.#base = base;
        this.#allowUnsafe = opts.allowUnsafeSymlinks === true;
        this.pool = new TaskPool(opts.concurrency ?? DEFAULT_CONCURRENCY);
        this.#progress = new ProgressThrottle(opts.onProgress);
    }
    get progressEnabled() {
        return this.#progress.enabled;
    }
    progress() {
        const p = { files: this.stats.files, bytes: this.stats.bytes };
        if (this.totalBytes !== undefined)
            p.totalBytes = this.totalBytes;
        if (this.#currentPath !== undefined)
            p.currentPath = this.#currentPath;
        return p;
    }
    finalProgress() {
        this.#progress.final(this.progress());
    }
    fail(e) {
        this.#fatal ??= e;
    }
    #problem(relPath, code, message) {
        const full = this.#base === '' ? relPath : relPath === '' ? this.#base : `${this.#base}/${relPath}`;
        this.problems.push({ path: full === '' ? '.' : full, code, message });
    }
    #checkStop() {
        if (this.#fatal !== undefined)
            throw this.#fatal;
    }
    /** A failed write: a problem for this path, or fatal when the whole target disk is failing. */
    #writeFailed(relPath, e) {
        const errno = syscallCode(e);
        if (errno === undefined)
            throw e;
        if (FATAL_ERRNOS.has(errno)) {
            const err = new WorktreeError(errno === 'ENOSPC' || errno === 'EDQUOT' ? 'DISK_FULL' : 'WRITE_FAILED', `cannot write ${relPath}: ${errorMessage(e)}`, { cause: e });
            this.fail(err);
            throw err;
        }
        const code = errno === 'EISDIR' || errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR' ? 'TARGET_CONFLICT' : 'WRITE_FAILED';
        this.#problem(relPath, code, errorMessage(e));
    }
    /** A failed read of stored data: a problem for this path when the data is bad or missing. */
    #readFailed(relPath, e) {
        if (e instanceof StoreError && (e.code === 'CORRUPT' || e.code === 'NOT_FOUND' || e.code === 'WRONG_KIND')) {
            this.#problem(relPath, e.code === 'CORRUPT' ? 'CORRUPT' : 'MISSING_DATA', errorMessage(e));
        }
        else if (e instanceof FormatError) {
            this.#problem(relPath, 'CORRUPT', errorMessage(e));
        }
        else {
            throw e;
        }
    }
    /**
     * Restores the tree `id` into the existing directory `abs`. Resolves once every entry is started;
     * `done` resolves after all of them finished and, last, the directory's own mode and mtime are set.
     */
    async restoreDir(id, abs, rel, depth, own) {
        this.#checkStop();
        let entries;
        try {
            entries = (await this.#store.typed.getTree(id)).entries;
        }
        catch (e) {
            this.#readFailed(rel, e);
            return { done: Promise.resolve() };
        }
        const parts = [];
        for (const e of entries) {
            this.#checkStop();
            const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
            const absPath = path.join(abs, e.name);
            if (e.kind === 'dir') {
                if (!this.#ensureDir(absPath, relPath))
                    continue;
                parts.push((await this.restoreDir(e.tree, absPath, relPath, depth + 1, e)).done);
            }
            else if (e.kind === 'file') {
                parts.push((await this.startFile(abs, relPath, e)).result);
            }
            else {
                this.symlink(abs, relPath, e, depth);
            }
        }
        const done = (async () => {
            await Promise.all(parts);
            if (!own)
                return;
            try {
                // After the contents: a read-only directory can still be filled, and its mtime is not touched again.
                fs.chmodSync(abs, own.mode);
                fs.utimesSync(abs, seconds(own.mtime), seconds(own.mtime));
            }
            catch (e) {
                this.#writeFailed(rel, e);
            }
        })();
        return { done: guard(done) };
    }
    /** Makes `abs` a real directory: one already there is kept, a file or symlink there is replaced. */
    #ensureDir(abs, rel) {
        try {
            try {
                fs.mkdirSync(abs, { mode: 0o700 });
            }
            catch (e) {
                if (syscallCode(e) !== 'EEXIST')
                    throw e;
                if (fs.lstatSync(abs).isDirectory())
                    return this.#countDir();
                fs.unlinkSync(abs); // never followed: a symlink here is removed, not entered
                fs.mkdirSync(abs, { mode: 0o700 });
            }
            return this.#countDir();
        }
        catch (e) {
            this.#writeFailed(rel, e);
            return false;
        }
    }
    #countDir() {
        this.stats.dirs++;
        return true;
    }
    startFile(dir, relPath, e) {
        return this.pool.start(() => this.#file(dir, relPath, e));
    }
    async #file(dir, relPath, e) {
        if (this.#fatal !== undefined)
            return;
        // Synchronous file calls: each async one costs a threadpool round trip (tens of µs of main-thread
        // time here), more than the call itself; reading and decompressing the blob stays asynchronous.
        const tmp = tempName(dir);
        let fd;
        try {
            fd = fs.openSync(tmp, CREATE_FLAGS, 0o600);
        }
        catch (err) {
            this.#writeFailed(relPath, err);
            return;
        }
        let stage = 'read';
        try {
            let written = 0;
            for await (const chunk of this.#content(e)) {
                stage = 'write';
                for (let at = 0; at < chunk.length;)
                    at += fs.writeSync(fd, chunk, at);
                written += chunk.length;
                this.stats.bytes += chunk.length;
                stage = 'read';
            }
            if (written !== e.size)
                throw new StoreError('CORRUPT', `blob ${e.blob} has ${written} bytes, the tree says ${e.size}`);
            stage = 'write';
            fs.fchmodSync(fd, e.mode);
            fs.futimesSync(fd, seconds(e.mtime), seconds(e.mtime));
            const closing = fd;
            fd = -1;
            fs.closeSync(closing);
            fs.renameSync(tmp, path.join(dir, e.name));
            this.stats.files++;
            this.#currentPath = relPath;
            this.#progress.tick(() => this.progress());
        }
        catch (err) {
            if (fd >= 0)
                fs.closeSync(fd);
            fs.rmSync(tmp, { force: true });
            if (stage === 'read')
                this.#readFailed(relPath, err);
            else
                this.#writeFailed(relPath, err);
        }
    }
    /**
     * A blob's verified bytes. A one-chunk blob is that chunk, so one verified get serves it; going
     * through blobs.read would fetch the chunk twice (once for its manifest).
     */
    #content(e) {
        if (this.#store.objects.kind(e.blob) !== 'chunk')
            return this.#store.blobs.read(e.blob);
        const objects = this.#store.objects;
        return (async function* () {
            yield await objects.get(e.blob);
        })();
    }
    symlink(dir, relPath, e, depth) {
        if (!this.#allowUnsafe && !isContainedSymlink(e.target, depth)) {
            this.#problem(relPath, 'UNSAFE_SYMLINK', `refusing symlink to ${JSON.stringify(e.target)}: it points outside the target`);
            return;
        }
        const tmp = tempName(dir);
        try {
            fs.symlinkSync(e.target, tmp);
            fs.lutimesSync(tmp, seconds(e.mtime), seconds(e.mtime));
            fs.renameSync(tmp, path.join(dir, e.name)); // replaces a file or link of that name, never follows it
            this.stats.symlinks++;
        }
        catch (err) {
            fs.rmSync(tmp, { force: true });
            this.#writeFailed(relPath, err);
        }
    }
    /** The bytes below a tree, for progress totals; a subtree that cannot be read counts as empty here. */
    async sizeOf(id) {
        let entries;
        try {
            entries = (await this.#store.typed.getTree(id)).entries;
        }
        catch {
            return 0; // reported as a problem by the restore itself
        }
        let n = 0;
        for (const e of entries)
            n += e.kind === 'file' ? e.size : e.kind === 'dir' ? await this.sizeOf(e.tree) : 0;
        return n;
    }
}
function pathParts(relPath) {
    return (relPath ?? '').split('/').filter((p) => p !== '' && p !== '.');
}
/** The entry at `relPath` below the tree `root`; undefined for the root itself. */
async function locate(store, root, relPath) {
    const parts = pathParts(relPath);
    let entry;
    let tree = root;
    for (const [i, name] of parts.entries()) {
        const found = (await store.typed.getTree(tree)).entries.find((e) => e.name === name);
        if (!found || (i < parts.length - 1 && found.kind !== 'dir'))
            throw new WorktreeError('NO_SUCH_PATH', `no ${JSON.stringify(relPath)} in tree ${root}`);
        entry = found;
        if (found.kind === 'dir')
            tree = found.tree;
    }
    return entry;
}
/** Restores the tree (or the part of it at `opts.path`) into `opts.target`. */
export async function restoreTree(store, opts) {
    const target = path.resolve(opts.target);
    const entry = await locate(store, opts.tree, opts.path);
    try {
        fs.mkdirSync(target, { recursive: true });
    }
    catch (e) {
        throw new WorktreeError('WRITE_FAILED', `cannot create ${target}: ${errorMessage(e)}`, { cause: e });
    }
    if (!fs.statSync(target).isDirectory())
        throw new WorktreeError('NOT_A_DIRECTORY', `${target} is not a directory`);
    const parts = pathParts(opts.path);
    // A directory's entries are named below its path; a single file or link by its own name, below its parent.
    const base = (entry === undefined || entry.kind === 'dir' ? parts : parts.slice(0, -1)).join('/');
    const run = new RestoreRun(store, opts, base);
    try {
        if (entry === undefined || entry.kind === 'dir') {
            const tree = entry === undefined ? opts.tree : entry.tree;
            // Totals come from a second walk of the trees, beside the restore rather than before it.
            const sizing = run.progressEnabled ? run.sizeOf(tree).then((n) => { run.totalBytes = n; }, () => { }) : Promise.resolve();
            try {
                await (await run.restoreDir(tree, target, '', 0, undefined)).done;
            }
            finally {
                await sizing;
            }
        }
        else if (entry.kind === 'file') {
            run.totalBytes = entry.size;
            await (await run.startFile(target, entry.name, entry)).result;
        }
        else {
            run.symlink(target, entry.name, entry, 0);
        }
        run.finalProgress();
        return { stats: run.stats, problems: run.problems };
    }
    catch (e) {
        run.fail(e);
        await run.pool.drain();
        throw e;
    }
}
