// The README's recipe: the HTTP status a service answers for each steward error.
import { InvalidMessageError, RefusalError, StewardError, type MessageIssue } from 'steward';

/**
 * Refusals (the handler said no: ERR_FORBIDDEN, ERR_NOT_FOUND, ERR_INVALID_STATE,
 * ERR_WORKER_ACTIVE, your own) 409; invalid input 400; full or stopping 503;
 * timeouts 504; anything else 500.
 */
export function httpStatusOf(error: unknown): number {
  if (error instanceof RefusalError) return 409;
  if (!(error instanceof StewardError)) return 500;
  switch (error.code) {
    case 'ERR_INVALID_MESSAGE':
    case 'ERR_INVALID_KEY':
    case 'ERR_INVALID_TASK_INPUT':
    case 'ERR_INVALID_QUERY':
      return 400;
    case 'ERR_MAILBOX_FULL':
    case 'ERR_POOL_FULL':
    case 'ERR_ACTOR_STOPPED':
    case 'ERR_SYSTEM_STOPPED':
    case 'ERR_POOL_CLOSED':
    case 'ERR_STORE_CLOSED':
      return 503;
    case 'ERR_ASK_TIMEOUT':
    case 'ERR_TASK_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}

/** The body to send with it: the stable code, the message, and for invalid input the zod issues as data. */
export function errorBody(error: unknown): { error: { code: string; message: string; issues?: readonly MessageIssue[] } } {
  if (!(error instanceof StewardError)) return { error: { code: 'ERR_INTERNAL', message: 'internal error' } };
  return { error: { code: error.code, message: error.message, ...(error instanceof InvalidMessageError ? { issues: error.issues } : {}) } };
}
