import { toHex } from "./ids.js";
async function loadNative() {
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
export async function loadWasm() {
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
async function load() {
    if (process.env.LODE_BLAKE3 === 'wasm')
        return loadWasm();
    try {
        return await loadNative();
    }
    catch {
        return loadWasm();
    }
}
const impl = await load();
export const blake3Implementation = impl.name;
export function blake3(data) {
    return impl.hash(data);
}
export function blake3Hex(data) {
    return toHex(impl.hash(data));
}
export function createHasher() {
    return impl.create();
}
