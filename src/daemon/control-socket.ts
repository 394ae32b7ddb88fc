// The daemon's control socket: a unix socket `<store>/daemon.sock` (mode 0600) that speaks JSON lines,
// one request and one reply per line. The CLI asks it for status and tells it when branches moved.
// Daemon layer; a stale socket left by a killed daemon is detected (nobody answers) and replaced.
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { NetError, isLodeError } from '../core/index.ts';

export const CONTROL_SOCKET_NAME = 'daemon.sock';
/** A request line longer than this closes the connection: the control protocol has only small requests. */
const MAX_LINE_BYTES = 64 * 1024;
/** The longest wait-branch a caller may ask for: a day. */
export const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

export type ControlRequest =
  | { op: 'status' }
  | { op: 'refs-changed' }
  /** What changed in the worktree at `root` since `since` (a token of an earlier answer): `{ token, dirs }`. */
  | { op: 'worktree-changes'; root: string; since?: string }
  /** Replies once the branch of `arena` (id or name) is at `commit`, or WAIT_TIMEOUT after `timeout_ms`. */
  | { op: 'wait-branch'; arena: string; branch: string; commit: string; timeout_ms: number };
export type ControlReply = { ok: true; [field: string]: unknown } | { ok: false; code: string; message: string };
export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

export function controlSocketPath(storeDir: string): string {
  return join(storeDir, CONTROL_SOCKET_NAME);
}

export interface ControlServer { readonly path: string; close(): Promise<void> }

/**
 * Listens on `path`. A socket there that answers belongs to a running daemon (DAEMON_RUNNING); one that
 * refuses is stale and is removed; anything else at the path is left alone (SOCKET_PATH_TAKEN).
 */
export async function startControlServer(path: string, handler: ControlHandler): Promise<ControlServer> {
  await clearStaleSocket(path);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, handler);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new NetError('CONTROL_SOCKET_FAILED', `cannot listen on ${path}`, { cause })));
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    path,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await unlink(path).catch(() => {});
    },
  };
}

async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return;
    throw e;
  }
  if (!isSocket) throw new NetError('SOCKET_PATH_TAKEN', `${path} exists and is not a socket; remove it to start the daemon`);
  try {
    await controlRequest(path, { op: 'status' }, { timeoutMs: 2000 });
  } catch (e) {
    if (isLodeError(e) && e.code === 'DAEMON_NOT_RUNNING') {
      await unlink(path).catch(() => {});
      return;
    }
    throw new NetError('DAEMON_RUNNING', `a daemon may already serve this store (${path} exists but did not answer cleanly)`, { cause: e });
  }
  throw new NetError('DAEMON_RUNNING', `a daemon already serves this store (${path})`);
}

function serveConnection(socket: Socket, handler: ControlHandler): void {
  let buffered = '';
  let chain = Promise.resolve();
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (text: string) => {
    buffered += text;
    if (buffered.length > MAX_LINE_BYTES) {
      socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      // Replies go out in request order.
      chain = chain.then(async () => {
        const reply = await answer(line, handler);
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    }
  });
}

async function answer(line: string, handler: ControlHandler): Promise<ControlReply> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { ok: false, code: 'BAD_REQUEST', message: 'not a JSON line' };
  }
  const parsed = parseRequest(request);
  if ('ok' in parsed) return parsed;
  try {
    return { ok: true, ...(await handler(parsed)) };
  } catch (e) {
    return { ok: false, code: isLodeError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  }
}

/** The request a JSON line holds, checked field by field, or the error reply for it. */
function parseRequest(request: unknown): ControlRequest | ControlReply {
  const fields = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const op = fields.op;
  if (op === 'status' || op === 'refs-changed') return { op };
  if (op === 'worktree-changes') {
    const { root, since } = fields;
    if (typeof root !== 'string' || (since !== undefined && typeof since !== 'string')) return { ok: false, code: 'BAD_REQUEST', message: 'worktree-changes takes a root path and an optional since token' };
    return since === undefined ? { op, root } : { op, root, since };
  }
  if (op !== 'wait-branch') return { ok: false, code: 'UNKNOWN_OP', message: `unknown op ${JSON.stringify(op)}` };
  const { arena, branch, commit, timeout_ms: timeout } = fields;
  if (typeof arena !== 'string' || typeof branch !== 'string' || typeof commit !== 'string' || typeof timeout !== 'number' || !(timeout >= 0 && timeout <= MAX_WAIT_MS)) {
    return { ok: false, code: 'BAD_REQUEST', message: `wait-branch takes arena, branch, commit (strings) and timeout_ms (0 to ${MAX_WAIT_MS})` };
  }
  return { op, arena, branch, commit, timeout_ms: timeout };
}

/**
 * Sends one request and returns the reply's fields. No daemon listening (no socket, or a stale one) is
 * DAEMON_NOT_RUNNING; no reply within the timeout is DAEMON_TIMEOUT; a refused request keeps its code.
 */
export function controlRequest(path: string, request: ControlRequest, options: { timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffered = '';
    let settled = false;
    const finish = (error: unknown, value?: Record<string, unknown>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(value!);
      else reject(error);
    };
    const timer = setTimeout(() => finish(new NetError('DAEMON_TIMEOUT', `the daemon at ${path} did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (text: string) => {
      buffered += text;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      let reply: ControlReply;
      try {
        reply = JSON.parse(buffered.slice(0, newline)) as ControlReply;
      } catch (cause) {
        finish(new NetError('BAD_REPLY', `the daemon at ${path} sent a malformed reply`, { cause }));
        return;
      }
      if (reply.ok) {
        const { ok: _ok, ...fields } = reply;
        finish(undefined, fields);
      } else finish(new NetError(reply.code, reply.message));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const absent = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ENOTSOCK';
      finish(absent ? new NetError('DAEMON_NOT_RUNNING', `no daemon is running for this store (${path})`, { cause: e }) : new NetError('CONTROL_SOCKET_FAILED', `cannot reach the daemon at ${path}`, { cause: e }));
    });
    socket.on('close', () => finish(new NetError('BAD_REPLY', `the daemon at ${path} hung up without a reply`)));
  });
}
