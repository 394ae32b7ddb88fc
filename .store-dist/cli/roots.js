import { listArenas, listBranches, readReflog } from "../history/index.js";
export function collectRoots(store) {
    const labels = new Map();
    const arenas = new Map();
    const add = (id, arena, label) => {
        const l = labels.get(id) ?? [];
        if (!l.includes(label))
            l.push(label);
        labels.set(id, l);
        const a = arenas.get(id) ?? [];
        if (!a.includes(arena))
            a.push(arena);
        arenas.set(id, a);
    };
    for (const arena of listArenas(store)) {
        for (const b of listBranches(store, arena.id))
            add(b.commit, arena.name, `${arena.name}@${b.name}`);
        for (const e of readReflog(store, arena.id)) {
            if (e.old !== null)
                add(e.old, arena.name, `${arena.name} reflog`);
            if (e.new !== null)
                add(e.new, arena.name, `${arena.name} reflog`);
        }
    }
    return { roots: [...labels.keys()], labels, arenas };
}
