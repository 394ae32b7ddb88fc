// The three systems under test, each as the commands that init a repository, snapshot, and restore.
// lode runs through its CLI; restic and borg are the Debian packages. Settings are stated in README.md.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './measure.ts';

export type ToolName = 'lode' | 'restic' | 'borg';

export interface Tool {
  name: ToolName;
  /** Undefined when usable, else why the tool is skipped. */
  unavailable(): string | undefined;
  version(): Command;
  init(repo: string): Command | undefined;
  snapshot(repo: string, source: string, n: number): Command;
  /** Restores snapshot number `n` (the latest). */
  restore(repo: string, target: string, n: number): Command;
  /** borg extracts into its working directory, which must exist; the others create the target. */
  restoreIntoExistingDir: boolean;
  /** Where the restored copy of `source` lands under `target`. */
  restoredRoot(target: string, source: string): string;
  settings: string;
}

const ROOT = new URL('..', import.meta.url).pathname;
export const LODE_BIN = join(ROOT, 'bin/lode.js');
const LODE_BUILT = join(ROOT, 'dist/cli/main.js');
/** `--lode-from-source` runs the TypeScript entry point directly (Node 24 strips types; slower start). */
const LODE_SOURCE = join(ROOT, 'src/cli/main.ts');

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, cmd)));
}

export function makeTools(work: string, lodeFromSource = false): Record<ToolName, Tool> {
  const lode = lodeFromSource ? LODE_SOURCE : LODE_BIN;
  const resticEnv = { RESTIC_PASSWORD: 'lode-bench', RESTIC_CACHE_DIR: join(work, 'restic-cache') };
  // Each tool keeps its local cache in the work dir, outside the repository it is measured by.
  const lodeEnv = { LODE_CACHE_DIR: join(work, 'lode-cache') };
  // BORG_BASE_DIR keeps borg's cache, keys and security dirs inside the bench's temp dir.
  const borgEnv = { BORG_PASSPHRASE: 'lode-bench', BORG_BASE_DIR: join(work, 'borg-base') };
  return {
    lode: {
      name: 'lode',
      settings: `CLI \`node ${lodeFromSource ? 'src/cli/main.ts' : 'bin/lode.js'}\`, default settings (zstd-3, FastCDC 256K/1M/4M), unencrypted, stat cache in the work dir (LODE_CACHE_DIR)`,
      unavailable: () => {
        if (lodeFromSource) return existsSync(LODE_SOURCE) ? undefined : `lode CLI source ${LODE_SOURCE} is missing`;
        return existsSync(LODE_BUILT) ? undefined : `lode CLI not built (${LODE_BUILT} is missing): run \`npm run build\``;
      },
      version: () => ({ cmd: process.execPath, args: [lode, '--version'] }),
      init: () => undefined, // the first snapshot creates the store and the arena
      snapshot: (repo, source) => ({ cmd: process.execPath, args: [lode, '--store', repo, 'snapshot', source, '--arena', 'bench'], env: lodeEnv }),
      restore: (repo, target) => ({ cmd: process.execPath, args: [lode, '--store', repo, 'restore', 'bench', target], env: lodeEnv }),
      restoredRoot: (target) => target,
      restoreIntoExistingDir: false,
    },
    restic: {
      name: 'restic',
      settings: 'repository format "stable" (v2), default compression `auto`, AES-256 encryption, cache in the temp dir',
      unavailable: () => (onPath('restic') ? undefined : 'restic is not installed (apt-get install restic)'),
      version: () => ({ cmd: 'restic', args: ['version'] }),
      init: (repo) => ({ cmd: 'restic', args: ['-r', repo, 'init'], env: resticEnv }),
      snapshot: (repo, source) => ({ cmd: 'restic', args: ['-r', repo, 'backup', '--host', 'bench', source], env: resticEnv }),
      restore: (repo, target) => ({ cmd: 'restic', args: ['-r', repo, 'restore', 'latest', '--target', target], env: resticEnv }),
      restoredRoot: (target, source) => join(target, source),
      restoreIntoExistingDir: false,
    },
    borg: {
      name: 'borg',
      settings: 'borg 1.x, `--compression zstd,3`, `--encryption repokey` (AES-CTR + HMAC-SHA256), cache in the temp dir',
      unavailable: () => (onPath('borg') ? undefined : 'borg is not installed (apt-get install borgbackup)'),
      version: () => ({ cmd: 'borg', args: ['--version'] }),
      init: (repo) => ({ cmd: 'borg', args: ['init', '--encryption', 'repokey', repo], env: borgEnv }),
      snapshot: (repo, source, n) => ({ cmd: 'borg', args: ['create', '--compression', 'zstd,3', `${repo}::snap-${n}`, source], env: borgEnv }),
      // borg extracts into the working directory, paths without their leading slash.
      restore: (repo, target, n) => ({ cmd: 'borg', args: ['extract', `${repo}::snap-${n}`], cwd: target, env: borgEnv }),
      restoredRoot: (target, source) => join(target, source.replace(/^\/+/, '')),
      restoreIntoExistingDir: true,
    },
  };
}
