// Where every benchmark script leaves its figures: bench/out/<kind>-<date>.json, with the date and the
// machine it ran on. Benchmark support only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** Writes `fields` with the date and the machine; returns the file's path. */
export function writeResults(kind: string, fields: Record<string, unknown>): string {
  const date = new Date().toISOString();
  const report = { date, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version }, ...fields };
  const dir = new URL('./out/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
