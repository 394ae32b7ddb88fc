// Pid-based store locks in <store>/locks/: shared (open stores: snapshots, readers, writers) and exclusive
// (gc). A lock whose process is dead, or from an earlier boot, is stale and taken over. Store layer.
import { randomBytes } from 'node:crypto';
import { link, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { StoreError } from "../core/index.js";
const EXCLUSIVE = 'exclusive.lock';
const SHARED = /^shared-(\d+)-[0-9a-f]+\.lock$/;
function bootId() {
    try {
        return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    }
    catch {
        return '';
    }
}
const BOOT = bootId();
function me(kind) {
    return { pid: process.pid, host: hostname(), boot: BOOT, kind, since: Date.now() };
}
/** Whether the owner may still be running. Another host's lock cannot be checked, so it counts as live. */
export function isLive(owner) {
    // kill(0 or negative) would probe process groups: such a pid is never a live owner.
    if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0)
        return false;
    if (owner.host !== hostname())
        return true;
    if (owner.boot !== '' && BOOT !== '' && owner.boot !== BOOT)
        return false;
    try {
        process.kill(owner.pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
async function readOwner(file) {
    try {
        const o = JSON.parse(await readFile(file, 'utf8'));
        return typeof o.pid === 'number' ? o : undefined;
    }
    catch (e) {
        if (e.code === 'ENOENT')
            return undefined;
        // Lock files appear atomically (written aside, then linked), so an unreadable one is damage: no owner.
        return { pid: -1, host: hostname(), boot: '', kind: 'shared', since: 0 };
    }
}
function lockedError(owner, wanted) {
    return new StoreError('LOCKED', `the store is locked (${owner.kind}) by process ${owner.pid} on ${owner.host}; cannot take a ${wanted} lock`);
}
/** Creates `file` with the owner's record, whole or not at all; EEXIST if it exists. */
async function createLockFile(dir, file, owner) {
    const tmp = join(dir, `tmp-${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
    try {
        await link(tmp, file);
    }
    finally {
        await unlink(tmp).catch(() => { });
    }
}
function handle(file) {
    let released = false;
    return {
        file,
        async release() {
            if (released)
                return;
            released = true;
            await unlink(file).catch(() => { });
        },
    };
}
/** The live exclusive owner other than this process, removing a stale exclusive lock on the way. */
async function exclusiveHolder(dir) {
    const file = join(dir, EXCLUSIVE);
    const owner = await readOwner(file);
    if (!owner)
        return undefined;
    if (owner.pid === process.pid && owner.host === hostname())
        return undefined;
    if (isLive(owner))
        return owner;
    // Move the stale lock aside atomically, so two processes taking it over do not both delete a fresh one.
    const aside = join(dir, `stale-${randomBytes(6).toString('hex')}`);
    await rename(file, aside).then(() => unlink(aside), () => { });
    return undefined;
}
export async function acquireShared(dir) {
    const file = join(dir, `shared-${process.pid}-${randomBytes(6).toString('hex')}.lock`);
    await createLockFile(dir, file, me('shared'));
    // Write first, then look: with gc doing the reverse, at least one of the two sees the other.
    const holder = await exclusiveHolder(dir);
    if (holder) {
        await unlink(file).catch(() => { });
        throw lockedError(holder, 'shared');
    }
    return handle(file);
}
export async function acquireExclusive(dir) {
    const file = join(dir, EXCLUSIVE);
    for (let attempt = 0;; attempt++) {
        try {
            await createLockFile(dir, file, me('exclusive'));
            break;
        }
        catch (e) {
            if (e.code !== 'EEXIST')
                throw new StoreError('IO', `cannot create lock: ${e.message}`, { cause: e });
            const holder = await exclusiveHolder(dir);
            if (holder)
                throw lockedError(holder, 'exclusive');
            const own = await readOwner(file);
            if (own && own.pid === process.pid && own.host === hostname())
                throw new StoreError('LOCKED', 'this process already holds the exclusive lock');
            if (attempt > 5)
                throw new StoreError('LOCKED', 'could not take the exclusive lock: it keeps changing hands');
        }
    }
    try {
        for (const name of await readdir(dir)) {
            const m = SHARED.exec(name);
            if (!m)
                continue;
            const owner = await readOwner(join(dir, name));
            if (!owner)
                continue;
            if (owner.pid === process.pid && owner.host === hostname())
                continue;
            if (isLive(owner))
                throw lockedError(owner, 'exclusive');
            await unlink(join(dir, name)).catch(() => { });
        }
    }
    catch (e) {
        await unlink(file).catch(() => { });
        throw e;
    }
    return handle(file);
}
