// Noise's ChaCha20-Poly1305 through node:crypto with the session key kept as a KeyObject: the default
// implementation hands node:crypto the raw key for every message (at most 64 KiB each), and turning it into
// a key again costs about a third of the decryption of a full message. Net layer, used by transport.ts.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import type { ICryptoInterface } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';

/** A message as Noise hands it over: one array, or a list of them (a Uint8ArrayList). */
type Bytes = Parameters<ICryptoInterface['chaCha20Poly1305Encrypt']>[0];
type Sealed = ReturnType<ICryptoInterface['chaCha20Poly1305Encrypt']>;

const ALGORITHM = 'chacha20-poly1305';
const TAG_BYTES = 16;
/** Below this, the default (WebAssembly) implementation is the faster one (its own measurement). */
const NODE_FROM_BYTES = 1200;

/** One KeyObject per key array (a Noise cipher state keeps its key for the session), checked by content. */
const keys = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();

function keyOf(k: Uint8Array): KeyObject {
  const cached = keys.get(k);
  if (cached !== undefined && cached.bytes.equals(k)) return cached.key;
  const bytes = Buffer.from(k);
  const key = createSecretKey(bytes);
  keys.set(k, { bytes, key });
  return key;
}

function pieces(data: Bytes): Iterable<Uint8Array> {
  return data instanceof Uint8Array ? [data] : data;
}

function encrypt(plaintext: Bytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array): Sealed {
  if (plaintext.byteLength < NODE_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k);
  const cipher = createCipheriv(ALGORITHM, keyOf(k), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength });
  const out = Buffer.allocUnsafe(plaintext.byteLength + TAG_BYTES);
  let at = 0;
  for (const p of pieces(plaintext)) at += cipher.update(p).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

function decrypt(ciphertext: Bytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array, dst?: Uint8Array): Sealed {
  if (ciphertext.byteLength < NODE_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst);
  const textLength = ciphertext.byteLength - TAG_BYTES;
  const decipher = createDecipheriv(ALGORITHM, keyOf(k), nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(ad, { plaintextLength: textLength });
  decipher.setAuthTag(ciphertext.subarray(textLength));
  // Noise passes `dst`, the ciphertext without its tag in one piece, to be decrypted into in place; node
  // cannot, but reading from it spares gathering a ciphertext that came as a list of pieces.
  const text = ciphertext instanceof Uint8Array ? ciphertext.subarray(0, textLength) : dst?.byteLength === textLength ? dst : ciphertext.subarray(0, textLength);
  const out = decipher.update(text);
  const last = decipher.final();
  return last.byteLength === 0 ? out : Buffer.concat([out, last]);
}

export const noiseCrypto: ICryptoInterface = { ...defaultCrypto, chaCha20Poly1305Encrypt: encrypt, chaCha20Poly1305Decrypt: decrypt };
