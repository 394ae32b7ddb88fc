// lode.toml: found, parsed with smol-toml and checked strictly. A malformed file is refused with the file,
// the field and the reason (UsageError BAD_CONFIG), never half-applied.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { UsageError } from "../core/index.js";
const HEX64 = /^[0-9a-f]{64}$/;
function isTable(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
/** Expands a leading `~` and resolves a relative path against the config file's directory. */
export function configPath(value, file) {
    const expanded = value === '~' ? homedir() : value.startsWith('~/') ? join(homedir(), value.slice(2)) : value;
    if (isAbsolute(expanded))
        return expanded;
    return resolve(file === undefined ? process.cwd() : dirname(file), expanded);
}
/** The config file to read: `--config`, then LODE_CONFIG, then `$XDG_CONFIG_HOME/lode/lode.toml` if it exists. */
export function findConfigFile(flag, env) {
    if (flag !== undefined && flag !== '')
        return { file: resolve(flag), explicit: true };
    if (env.LODE_CONFIG !== undefined && env.LODE_CONFIG !== '')
        return { file: resolve(env.LODE_CONFIG), explicit: true };
    const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
    const file = join(base, 'lode', 'lode.toml');
    return existsSync(file) ? { file, explicit: false } : undefined;
}
export function loadConfig(flag, env = process.env) {
    const found = findConfigFile(flag, env);
    if (found === undefined)
        return emptyConfig(undefined);
    let text;
    try {
        text = readFileSync(found.file, 'utf8');
    }
    catch (e) {
        const code = e.code;
        throw new UsageError('BAD_CONFIG', `config file ${found.file}: cannot read it (${code ?? 'error'})`, { cause: e });
    }
    return parseConfig(text, found.file);
}
export function parseConfig(text, file) {
    const where = file ?? 'lode.toml';
    let doc;
    try {
        doc = parse(text);
    }
    catch (e) {
        const at = e instanceof TomlError ? ` at line ${e.line}, column ${e.column}` : '';
        const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        throw new UsageError('BAD_CONFIG', `config file ${where}: not valid TOML${at}: ${reason}`, { cause: e });
    }
    const fail = (field, reason) => {
        throw new UsageError('BAD_CONFIG', `config file ${where}: field ${field}: ${reason}`);
    };
    const string = (v, field) => { if (typeof v !== 'string' || v === '')
        fail(field, 'expected a non-empty string'); };
    const strings = (v, field) => {
        if (!Array.isArray(v))
            fail(field, 'expected an array of strings');
        v.forEach((s, i) => string(s, `${field}[${i}]`));
    };
    const hex64 = (v, field) => { if (typeof v !== 'string' || !HEX64.test(v))
        fail(field, 'expected 64 lowercase hex digits'); };
    const policy = (v, field) => { if (v !== 'real' && v !== 'unreal')
        fail(field, 'expected "real" or "unreal"'); };
    const positiveInt = (v, field) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
            fail(field, 'expected a positive integer');
    };
    const quota = (v, field) => {
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0)
            return;
        if (typeof v === 'string' && /^\d+(\.\d+)?\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$/i.test(v))
            return;
        fail(field, 'expected a byte count such as 50GiB');
    };
    /** Checks a table against its fields: unknown keys are refused, required ones must be present. */
    const checkTable = (v, field, fields, required = []) => {
        if (!isTable(v))
            fail(field, 'expected a table');
        const t = v;
        for (const key of Object.keys(t)) {
            const check = fields[key];
            if (check === undefined)
                fail(`${field}.${key}`, `unknown key (known: ${Object.keys(fields).join(', ')})`);
            check(t[key], `${field}.${key}`);
        }
        for (const key of required)
            if (!(key in t))
                fail(`${field}.${key}`, 'missing');
    };
    const arrayOfTables = (v, field, fields, required) => {
        if (!Array.isArray(v))
            fail(field, `expected an array of tables ([[${field}]])`);
        v.forEach((t, i) => checkTable(t, `${field}[${i}]`, fields, required));
    };
    const sections = {
        store: (v, field) => checkTable(v, field, { path: string }),
        arenas: (v, field) => arrayOfTables(v, field, { name: string, id: hex64, path: string, default: policy, real: strings, unreal: strings }, ['name']),
        peers: (v, field) => arrayOfTables(v, field, { name: string, node_id: hex64, addrs: strings }, ['node_id']),
        network: (v, field) => checkTable(v, field, { listen: strings }),
        sync: (v, field) => checkTable(v, field, { enumerate_threshold: positiveInt }),
        cache: (v, field) => checkTable(v, field, { quota }),
    };
    for (const key of Object.keys(doc)) {
        const check = sections[key];
        if (check === undefined)
            fail(key, `unknown top-level key (known: ${Object.keys(sections).join(', ')})`);
        check(doc[key], key);
    }
    const config = emptyConfig(file);
    return {
        ...config,
        store: doc.store ?? config.store,
        arenas: doc.arenas ?? config.arenas,
        peers: doc.peers ?? config.peers,
        network: doc.network ?? config.network,
        sync: doc.sync ?? config.sync,
        cache: doc.cache ?? config.cache,
    };
}
function emptyConfig(file) {
    return { file, store: {}, arenas: [], peers: [], network: {}, sync: {}, cache: {} };
}
