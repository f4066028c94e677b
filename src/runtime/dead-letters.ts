import { ActorStoppedError, MailboxFullError, SystemStoppedError } from '../errors.js';
import type { UserEnvelope } from './envelope.js';
import type { DeadLetterReason, RuntimeEventBus } from './events.js';

/** Reports a message no actor will handle, and tells its asker why. @internal */
export function deadLetter(events: RuntimeEventBus, type: string, key: string, envelope: UserEnvelope, reason: DeadLetterReason): void {
  events.emit('dead.letter', { type, key, messageType: envelope.type, reason });
  if (!envelope.reply) return;
  envelope.reply.reject(
    reason === 'shutdown'
      ? new SystemStoppedError(`system shut down before ${type}/${key} handled '${envelope.type}'`)
      : reason === 'overflow'
        ? new MailboxFullError(`mailbox of ${type}/${key} is full: '${envelope.type}' was dropped by its overflow policy`)
        : new ActorStoppedError(`actor ${type}/${key} is stopped (${reason}): '${envelope.type}' was not handled`),
  );
}
