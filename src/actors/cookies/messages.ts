/**
 * The cookie domain's data as zod schemas: messages of the cookie actor, the
 * durable cookie state, its monitor, the rotation report and what crosses the
 * thread boundary to a rotate task. Types are inferred from them.
 */
import { z } from 'zod';

/**
 * A cookie id, a profile id or a service name: short and printable.
 *
 * @example
 * ```ts
 * CookieIdSchema.parse('shop-ann'); // ok; 'shop ann' is refused
 * ```
 */
export const CookieIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'ids are 1-100 characters: letters, digits, _ . : -');

/** A cookie key name as it appears before `=`. */
export const CookieKeyNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'a cookie key name is an RFC 6265 token');

/**
 * How a rotation attempt ended.
 *
 * @example
 * ```ts
 * const failed = RotationStatusSchema.exclude(['success']).safeParse(report.status).success;
 * ```
 */
export const RotationStatusSchema = z.enum(['success', 'failed', 'validation_failed', 'unreachable']);
export type RotationStatus = z.infer<typeof RotationStatusSchema>;

/**
 * A cookie value as it is held in state and in the store: sealed with
 * AES-256-GCM when a secret key is configured, else plain. Never shown.
 */
export const SealedValueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plain'), value: z.string() }),
  z.object({ kind: z.literal('aes-256-gcm'), iv: z.string(), tag: z.string(), data: z.string() }),
]);
export type SealedValue = z.infer<typeof SealedValueSchema>;

/**
 * What a monitor shows of a cookie's rotations: `workerStatus` is `idle`,
 * `rotating`, or `error` (config missing or invalid, or the service no longer
 * accepts the stored value: someone must act).
 *
 * @example
 * ```ts
 * const monitor = CookieMonitorSchema.parse((await persistence.get('cookie-monitors', 'shop-ann'))?.value);
 * ```
 */
export const CookieMonitorSchema = z.object({
  cookieId: CookieIdSchema,
  workerStatus: z.enum(['idle', 'rotating', 'error']),
  /** The actor that owns the cookie (`cookie/<id>`): there is only ever one. */
  owner: z.string(),
  lastStatus: RotationStatusSchema.nullable(),
  lastMessage: z.string().nullable(),
  lastAttemptAt: z.number().nullable(),
  consecutiveFailures: z.number().int().min(0),
});
export type CookieMonitor = z.infer<typeof CookieMonitorSchema>;

/** A rotation that was started and whose outcome is not committed yet. */
export const InFlightSchema = z.object({
  attemptNumber: z.number().int().min(1),
  startedAt: z.number(),
  /** The cookie revision the rotation started from: an outcome for another base is refused. */
  baseRevision: z.number().int().min(0),
});
export type InFlight = z.infer<typeof InFlightSchema>;

/**
 * The cookie actor's durable state: one record per cookie in `cookies`.
 *
 * @example
 * ```ts
 * const state = CookieStateSchema.parse((await persistence.get('cookies', 'shop-ann'))?.value);
 * ```
 */
export const CookieStateSchema = z.object({
  cookieId: CookieIdSchema,
  profileId: CookieIdSchema.nullable(),
  service: CookieIdSchema.nullable(),
  value: SealedValueSchema.nullable(),
  lastRotatedAt: z.number().nullable(),
  /** Grows by one with every committed new value. */
  revision: z.number().int().min(0),
  launchOnStartup: z.boolean(),
  /** Attempts started so far; the next one is `attempts + 1`. */
  attempts: z.number().int().min(0),
  inFlight: InFlightSchema.nullable(),
  monitor: CookieMonitorSchema,
});
export type CookieState = z.infer<typeof CookieStateSchema>;

/**
 * A cookie's keys as a report shows them: each name with a short hash of its
 * value, never the value.
 */
export const MaskedKeySchema = z.object({ name: z.string(), hash: z.string().regex(/^[0-9a-f]{8}$/).nullable() });
export type MaskedKey = z.infer<typeof MaskedKeySchema>;

/**
 * One rotation attempt's report, in `cookie-reports`. Idempotent on
 * `(cookieId, attemptNumber, startedAt)`: that triple is its key.
 *
 * @example
 * ```ts
 * const reports = await persistence.query('cookie-reports', { prefix: 'shop-ann/' });
 * const failed = reports.map((r) => RotationReportSchema.parse(r.value)).filter((r) => r.status !== 'success');
 * ```
 */
export const RotationReportSchema = z.object({
  cookieId: CookieIdSchema,
  profileId: CookieIdSchema.nullable(),
  service: z.string().nullable(),
  validateUrl: z.string().nullable(),
  cookieKeys: z.array(MaskedKeySchema),
  status: RotationStatusSchema,
  message: z.string().max(2_000),
  attemptNumber: z.number().int().min(1),
  startedAt: z.number(),
  finishedAt: z.number(),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type RotationReport = z.infer<typeof RotationReportSchema>;

/** The provider config a rotate task receives: everything it needs, so the thread looks nothing up. */
export const ProviderPayloadSchema = z.object({
  service: CookieIdSchema,
  validateUrl: z.string().url(),
  rotateUrl: z.string().url(),
  cookieKeys: z.array(CookieKeyNameSchema).min(1),
  requestTimeoutMs: z.number().int().min(1),
});
export type ProviderPayload = z.infer<typeof ProviderPayloadSchema>;

/**
 * A rotate task's input: the provider config and the current cookie.
 *
 * @example
 * ```ts
 * const input: RotateInput = { provider, cookie: 'sid=abc; csrf=def', attemptNumber: 3 };
 * ```
 */
export const RotateInputSchema = z.object({
  provider: ProviderPayloadSchema,
  cookie: z.string(),
  attemptNumber: z.number().int().min(1),
});
export type RotateInput = z.infer<typeof RotateInputSchema>;

/**
 * A rotate task's result: the new cookie on success, else a status and a
 * message that name no value.
 *
 * @example
 * ```ts
 * const result: RotateResult = { status: 'success', cookie: 'sid=new; csrf=def', message: 'rotated sid', meta: { httpStatus: 200 } };
 * ```
 */
export const RotateResultSchema = z.object({
  status: RotationStatusSchema,
  cookie: z.string().optional(),
  message: z.string().max(1_000),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type RotateResult = z.infer<typeof RotateResultSchema>;

/**
 * Messages of the cookie actor. `rotated` and `commitRetry` are its own.
 *
 * @example
 * ```ts
 * await cookie.ask('register', { service: 'shop', value: 'sid=abc; csrf=def', launchOnStartup: true });
 * const { settled } = await cookie.ask('rotate', {});
 * const summary = await settled; // { status: 'success', revision: 2, ... }
 * ```
 */
export const CookieMessages = {
  register: z.object({
    service: CookieIdSchema,
    profileId: CookieIdSchema.optional(),
    value: z.string().min(1).max(8_192),
    launchOnStartup: z.boolean().default(false),
  }),
  rotate: z.object({ reason: z.enum(['manual', 'scheduled', 'startup', 'recovery']).default('manual') }),
  status: z.object({}),
  rotated: z.object({
    attemptNumber: z.number().int().min(1),
    result: RotateResultSchema,
  }),
  commitRetry: z.object({}),
};
