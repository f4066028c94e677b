import type { TimerTick } from './actor-timers.js';
import type { TerminatedNotice } from './events.js';
import type { PendingReply } from './pending-reply.js';

/** A user message as it travels through a mailbox. @internal */
export interface UserEnvelope {
  readonly kind: 'user';
  readonly type: string;
  readonly payload: unknown;
  readonly reply: PendingReply | undefined;
  /** Set on timer ticks: delivered only while that timer is live. */
  readonly timer?: TimerTick;
}

/** System-lane messages: they overtake user messages. @internal */
export type SystemEnvelope =
  | { readonly kind: 'stop' }
  | { readonly kind: 'terminated'; readonly notice: TerminatedNotice };

/** @internal */
export type Envelope = UserEnvelope | SystemEnvelope;
