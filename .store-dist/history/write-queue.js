const tails = new WeakMap();
export async function serialized(meta, fn) {
    const before = tails.get(meta) ?? Promise.resolve();
    const run = before.then(fn, fn);
    tails.set(meta, run.catch(() => undefined));
    return run;
}
