// Small files written durably (temp file, fsync, rename, fsync of the directory) and directory fsync.
// Used for the store's config and identity, and by pack writers. Store layer, disk side.
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
export async function syncDir(dir) {
    const fh = await open(dir, 'r');
    try {
        await fh.sync();
    }
    finally {
        await fh.close();
    }
}
/** Writes `path` so that after a crash it holds either its old content or all of `data`. */
export async function writeFileDurable(path, data, mode) {
    const tmp = join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', mode);
    try {
        await fh.writeFile(data);
        await fh.sync();
    }
    catch (e) {
        await fh.close();
        await unlink(tmp).catch(() => { });
        throw e;
    }
    await fh.close();
    await rename(tmp, path);
    await syncDir(dirname(path));
}
