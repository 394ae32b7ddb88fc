// Builds the datasets of the history benchmark (bench/history.ts): a long lode arena made through the
// history API against a real disk store, the same history as a git repository (git fast-import), and
// many-file trees. Benchmark support only; nothing here is timed.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareNames, type CommitId, type TreeEntry } from '../src/core/index.ts';
import { createArena, createCommit, moveBranch } from '../src/history/index.ts';
import { openStore } from '../src/store/index.ts';

/** Commit times: one minute apart from a fixed start, the same for lode and git. */
const START_SEC = 1_700_000_000;
const MTIME = { sec: START_SEC, nsec: 0 };

function fileText(i: number): string {
  return `commit ${i}\n`;
}

/**
 * An arena `name` whose branch main holds `n` commits in a line. Commit i has a two-file tree (a fixed
 * README and `counter.txt` holding i) and the message "commit i", so each commit has its own tree and blob.
 */
export async function buildLodeHistory(storeDir: string, name: string, n: number): Promise<void> {
  const store = await openStore(storeDir, { cacheDir: join(storeDir, 'cache') });
  try {
    const arena = await createArena(store, name);
    const readme = await blobEntry(store, 'README', 'a benchmark arena\n');
    let parent: CommitId | undefined;
    for (let i = 1; i <= n; i++) {
      const counter = await blobEntry(store, 'counter.txt', fileText(i));
      const tree = await store.typed.putTree({ entries: [readme, counter].sort((a, b) => compareNames(a.name, b.name)) });
      parent = await createCommit(store, { tree, parents: parent === undefined ? [] : [parent], message: `commit ${i}`, time: (START_SEC + 60 * i) * 1000 });
    }
    if (parent !== undefined) await moveBranch(store, arena.id, 'main', parent, { command: 'bench/history-fixtures.ts', reason: `${n} commits` });
  } finally {
    await store.close();
  }
}

async function blobEntry(store: Awaited<ReturnType<typeof openStore>>, name: string, content: string): Promise<TreeEntry> {
  const bytes = Buffer.from(content);
  const { id, size } = await store.blobs.write((async function* () { yield bytes; })());
  return { kind: 'file', name, mode: 0o644, mtime: MTIME, size, blob: id };
}

/** The same history as a git repository in `dir`: git fast-import, branch main, one author. */
export async function buildGitHistory(dir: string, n: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await run('git', ['init', '-q', '-b', 'main', dir]);
  const parts: string[] = [];
  const readme = 'a benchmark arena\n';
  for (let i = 1; i <= n; i++) {
    const text = fileText(i);
    const message = `commit ${i}`;
    const when = `${START_SEC + 60 * i} +0000`;
    parts.push('commit refs/heads/main\n', `committer Bench <bench@example.org> ${when}\n`,
      `data ${Buffer.byteLength(message)}\n${message}\n`);
    if (i === 1) parts.push(`M 100644 inline README\ndata ${Buffer.byteLength(readme)}\n${readme}\n`);
    parts.push(`M 100644 inline counter.txt\ndata ${Buffer.byteLength(text)}\n${text}\n`);
  }
  await run('git', ['-C', dir, 'fast-import', '--quiet'], parts.join(''));
}

/**
 * A tree of `dirs` directories of `filesPerDir` small files each (`d0000/f000.txt` …), with distinct
 * contents, for status and checkout.
 */
export function writeManyFiles(root: string, dirs: number, filesPerDir: number): void {
  for (let d = 0; d < dirs; d++) {
    const dir = join(root, `d${String(d).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < filesPerDir; f++) writeFileSync(join(dir, `f${String(f).padStart(3, '0')}.txt`), `file ${d}/${f}\n`);
  }
}

/** git with its default settings: no system or user config changes what is measured. */
export const GIT_DEFAULTS = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

/** Runs a command to completion; rejects with its stderr on a non-zero exit. */
export function run(cmd: string, args: string[], input?: string, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...GIT_DEFAULTS } });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err.slice(-2000)}`))));
    // A child that dies early closes its stdin: its exit status tells, not an EPIPE here.
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin!.end(input);
  });
}
