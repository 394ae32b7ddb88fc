// Where the store lives: `--store`, then LODE_STORE, then `store.path` in lode.toml, then the XDG data
// directory. The CLI decides the place; the store layer creates it on first use.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { blake3Hex } from '../core/index.ts';
import { configPath, type LodeConfig } from './config.ts';

export interface StoreLocation { dir: string; from: '--store' | 'LODE_STORE' | 'config' | 'default' }

export function locateStore(flag: string | undefined, config: LodeConfig, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (flag !== undefined && flag !== '') return { dir: resolve(configPath(flag, undefined)), from: '--store' };
  if (env.LODE_STORE !== undefined && env.LODE_STORE !== '') return { dir: resolve(configPath(env.LODE_STORE, undefined)), from: 'LODE_STORE' };
  if (config.store.path !== undefined) return { dir: configPath(config.store.path, config.file), from: 'config' };
  const data = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return { dir: join(data, 'lode'), from: 'default' };
}

/**
 * Where the store's disposable cache (the stat cache) lives: LODE_CACHE_DIR, else one folder per store
 * under the XDG cache directory, as restic keeps its cache in ~/.cache/restic. Deleting it costs speed only.
 */
export function cacheDirFor(storeDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.LODE_CACHE_DIR !== undefined && env.LODE_CACHE_DIR !== '') return resolve(env.LODE_CACHE_DIR);
  const cache = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'lode', blake3Hex(Buffer.from(resolve(storeDir))).slice(0, 16));
}
