// The core layer: ids, hashing, canonical codecs, object types, keys and errors. It imports nothing of lode's.
export * from "./errors.js";
export * from "./ids.js";
export * from "./hash.js";
export * from "./cbor.js";
export * from "./objects.js";
export * from "./keys.js";
export * as fields from "./fields.js";
