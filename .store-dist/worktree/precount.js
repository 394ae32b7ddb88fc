// A cheap pre-count of the files and bytes a snapshot will visit (worktree layer), for a progress bar's
// ETA. It runs beside the snapshot one directory per event-loop turn, and only when progress is shown.
import fs, {} from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IGNORE_FILE, readIgnoreFile } from "./ignore-rules.js";
/**
 * Counts regular files and their bytes below `root`, honouring the same ignore rules and leaving out
 * the store directory. Errors only make the count smaller: it is an estimate, never a report.
 */
export async function precount(root, rules, storeDir, stop) {
    const totals = { files: 0, bytes: 0 };
    const stack = [{ abs: root, rel: '', rules }];
    while (stack.length > 0 && !stop()) {
        const { abs, rel, rules: dirRules } = stack.pop();
        let names;
        try {
            names = fs.readdirSync(abs);
        }
        catch {
            continue;
        }
        let here = dirRules;
        if (rel !== '' && names.includes(IGNORE_FILE)) {
            try {
                here = dirRules.nested(rel, readIgnoreFile(abs) ?? '');
            }
            catch {
                // unreadable rules: counted as if there were none
            }
        }
        for (const name of names) {
            const relPath = rel === '' ? name : `${rel}/${name}`;
            const p = `${abs}/${name}`;
            let st;
            try {
                st = fs.lstatSync(p, { bigint: true });
            }
            catch {
                continue;
            }
            const isDir = st.isDirectory();
            if (!here.empty && here.ignores(relPath, isDir))
                continue;
            if (isDir) {
                if (!(storeDir && st.dev === storeDir.dev && st.ino === storeDir.ino))
                    stack.push({ abs: p, rel: relPath, rules: here });
            }
            else if (st.isFile()) {
                totals.files++;
                totals.bytes += Number(st.size);
            }
        }
        await nextTurn();
    }
    return totals;
}
