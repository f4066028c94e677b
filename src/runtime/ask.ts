import { AbortedError } from '../errors.js';
import type { ActorRef } from './actor-ref.js';
import type { Deadlines } from './deadlines.js';
import type { ActorDefinition } from './define-actor.js';
import type { UserEnvelope } from './envelope.js';
import { PendingReply } from './pending-reply.js';

/**
 * One `ask`: a pending reply bounded by its deadline and signal, posted to
 * `ref`. A message the actor has not taken when the deadline passes is
 * dropped unhandled (its timeout says `handled: false`).
 * @internal
 */
export function ask(
  deadlines: Deadlines,
  timeoutMs: number,
  ref: ActorRef<ActorDefinition>,
  type: string,
  payload: unknown,
  signal: AbortSignal | undefined,
  post: (envelope: UserEnvelope) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const reply = new PendingReply(resolve, reject, type, ref, timeoutMs);
    if (signal) {
      const onAbort = () => reply.reject(new AbortedError(`ask '${type}' to ${ref} was aborted`, { cause: signal.reason }));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      reply.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    reply.deadlines = deadlines;
    reply.deadline = deadlines.add(timeoutMs, expireReply, reply);
    try {
      post({ kind: 'user', type, payload, reply });
    } catch (error) {
      reply.reject(error);
    }
  });
}

/** One function for every ask timeout, so an ask allocates no timeout closure. */
function expireReply(reply: PendingReply): void {
  reply.expire();
}
