// .lodeignore rules (worktree layer): gitignore semantics through the `ignore` package. A .lodeignore in
// a subdirectory applies below it, and a deeper file's last matching rule wins, as in git.
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { WorktreeError } from '../core/index.ts';

export const IGNORE_FILE = '.lodeignore';

export interface IgnoreMatcher {
  /** Whether `relPath` (slash-separated, relative to the matcher's root) is ignored. */
  ignores(relPath: string, isDir: boolean): boolean;
}

/** After this many lookups the package's per-path result cache is dropped, so memory stays bounded. */
const CACHE_RESET = 8192;

/** The rules of one .lodeignore file, relative to the directory that holds it. */
class RuleFile {
  readonly #patterns: string;
  #ig: Ignore;
  #lookups = 0;

  constructor(patterns: string) {
    this.#patterns = patterns;
    this.#ig = RuleFile.#compile(patterns);
  }

  static #compile(patterns: string): Ignore {
    // Linux names are case-sensitive, and so is git on Linux.
    return ignore({ ignorecase: false }).add(patterns);
  }

  /** true: ignored; false: re-included by a `!` rule; undefined: no rule matched. */
  verdict(relPath: string, isDir: boolean): boolean | undefined {
    if (++this.#lookups > CACHE_RESET) {
      this.#ig = RuleFile.#compile(this.#patterns);
      this.#lookups = 0;
    }
    const r = this.#ig.test(isDir ? `${relPath}/` : relPath);
    return r.ignored ? true : r.unignored ? false : undefined;
  }
}

/** A stack of rule files: one per directory that has a .lodeignore, from the root down. */
export class IgnoreRules implements IgnoreMatcher {
  readonly #parent: IgnoreRules | undefined;
  /** Where this level's rule file sits, relative to the root, with a trailing slash ('' for the root). */
  readonly #base: string;
  readonly #rules: RuleFile | undefined;

  private constructor(parent: IgnoreRules | undefined, base: string, rules: RuleFile | undefined) {
    this.#parent = parent;
    this.#base = base;
    this.#rules = rules;
  }

  static root(patterns: string | undefined): IgnoreRules {
    return new IgnoreRules(undefined, '', patterns === undefined ? undefined : new RuleFile(patterns));
  }

  /** The rules for the directory `relDir`, which holds a .lodeignore with `patterns`. */
  nested(relDir: string, patterns: string): IgnoreRules {
    return new IgnoreRules(this, `${relDir}/`, new RuleFile(patterns));
  }

  /** Whether any level has rules at all: most trees have none, and then the walk skips every lookup. */
  get empty(): boolean {
    return this.#rules === undefined && (this.#parent === undefined || this.#parent.empty);
  }

  ignores(relPath: string, isDir: boolean): boolean {
    return this.#verdict(relPath, isDir) ?? false;
  }

  #verdict(relPath: string, isDir: boolean): boolean | undefined {
    const own = this.#rules?.verdict(relPath.slice(this.#base.length), isDir);
    if (own !== undefined) return own;
    return this.#parent === undefined ? undefined : this.#parent.#verdict(relPath, isDir);
  }
}

/** Reads a .lodeignore in `dir`; undefined when there is none. */
export function readIgnoreFile(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, IGNORE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorktreeError('UNREADABLE', `cannot read ${path.join(dir, IGNORE_FILE)}: ${(e as Error).message}`, { cause: e });
  }
}

/** The rules of the .lodeignore at `root` (nested files are picked up by the snapshot walk). */
export function loadIgnore(root: string): IgnoreMatcher {
  return IgnoreRules.root(readIgnoreFile(root));
}
