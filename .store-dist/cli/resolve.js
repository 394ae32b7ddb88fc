import { requireArena, resolveRevision } from "../history/index.js";
export async function resolveSpec(store, spec) {
    const arena = requireArena(store, spec.arena);
    const id = await resolveRevision(store, arena, spec.rev);
    return { arena, id, commit: await store.typed.getCommit(id) };
}
