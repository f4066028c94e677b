/** The cookie actor's messages, each a zod schema (payload types are inferred from them). */
import { z } from 'zod';
import { reminderFiring } from '../../index.js';
import { CookieIdSchema, RotateResultSchema, ServiceNameSchema } from './schemas.js';

/** A cookie string as registered: at least one `name=value` pair, bounded. */
const CookieValueSchema = z.string().min(3).max(16_384).regex(/[^=;\s]=/, 'a cookie is `name=value` pairs separated by `; `');

/**
 * The cookie actor's messages:
 * - `register`: its service, value, profile and whether it starts with the system;
 * - `start` / `stop`: arm or remove its rotation reminder;
 * - `rotate`: rotate now (a reminder's firing carries `firing`); joins a rotation in flight;
 * - `status`: a snapshot with masked keys;
 * - `rotated`, `commitRetry`: its own task outcome and store retries.
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const cookie = system.ref(Cookie, 'c-1');
 * await cookie.ask('register', { service: 'shop', value: 'sid=abc', profileId: 'ann', launchOnStartup: true });
 * ```
 */
export const CookieMessages = {
  register: z.object({
    service: ServiceNameSchema,
    value: CookieValueSchema,
    profileId: CookieIdSchema.optional(),
    launchOnStartup: z.boolean().default(false),
  }),
  start: z.object({}),
  stop: z.object({}),
  rotate: z.object({ reason: z.enum(['manual', 'schedule', 'retry']).default('manual'), firing: reminderFiring.optional() }),
  status: z.object({}),
  rotated: z.object({ attemptNumber: z.number().int().min(1), result: RotateResultSchema }),
  commitRetry: z.object({ attemptNumber: z.number().int().min(1) }),
};
