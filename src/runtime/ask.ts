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
  post: (ref: ActorRef<ActorDefinition>, envelope: UserEnvelope) => void,
): Promise<unknown> {
  const promise = new Promise(capture);
  const reply = new PendingReply(capturedResolve, capturedReject, type, ref, timeoutMs);
  try {
    if (signal) {
      const onAbort = () => reply.reject(new AbortedError(`ask '${type}' to ${ref} was aborted`, { cause: signal.reason }));
      if (signal.aborted) {
        onAbort();
        return promise;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      reply.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    reply.deadlines = deadlines;
    reply.deadline = deadlines.add(timeoutMs, expireReply, reply);
    post(ref, { kind: 'user', type, payload, reply });
  } catch (error) {
    reply.reject(error);
  }
  return promise;
}

type Settle = (value: unknown) => void;
let capturedResolve: Settle = () => {};
let capturedReject: Settle = () => {};

/** One executor for every ask, so an ask allocates no executor closure: `new Promise(capture)` leaves its settlers here. */
function capture(resolve: Settle, reject: Settle): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** One function for every ask timeout, so an ask allocates no timeout closure. */
function expireReply(reply: PendingReply): void {
  reply.expire();
}
