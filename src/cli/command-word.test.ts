// program.ts loads only the module of the command being run: the word it picks out of argv decides which.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProgram, commandWord } from './program.ts';

test('commandWord skips global options and the values of --store and --config', () => {
  assert.equal(commandWord(['log', 'a']), 'log');
  assert.equal(commandWord(['--store', 'log', 'status']), 'status');
  assert.equal(commandWord(['--json', '-q', '--config', 'x.toml', 'ls', 'a']), 'ls');
  assert.equal(commandWord(['--store=log', 'cat', 'a']), 'cat');
  assert.equal(commandWord(['--', 'diff']), 'diff');
  assert.equal(commandWord(['--help']), undefined);
  assert.equal(commandWord([]), undefined);
});

test('buildProgram registers only the command run, and every command for help or an unknown word', async () => {
  const names = async (args: string[]): Promise<string[]> =>
    (await buildProgram({ status: 0 }, ['node', 'lode', ...args])).commands.map((c) => c.name());
  assert.deepEqual(await names(['--store', 's', 'log', 'a']), ['log']);
  const all = await names(['--help']);
  assert.ok(all.length > 15 && all.includes('log') && all.includes('snapshot') && all.includes('gc'), all.join(' '));
  assert.deepEqual(await names(['lgo']), all, 'an unknown word gets every command, for the "did you mean" hint');
});
