/**
 * What crosses the wire between nodes: a forwarded message and its answer,
 * both validated with zod on arrival. An error travels as its name, code
 * and message (never its cause or stack: they may hold what the actor was given).
 * @internal
 */
import { z } from 'zod';
import type { Clock } from '../runtime/ports/index.js';

/** The path a node takes forwarded messages on. @internal */
export const FORWARD_PATH = '/steward/forward';

/**
 * What a node signs the forwards it sends with, and checks the ones it takes
 * against: its `forwardSecret` (none: it signs nothing and takes every
 * forward) and its clock (the signature's timestamp and the replay window
 * are wall-clock time). @internal
 */
export interface ForwardAuth {
  readonly secret: string | undefined;
  readonly clock: Clock;
}

/** A forwarded tell or ask. @internal */
export const forwardRequest = z.strictObject({
  type: z.string().min(1).max(200),
  key: z.string().min(1).max(1_000),
  message: z.string().min(1).max(200),
  payload: z.unknown(),
  mode: z.enum(['tell', 'ask']),
  timeoutMs: z.number().int().positive().max(600_000),
});
export type ForwardRequest = z.infer<typeof forwardRequest>;

const wireError = z.strictObject({ name: z.string(), code: z.string(), message: z.string() });
export type WireError = z.infer<typeof wireError>;

/**
 * The owner's answer: the reply, an error the message met there, or
 * `not-owner` (this node does not own the entity: the sender looks again).
 * @internal
 */
export const forwardResponse = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('reply'), reply: z.unknown().optional() }), // undefined (a tell, a void reply) is left out by JSON
  z.strictObject({ outcome: z.literal('error'), error: wireError }),
  z.strictObject({ outcome: z.literal('not-owner'), owner: z.string() }),
]);
export type ForwardResponse = z.infer<typeof forwardResponse>;

/** An error as it travels. @internal */
export function toWire(error: unknown): WireError {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    code: typeof e.code === 'string' ? e.code : 'ERR_UNKNOWN',
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}
