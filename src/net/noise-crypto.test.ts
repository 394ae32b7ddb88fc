import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import { noiseCrypto } from './noise-crypto.ts';

const bytes = (b: Uint8Array | { subarray(): Uint8Array }): Buffer => Buffer.from(b instanceof Uint8Array ? b : b.subarray());

test('seals and opens exactly as the default implementation, at every size, both ways', () => {
  const k = randomBytes(32);
  const nonce = randomBytes(12);
  const ad = randomBytes(32);
  for (const size of [0, 100, 1199, 1200, 4096, 65_519]) {
    const plain = randomBytes(size);
    const ours = noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k);
    assert.deepEqual(bytes(ours), bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)), `${size} bytes`);
    assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Decrypt(bytes(ours), nonce, ad, k)), plain);
  }
});

test('a tampered message or another key fails to open; a key array given new bytes is used with them', () => {
  const k = randomBytes(32);
  const nonce = randomBytes(12);
  const ad = new Uint8Array(0);
  const plain = randomBytes(5000);
  const sealed = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k));
  const tampered = Buffer.from(sealed);
  tampered[10]! ^= 1;
  assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(tampered, nonce, ad, k));
  assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, randomBytes(32)));
  const other = randomBytes(32);
  k.set(other);
  assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k), 'the cached key of the old bytes is not reused');
  assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)), bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, other)));
});

test('a message that came in pieces is opened from the one-piece copy Noise passes as dst; a wrong one fails closed', () => {
  const k = randomBytes(32);
  const nonce = randomBytes(12);
  const ad = new Uint8Array(0);
  const plain = randomBytes(65_519);
  const sealed = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k));
  // A stand-in for a Uint8ArrayList: not a Uint8Array, gathered only by subarray().
  const list = { byteLength: sealed.length, subarray: (start?: number, end?: number) => sealed.subarray(start, end) } as unknown as Uint8Array;
  const dst = Buffer.from(sealed.subarray(0, sealed.length - 16));
  assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Decrypt(list, nonce, ad, k, dst)), plain);
  assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Decrypt(list, nonce, ad, k)), plain);
  assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(list, nonce, ad, k, Buffer.alloc(dst.length)));
});
