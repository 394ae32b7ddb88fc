// BLAKE3, the hash of every id. Native through @napi-rs/blake-hash; hash-wasm when the native binary
// will not load. Both give b3sum's digests.
import type { Hash } from './ids.ts';
import { toHex } from './ids.ts';

export interface Hasher {
  update(data: Uint8Array): void;
  /** The 32-byte digest. The hasher must not be used afterwards. */
  digest(): Uint8Array;
}

interface Blake3Impl {
  readonly name: 'native' | 'wasm';
  hash(data: Uint8Array): Uint8Array;
  create(): Hasher;
}

async function loadNative(): Promise<Blake3Impl> {
  const mod = await import('@napi-rs/blake-hash');
  return {
    name: 'native',
    hash: (data) => mod.blake3(data),
    create: () => {
      const h = new mod.Blake3Hasher();
      return { update: (d) => void h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength)), digest: () => h.digestBuffer() };
    },
  };
}

export async function loadWasm(): Promise<Blake3Impl> {
  const { createBLAKE3 } = await import('hash-wasm');
  // A wasm instance is stateful and creating one is async, so one instance serves every hasher:
  // each hasher keeps its own saved state and swaps it in around each update.
  const wasm = await createBLAKE3();
  return {
    name: 'wasm',
    hash: (data) => wasm.init().update(data).digest('binary'),
    create: () => {
      let state = wasm.init().save();
      return {
        update: (d) => {
          wasm.load(state).update(d);
          state = wasm.save();
        },
        digest: () => wasm.load(state).digest('binary'),
      };
    },
  };
}

async function load(): Promise<Blake3Impl> {
  if (process.env.LODE_BLAKE3 === 'wasm') return loadWasm();
  try {
    return await loadNative();
  } catch {
    return loadWasm();
  }
}

const impl = await load();

export const blake3Implementation = impl.name;

export function blake3(data: Uint8Array): Uint8Array {
  return impl.hash(data);
}

export function blake3Hex<T extends Hash = Hash>(data: Uint8Array): T {
  return toHex(impl.hash(data)) as T;
}

export function createHasher(): Hasher {
  return impl.create();
}
