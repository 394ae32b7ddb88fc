// The core layer: ids, hashing, canonical codecs, object types, keys and errors. It imports nothing of lode's.
export * from './errors.ts';
export * from './ids.ts';
export * from './hash.ts';
export * from './cbor.ts';
export * from './objects.ts';
export * from './keys.ts';
export * as fields from './fields.ts';
export * from './branch-name.ts';
export * from './head-entry.ts';
export * from './base32.ts';
export * from './arena-ticket.ts';
