/** Newer first; equal times order by id, larger first, so the walk is the same on every node. */
function newer(a, b) {
    return a.commit.time !== b.commit.time ? a.commit.time > b.commit.time : a.id > b.id;
}
class Frontier {
    #items = [];
    get size() { return this.#items.length; }
    push(item) {
        const h = this.#items;
        h.push(item);
        let i = h.length - 1;
        while (i > 0) {
            const up = (i - 1) >> 1;
            if (!newer(h[i], h[up]))
                break;
            [h[i], h[up]] = [h[up], h[i]];
            i = up;
        }
    }
    pop() {
        const h = this.#items;
        const top = h[0];
        const last = h.pop();
        if (h.length === 0 || last === undefined)
            return top;
        h[0] = last;
        let i = 0;
        for (;;) {
            const l = 2 * i + 1;
            const r = l + 1;
            let best = i;
            if (l < h.length && newer(h[l], h[best]))
                best = l;
            if (r < h.length && newer(h[r], h[best]))
                best = r;
            if (best === i)
                break;
            [h[i], h[best]] = [h[best], h[i]];
            i = best;
        }
        return top;
    }
}
/** Every ancestor of `start` (itself included), newest first by (time, id), each commit once. */
export async function* walkLog(store, start, opts = {}) {
    const limit = opts.limit ?? Infinity;
    if (limit <= 0)
        return;
    const seen = new Set([start]);
    const frontier = new Frontier();
    frontier.push({ id: start, commit: await store.typed.getCommit(start) });
    let emitted = 0;
    for (let item = frontier.pop(); item !== undefined; item = frontier.pop()) {
        yield item;
        if (++emitted >= limit)
            return;
        for (const parent of item.commit.parents) {
            if (seen.has(parent))
                continue;
            seen.add(parent);
            frontier.push({ id: parent, commit: await store.typed.getCommit(parent) });
        }
    }
}
