// Where the store lives: `--store`, then LODE_STORE, then `store.path` in lode.toml, then the XDG data
// directory. The CLI decides the place; the store layer creates it on first use.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { configPath } from "./config.js";
export function locateStore(flag, config, env = process.env) {
    if (flag !== undefined && flag !== '')
        return { dir: resolve(configPath(flag, undefined)), from: '--store' };
    if (env.LODE_STORE !== undefined && env.LODE_STORE !== '')
        return { dir: resolve(configPath(env.LODE_STORE, undefined)), from: 'LODE_STORE' };
    if (config.store.path !== undefined)
        return { dir: configPath(config.store.path, config.file), from: 'config' };
    const data = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
    return { dir: join(data, 'lode'), from: 'default' };
}
