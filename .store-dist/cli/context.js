import { openStore } from "../store/index.js";
import { loadConfig } from "./config.js";
import { Output } from "./output.js";
import { createProgress } from "./progress.js";
import { locateStore } from "./store-location.js";
export class Context {
    opts;
    env;
    out;
    abort = new AbortController();
    trapping = false;
    configCache;
    store;
    onSignal = () => {
        if (this.abort.signal.aborted)
            process.exit(130);
        this.out.warn('lode: interrupted; stopping (press Ctrl-C again to quit at once)');
        this.abort.abort();
    };
    constructor(opts, env = process.env) {
        this.opts = opts;
        this.env = env;
        this.out = new Output({ json: opts.json, quiet: opts.quiet, env });
    }
    /**
     * For work that can stop cleanly (a snapshot): the first Ctrl-C aborts through the returned signal, a
     * second one exits at once. Other commands keep Node's default, an immediate exit, which the store's
     * crash safety makes harmless.
     */
    interruptible() {
        if (!this.trapping) {
            this.trapping = true;
            process.on('SIGINT', this.onSignal);
            process.on('SIGTERM', this.onSignal);
        }
        return this.abort.signal;
    }
    config() {
        this.configCache ??= loadConfig(this.opts.config, this.env);
        return this.configCache;
    }
    storeLocation() {
        return locateStore(this.opts.store, this.config(), this.env);
    }
    /** Opens (and on first use creates) the store; later calls return the same one. */
    async openStore() {
        if (this.store === undefined) {
            const { dir } = this.storeLocation();
            this.store = await openStore(dir);
        }
        return this.store;
    }
    progress(label, unit = 'bytes') {
        return createProgress(label, { json: this.opts.json, quiet: this.opts.quiet, env: this.env, unit });
    }
    async close() {
        if (this.trapping) {
            process.off('SIGINT', this.onSignal);
            process.off('SIGTERM', this.onSignal);
        }
        const store = this.store;
        this.store = undefined;
        if (store !== undefined)
            await store.close();
    }
}
