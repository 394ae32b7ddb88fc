import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeArenaTicket, encodeArenaTicket, TICKET_PREFIX } from './arena-ticket.ts';
import { decodeBase32, encodeBase32 } from './base32.ts';
import { encodeCbor } from './cbor.ts';
import { toHex, type ArenaId } from './ids.ts';
import { publicKeyOf } from './keys.ts';

const SECRET = new Uint8Array(32).fill(2);
const ID = toHex(publicKeyOf(SECRET)) as ArenaId;
// Version 1 of the ticket (docs/cli.md, `lode arena share`): these texts must keep decoding.
const READ_ONLY = 'lode1urqxiztunfrwwzlumf3acytjmrmcbajzo4hkq7ixl5lkgvdgyngh5tglrwfjdnhog6rf35qploh4tm4umrxgc3lfmzygq33un5zzk5ynlu';
const WRITABLE =
  'lode1uvqxiztunfrwwzlumf3acytjmrmcbajzo4hkq7ixl5lkgvdgyngh5tglrwfjdnhog6rf35qploh4tm4umjzwwwbaaibaeaqcaibaeaqcaibaeaqcaib' +
  'aeaqcaibaeaqcaibaeaqcaibgi3tbnvswm4din52g6442t56i6';

test('base32: RFC 4648 vectors (lowercase, no padding), strict decoding', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
  for (const [plain, coded] of vectors) {
    assert.equal(encodeBase32(Buffer.from(plain)), coded);
    assert.equal(Buffer.from(decodeBase32(coded)).toString(), plain);
  }
  for (const bad of ['m', 'MY', 'my=', 'mz', 'm1', 'mzxw6yr']) assert.throws(() => decodeBase32(bad), { code: 'BAD_ENCODING' }, bad);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
    assert.deepEqual(decodeBase32(encodeBase32(bytes)), bytes);
  }));
});

test('arena ticket: fixtures of version 1, with and without the write secret', () => {
  assert.equal(encodeArenaTicket({ id: ID, name: 'photos' }), READ_ONLY);
  assert.equal(encodeArenaTicket({ id: ID, name: 'photos', secretKey: SECRET }), WRITABLE);
  assert.deepEqual(decodeArenaTicket(READ_ONLY), { id: ID, name: 'photos' });
  const writable = decodeArenaTicket(WRITABLE);
  assert.equal(writable.id, ID);
  assert.deepEqual(writable.secretKey, SECRET);
});

test('arena ticket: malformed text is UsageError BAD_TICKET', () => {
  const body = (m: Record<string, unknown>) => TICKET_PREFIX + encodeBase32(encodeCbor(m));
  const bad = [
    '', 'lode1', 'lode2' + READ_ONLY.slice(5), READ_ONLY.toUpperCase(), READ_ONLY.slice(0, -1), READ_ONLY.slice(0, -8), `${READ_ONLY}a`,
    `${READ_ONLY} `, 'lode1!!!!', `lode1${'a'.repeat(600)}`,
    // Well-formed CBOR without the checksum.
    body({ t: 'ticket', v: 1, id: Buffer.from(ID, 'hex'), name: 'photos' }),
  ];
  for (const text of bad) assert.throws(() => decodeArenaTicket(text), { name: 'UsageError', code: 'BAD_TICKET' }, text);
  // Any one character changed is caught (by the alphabet, the padding bits or the checksum).
  fc.assert(fc.property(fc.integer({ min: TICKET_PREFIX.length, max: WRITABLE.length - 1 }), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), (pos, c) => {
    fc.pre(WRITABLE[pos] !== c);
    const text = WRITABLE.slice(0, pos) + c + WRITABLE.slice(pos + 1);
    assert.throws(() => decodeArenaTicket(text), { code: 'BAD_TICKET' });
  }), { numRuns: 300 });
});
