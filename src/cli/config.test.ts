// Unit tests of lode.toml checking and of where the store is found.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inactiveAfterMs, parseConfig, parseExpiry, reflogExpireMs } from './config.ts';
import { locateStore } from './store-location.ts';

test('a full config from DESIGN.md is accepted', () => {
  const config = parseConfig(`
[store]
path = "./data"

[[arenas]]
name = "photos"
id = "${'ab'.repeat(32)}"
path = "~/Photos"
default = "unreal"
real = ["2026/", "favorites/"]

[[peers]]
name = "laptop"
node_id = "${'cd'.repeat(32)}"
addrs = ["/ip4/192.0.2.7/tcp/4100"]

[network]
listen = ["/ip4/0.0.0.0/tcp/4100"]

[sync]
enumerate_threshold = 8

[cache]
quota = "50GiB"
`, '/etc/lode/lode.toml');
  assert.equal(config.store.path, './data');
  assert.equal(config.arenas[0]?.name, 'photos');
  assert.equal(config.peers[0]?.addrs?.[0], '/ip4/192.0.2.7/tcp/4100');
});

const refused: [string, string][] = [
  ['x = ', 'not valid TOML'],
  ['[daemon]\nport = 1\n', 'field daemon: unknown top-level key'],
  ['[store]\npath = ""\n', 'field store.path: expected a non-empty string'],
  ['store = 3\n', 'field store: expected a table'],
  ['arenas = { name = "x" }\n', 'field arenas: expected an array of tables'],
  ['[[arenas]]\nname = "x"\ndefault = "maybe"\n', 'field arenas[0].default'],
  ['[[peers]]\nnode_id = "AB"\n', 'field peers[0].node_id'],
  ['[cache]\nquota = "lots"\n', 'field cache.quota'],
  ['[history]\nreflog_expire = "30 days"\n', 'field history.reflog_expire'],
  ['[history]\nreflog_expire = 30\n', 'field history.reflog_expire'],
  ['[history]\nreflog_expire = "-1d"\n', 'field history.reflog_expire'],
  ['[history]\nkeep = "30d"\n', 'field history.keep'],
  ['[sync]\ninactive_after = "7 days"\n', 'field sync.inactive_after'],
  ['[sync]\ninactive_after = "never"\n', 'field sync.inactive_after'],
  ['[sync]\ninactive_after = "0h"\n', 'field sync.inactive_after'],
  ['[sync]\ninactive_after = 7\n', 'field sync.inactive_after'],
];
for (const [text, reason] of refused) {
  test(`refuses ${JSON.stringify(text)} naming the file and ${reason}`, () => {
    assert.throws(() => parseConfig(text, '/etc/lode/lode.toml'), (e: { code?: string; message: string }) => {
      return e.code === 'BAD_CONFIG' && e.message.includes('/etc/lode/lode.toml') && e.message.includes(reason);
    });
  });
}

test('store location precedence: flag, LODE_STORE, store.path relative to the config, XDG, home', () => {
  const config = parseConfig('[store]\npath = "data"\n', '/etc/lode/lode.toml');
  const none = parseConfig('', undefined);
  assert.equal(locateStore('/s', config, { LODE_STORE: '/e' }).dir, '/s');
  assert.equal(locateStore(undefined, config, { LODE_STORE: '/e' }).dir, '/e');
  assert.equal(locateStore(undefined, config, {}).dir, '/etc/lode/data');
  assert.equal(locateStore(undefined, parseConfig('[store]\npath = "~/x"\n', '/etc/lode.toml'), {}).dir, join(homedir(), 'x'));
  assert.equal(locateStore(undefined, none, { XDG_DATA_HOME: '/xdg' }).dir, '/xdg/lode');
  assert.equal(locateStore(undefined, none, {}).dir, join(homedir(), '.local', 'share', 'lode'));
});

test('history.reflog_expire: Nd, Nh or never; 30 days when absent', () => {
  const hour = 60 * 60 * 1000;
  assert.equal(reflogExpireMs(parseConfig('', undefined)), 30 * 24 * hour);
  assert.equal(reflogExpireMs(parseConfig('[history]\nreflog_expire = "7d"\n', undefined)), 7 * 24 * hour);
  assert.equal(reflogExpireMs(parseConfig('[history]\nreflog_expire = "12h"\n', undefined)), 12 * hour);
  assert.equal(reflogExpireMs(parseConfig('[history]\nreflog_expire = "0h"\n', undefined)), 0);
  assert.equal(reflogExpireMs(parseConfig('[history]\nreflog_expire = "never"\n', undefined)), Infinity);
  assert.equal(parseExpiry('1w'), undefined);
  assert.equal(parseExpiry(''), undefined);
});

test('sync.inactive_after: Nd or Nh; 7 days when absent', () => {
  const hour = 60 * 60 * 1000;
  assert.equal(inactiveAfterMs(parseConfig('', undefined)), 7 * 24 * hour);
  assert.equal(inactiveAfterMs(parseConfig('[sync]\ninactive_after = "2d"\n', undefined)), 2 * 24 * hour);
  assert.equal(inactiveAfterMs(parseConfig('[sync]\ninactive_after = "36h"\nenumerate_threshold = 8\n', undefined)), 36 * hour);
});
