import type { TerminatedNotice } from './events.js';
import type { PendingReply } from './pending-reply.js';

/** A user message as it travels through a mailbox. @internal */
export interface UserEnvelope {
  readonly kind: 'user';
  readonly type: string;
  readonly payload: unknown;
  readonly reply: PendingReply | undefined;
  /** Set on ticks of a repeating timer, so a tick is not queued while the previous one waits. */
  readonly timer?: { pending: boolean };
}

/** System-lane messages: they overtake user messages. @internal */
export type SystemEnvelope =
  | { readonly kind: 'stop' }
  | { readonly kind: 'terminated'; readonly notice: TerminatedNotice };

/** @internal */
export type Envelope = UserEnvelope | SystemEnvelope;
