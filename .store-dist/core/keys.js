// ed25519 keypairs for nodes and arenas, from node:crypto. A public key's hex is the node or arena id.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { FormatError } from "./errors.js";
// DER prefixes of PKCS#8 and SPKI for ed25519: the raw 32-byte key follows them.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export function generateKeypair() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return {
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length),
        secretKey: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length),
    };
}
function privateKeyObject(secret) {
    if (secret.length !== 32)
        throw new FormatError('BAD_KEY', 'an ed25519 secret key is 32 bytes');
    return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}
function publicKeyObject(pub) {
    if (pub.length !== 32)
        throw new FormatError('BAD_KEY', 'an ed25519 public key is 32 bytes');
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
}
export function publicKeyOf(secret) {
    return createPublicKey(privateKeyObject(secret)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}
export function signBytes(secret, message) {
    return sign(null, message, privateKeyObject(secret));
}
export function verifyBytes(pub, message, signature) {
    if (signature.length !== 64)
        return false;
    return verify(null, message, publicKeyObject(pub), signature);
}
