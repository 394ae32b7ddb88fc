// The daemon layer's public face: the long-running node (`lode daemon`) and its control socket. The
// socket client and the refs digest load without the network stack, so the CLI's poke after a branch
// move costs no libp2p startup; the daemon itself is loaded on first use.
import type { Daemon, DaemonOptions } from './daemon.ts';

export { controlRequest, controlSocketPath, CONTROL_SOCKET_NAME, type ControlRequest } from './control-socket.ts';
export { refsFingerprint } from './ref-watch.ts';
export type { JournalAnswer } from './change-journal.ts';
export { stderrLog, type DaemonLog, type LogLevel, type LogFields } from './daemon-log.ts';
export type { Daemon, DaemonConfig, DaemonOptions } from './daemon.ts';
export type { DaemonStatus, PeerStatus, ArenaStatus, TransferStatus } from './status.ts';

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  return (await import('./daemon.ts')).startDaemon(options);
}

export async function runDaemon(options: DaemonOptions & { signal: AbortSignal; onReady?: (daemon: Daemon) => void }): Promise<void> {
  return (await import('./daemon.ts')).runDaemon(options);
}
