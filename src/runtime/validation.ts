import { InvalidMessageError } from '../errors.js';
import { summarizeIssues, toIssues } from '../issues.js';
import type { z } from 'zod';
import type { ActorDefinition } from './define-actor.js';

/**
 * Parses a payload with its message type's schema; throws
 * `ERR_INVALID_MESSAGE` (with the zod issues as data) for an unknown type or
 * a payload that does not match.
 * @internal
 */
export function parseMessage(definition: ActorDefinition, type: string, payload: unknown): unknown {
  const schema: z.ZodType | undefined = Object.hasOwn(definition.messages, type) ? definition.messages[type] : undefined;
  if (!schema) {
    throw new InvalidMessageError(
      `actor type '${definition.name}' has no message type '${type}' (known: ${Object.keys(definition.messages).join(', ')})`,
      [{ path: ['type'], message: `unknown message type '${type}'`, code: 'unknown_message_type' }],
    );
  }
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = toIssues(result.error.issues);
  throw new InvalidMessageError(`invalid '${type}' message for actor type '${definition.name}': ${summarizeIssues(issues)}`, issues, {
    cause: result.error,
  });
}
