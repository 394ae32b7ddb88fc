// Test and benchmark support: runs a whole reconciliation between two indexes in memory, passing each
// message straight across, and counts round trips and bytes.
import { SyncError } from '../../core/index.ts';
import { Reconciler, type ReconcilerOptions } from '../reconciler.ts';
import type { SyncIndex } from '../item-index.ts';

export interface SessionOutcome {
  have: Uint8Array[];
  need: Uint8Array[];
  /** Messages from the initiator that the responder answered. */
  roundTrips: number;
  bytesSent: number;
  bytesReceived: number;
  largestMessage: number;
}

export function reconcileInMemory(initiatorIndex: SyncIndex, responderIndex: SyncIndex, options: ReconcilerOptions = {}, maxRounds = 1000): SessionOutcome {
  const initiator = new Reconciler(initiatorIndex, options);
  const responder = new Reconciler(responderIndex, options);
  const outcome: SessionOutcome = { have: [], need: [], roundTrips: 0, bytesSent: 0, bytesReceived: 0, largestMessage: 0 };
  let message: Uint8Array | null = initiator.initiate();
  while (message !== null) {
    if (outcome.roundTrips >= maxRounds) throw new SyncError('NO_CONVERGENCE', `no convergence after ${maxRounds} round trips`);
    outcome.roundTrips++;
    outcome.bytesSent += message.length;
    outcome.largestMessage = Math.max(outcome.largestMessage, message.length);
    const answer = responder.reconcile(message);
    if (answer.reply === null) throw new SyncError('BAD_STATE', 'a responder must always reply');
    outcome.bytesReceived += answer.reply.length;
    outcome.largestMessage = Math.max(outcome.largestMessage, answer.reply.length);
    const step = initiator.reconcile(answer.reply);
    outcome.have.push(...step.have);
    outcome.need.push(...step.need);
    message = step.reply;
  }
  return outcome;
}
