// lode.toml: found, parsed with smol-toml and checked strictly. A malformed file is refused with the file,
// the field and the reason (UsageError BAD_CONFIG), never half-applied.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { UsageError } from '../core/index.ts';

export interface ArenaConfig {
  name: string;
  id?: string;
  path?: string;
  default?: 'real' | 'unreal';
  real?: string[];
  unreal?: string[];
}
export interface PeerConfig { name?: string; node_id: string; addrs?: string[] }

export interface LodeConfig {
  /** The file it came from; undefined when no config file exists. */
  file: string | undefined;
  store: { path?: string };
  arenas: ArenaConfig[];
  peers: PeerConfig[];
  network: { listen?: string[] };
  sync: { enumerate_threshold?: number; inactive_after?: string };
  cache: { quota?: string | number };
  history: { reflog_expire?: string };
}

/** How long reflog rows live when lode.toml does not say (`history.reflog_expire`). */
export const DEFAULT_REFLOG_EXPIRE = '30d';
const HOUR_MS = 60 * 60 * 1000;
const EXPIRY = /^(\d{1,6})([dh])$/;

/** `Nd` or `Nh` as milliseconds, `never` as Infinity; undefined when the text is neither. */
export function parseExpiry(text: string): number | undefined {
  if (text === 'never') return Infinity;
  const m = EXPIRY.exec(text);
  if (m === null) return undefined;
  return Number(m[1]) * (m[2] === 'd' ? 24 * HOUR_MS : HOUR_MS);
}

/** The configured reflog age limit in milliseconds (Infinity: never expire). The loader checked it. */
export function reflogExpireMs(config: LodeConfig): number {
  const ms = parseExpiry(config.history.reflog_expire ?? DEFAULT_REFLOG_EXPIRE);
  if (ms === undefined) throw new UsageError('BAD_CONFIG', `config file ${config.file ?? 'lode.toml'}: field history.reflog_expire: expected Nd, Nh or "never"`);
  return ms;
}

/** How long a peer may stay away before it is marked inactive (`sync.inactive_after`). */
export const DEFAULT_INACTIVE_AFTER = '7d';

/** `Nd` or `Nh` with N > 0, as milliseconds; undefined otherwise ("never" is refused: a peer gone for good must not pin the change log). */
function parseInactiveAfter(text: string): number | undefined {
  const ms = text === 'never' ? undefined : parseExpiry(text);
  return ms === undefined || ms <= 0 ? undefined : ms;
}

/** The configured peer inactivity limit in milliseconds, for SyncNode's inactiveAfterMs. The loader checked it. */
export function inactiveAfterMs(config: LodeConfig): number {
  const ms = parseInactiveAfter(config.sync.inactive_after ?? DEFAULT_INACTIVE_AFTER);
  if (ms === undefined) throw new UsageError('BAD_CONFIG', `config file ${config.file ?? 'lode.toml'}: field sync.inactive_after: expected Nd or Nh`);
  return ms;
}

type Table = Record<string, unknown>;
type FieldCheck = (value: unknown, field: string) => void;

const HEX64 = /^[0-9a-f]{64}$/;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Expands a leading `~` and resolves a relative path against the config file's directory. */
export function configPath(value: string, file: string | undefined): string {
  const expanded = value === '~' ? homedir() : value.startsWith('~/') ? join(homedir(), value.slice(2)) : value;
  if (isAbsolute(expanded)) return expanded;
  return resolve(file === undefined ? process.cwd() : dirname(file), expanded);
}

/** The config file to read: `--config`, then LODE_CONFIG, then `$XDG_CONFIG_HOME/lode/lode.toml` if it exists. */
export function findConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv): { file: string; explicit: boolean } | undefined {
  if (flag !== undefined && flag !== '') return { file: resolve(flag), explicit: true };
  if (env.LODE_CONFIG !== undefined && env.LODE_CONFIG !== '') return { file: resolve(env.LODE_CONFIG), explicit: true };
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  const file = join(base, 'lode', 'lode.toml');
  return existsSync(file) ? { file, explicit: false } : undefined;
}

export function loadConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LodeConfig {
  const found = findConfigFile(flag, env);
  if (found === undefined) return emptyConfig(undefined);
  let text: string;
  try {
    text = readFileSync(found.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('BAD_CONFIG', `config file ${found.file}: cannot read it (${code ?? 'error'})`, { cause: e });
  }
  return parseConfig(text, found.file);
}

export function parseConfig(text: string, file: string | undefined): LodeConfig {
  const where = file ?? 'lode.toml';
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    const at = e instanceof TomlError ? ` at line ${e.line}, column ${e.column}` : '';
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new UsageError('BAD_CONFIG', `config file ${where}: not valid TOML${at}: ${reason}`, { cause: e });
  }
  const fail = (field: string, reason: string): never => {
    throw new UsageError('BAD_CONFIG', `config file ${where}: field ${field}: ${reason}`);
  };

  const string: FieldCheck = (v, field) => { if (typeof v !== 'string' || v === '') fail(field, 'expected a non-empty string'); };
  const strings: FieldCheck = (v, field) => {
    if (!Array.isArray(v)) fail(field, 'expected an array of strings');
    (v as unknown[]).forEach((s, i) => string(s, `${field}[${i}]`));
  };
  const hex64: FieldCheck = (v, field) => { if (typeof v !== 'string' || !HEX64.test(v)) fail(field, 'expected 64 lowercase hex digits'); };
  const policy: FieldCheck = (v, field) => { if (v !== 'real' && v !== 'unreal') fail(field, 'expected "real" or "unreal"'); };
  const positiveInt: FieldCheck = (v, field) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(field, 'expected a positive integer');
  };
  const quota: FieldCheck = (v, field) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return;
    if (typeof v === 'string' && /^\d+(\.\d+)?\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$/i.test(v)) return;
    fail(field, 'expected a byte count such as 50GiB');
  };
  const inactiveAfter: FieldCheck = (v, field) => {
    if (typeof v !== 'string' || parseInactiveAfter(v) === undefined) fail(field, 'expected an age such as "7d" or "12h"');
  };
  const expiry: FieldCheck = (v, field) => {
    if (typeof v !== 'string' || parseExpiry(v) === undefined) fail(field, 'expected an age such as "30d" or "12h", or "never"');
  };

  /** Checks a table against its fields: unknown keys are refused, required ones must be present. */
  const checkTable = (v: unknown, field: string, fields: Record<string, FieldCheck>, required: string[] = []): void => {
    if (!isTable(v)) fail(field, 'expected a table');
    const t = v as Table;
    for (const key of Object.keys(t)) {
      const check = fields[key];
      if (check === undefined) fail(`${field}.${key}`, `unknown key (known: ${Object.keys(fields).join(', ')})`);
      check!(t[key], `${field}.${key}`);
    }
    for (const key of required) if (!(key in t)) fail(`${field}.${key}`, 'missing');
  };
  const arrayOfTables = (v: unknown, field: string, fields: Record<string, FieldCheck>, required: string[]): void => {
    if (!Array.isArray(v)) fail(field, `expected an array of tables ([[${field}]])`);
    (v as unknown[]).forEach((t, i) => checkTable(t, `${field}[${i}]`, fields, required));
  };

  const sections: Record<string, FieldCheck> = {
    store: (v, field) => checkTable(v, field, { path: string }),
    arenas: (v, field) => arrayOfTables(v, field, { name: string, id: hex64, path: string, default: policy, real: strings, unreal: strings }, ['name']),
    peers: (v, field) => arrayOfTables(v, field, { name: string, node_id: hex64, addrs: strings }, ['node_id']),
    network: (v, field) => checkTable(v, field, { listen: strings }),
    sync: (v, field) => checkTable(v, field, { enumerate_threshold: positiveInt, inactive_after: inactiveAfter }),
    cache: (v, field) => checkTable(v, field, { quota }),
    history: (v, field) => checkTable(v, field, { reflog_expire: expiry }),
  };
  for (const key of Object.keys(doc)) {
    const check = sections[key];
    if (check === undefined) fail(key, `unknown top-level key (known: ${Object.keys(sections).join(', ')})`);
    check!(doc[key], key);
  }

  const config = emptyConfig(file);
  return {
    ...config,
    store: (doc.store as LodeConfig['store'] | undefined) ?? config.store,
    arenas: (doc.arenas as ArenaConfig[] | undefined) ?? config.arenas,
    peers: (doc.peers as PeerConfig[] | undefined) ?? config.peers,
    network: (doc.network as LodeConfig['network'] | undefined) ?? config.network,
    sync: (doc.sync as LodeConfig['sync'] | undefined) ?? config.sync,
    cache: (doc.cache as LodeConfig['cache'] | undefined) ?? config.cache,
    history: (doc.history as LodeConfig['history'] | undefined) ?? config.history,
  };
}

function emptyConfig(file: string | undefined): LodeConfig {
  return { file, store: {}, arenas: [], peers: [], network: {}, sync: {}, cache: {}, history: {} };
}
