/**
 * Every cookie-rotation record and message body as a zod schema: provider
 * config, the rotate task's input and result (they cross a thread boundary),
 * the monitor, the rotation report and the cookie actor's state. Types are
 * inferred from them.
 */
import { z } from 'zod';

/** A cookie id or a service name: what keys records and reminders. */
export const CookieIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$/, 'ids are 1-128 letters, digits or ._~:- and start with a letter or digit');
/** A service name providers are registered under. */
export const ServiceNameSchema = CookieIdSchema;
/** A cookie name as RFC 6265 allows it (a token). */
export const CookieKeyNameSchema = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/, 'cookie names are RFC 6265 tokens');
const httpUrl = z.url({ protocol: /^https?$/, error: 'give an http(s) URL' });
const ms = z.number().int().min(0).max(365 * 24 * 3600_000);

/**
 * A provider's config: everything a rotate task needs, sent inside its payload
 * (a thread never looks config up).
 *
 * @example
 * ```ts
 * const config: ProviderConfig = ProviderConfigSchema.parse({ service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
 * ```
 */
export const ProviderConfigSchema = z.strictObject({
  service: ServiceNameSchema,
  /** Requested with the cookie to check that the service accepts it. */
  validateUrl: httpUrl,
  /** Called with the current cookie; the new values come back in `Set-Cookie`. Default: `validateUrl`. */
  rotateUrl: httpUrl.optional(),
  /** The cookie keys the service rotates: a cookie must carry all of them. */
  cookieKeys: z.array(CookieKeyNameSchema).min(1).max(64),
  /** Rotation interval. At least one second. */
  rotateEveryMs: ms.min(1_000),
  /** Up to this much random delay added to each scheduled rotation. Default 0. */
  jitterMs: ms.default(0),
  /** Bound of each HTTP request of the default task. Default 10,000 ms. */
  requestTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
});
/** A provider config as stored and sent (defaults applied). */
export type ProviderConfig = z.output<typeof ProviderConfigSchema>;
/** A provider config as given to `register` (defaults optional). */
export type ProviderConfigInput = z.input<typeof ProviderConfigSchema>;

/** How one rotation attempt ended. */
export const RotationStatusSchema = z.enum(['success', 'failed', 'validation_failed', 'unreachable']);
/** How one rotation attempt ended. */
export type RotationStatus = z.infer<typeof RotationStatusSchema>;

/** Plain data a report may carry: never a cookie value. */
export const MetaSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** The rotate task's input: the provider's config and the current cookie (the only place a value travels). */
export const RotateInputSchema = z.object({ provider: ProviderConfigSchema, cookie: z.string(), attemptNumber: z.number().int().min(1) });
/** The rotate task's input. */
export type RotateInput = z.output<typeof RotateInputSchema>;

/** The rotate task's result: `cookie` is the new cookie string on success; `message` names keys and statuses, never values. */
export const RotateResultSchema = z.object({
  status: RotationStatusSchema,
  message: z.string().max(2_000),
  cookie: z.string().optional(),
  meta: MetaSchema,
});
/** The rotate task's result. */
export type RotateResult = z.output<typeof RotateResultSchema>;

/** One cookie key as reports show it: its name, whether it is set, and a short hash of its value. */
export const MaskedKeySchema = z.object({ key: z.string(), present: z.boolean(), hash: z.string().nullable() });
/** One cookie key as reports show it. */
export type MaskedKey = z.infer<typeof MaskedKeySchema>;

/** What the rotation of one cookie is doing. */
export const WorkerStatusSchema = z.enum(['stopped', 'scheduled', 'rotating', 'error']);
/** What the rotation of one cookie is doing. */
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/** The monitor of one cookie, written with every outcome (and readable without touching the secret). */
export const CookieMonitorSchema = z.object({
  cookieId: CookieIdSchema,
  workerStatus: WorkerStatusSchema,
  /** Who owns the cookie's rotation (the process, or the node holding its lease). */
  owner: z.string(),
  lastStatus: RotationStatusSchema.nullable(),
  lastMessage: z.string().nullable(),
  lastAttemptAt: z.number().nullable(),
  consecutiveFailures: z.number().int().min(0),
});
/** The monitor of one cookie. */
export type CookieMonitor = z.infer<typeof CookieMonitorSchema>;

/** One rotation attempt as reported. Idempotent on (cookieId, attemptNumber, startedAt): its record key. */
export const RotationReportSchema = z.object({
  cookieId: CookieIdSchema,
  profileId: z.string().nullable(),
  service: z.string().nullable(),
  validateUrl: z.string().nullable(),
  keys: z.array(MaskedKeySchema),
  status: RotationStatusSchema,
  message: z.string(),
  attemptNumber: z.number().int().min(1),
  startedAt: z.number(),
  finishedAt: z.number(),
  meta: MetaSchema,
});
/** One rotation attempt as reported. */
export type RotationReport = z.infer<typeof RotationReportSchema>;

/** An attempt whose outcome is not stored yet: durable before its task starts, so a restart knows of it. */
export const InFlightSchema = z.object({ attemptNumber: z.number().int().min(1), startedAt: z.number(), reason: z.string() });

/** The cookie actor's state record. `value` is sealed (see secrets.ts), never the plain cookie when a key is configured. */
export const CookieStateSchema = z.object({
  cookieId: CookieIdSchema,
  profileId: z.string().nullable(),
  service: ServiceNameSchema.nullable(),
  value: z.string().nullable(),
  /** Grows by one with every new value (registration or rotation): a value is never replaced by an older one. */
  revision: z.number().int().min(0),
  lastRotatedAt: z.number().nullable(),
  launchOnStartup: z.boolean(),
  /** Whether its rotation reminder is armed (`start`), so outcomes know what to go back to. */
  scheduled: z.boolean(),
  /** Attempts started so far: the next one's number is this plus one. */
  attempts: z.number().int().min(0),
  inFlight: InFlightSchema.nullable(),
  /** The last reminder firing handled (a redelivered firing joins or is answered, never rotates twice). */
  lastFiring: z.string().nullable(),
  monitor: CookieMonitorSchema,
  /** Report keys kept, oldest first, with their finish times (retention works from these, not from a scan). */
  reports: z.array(z.object({ key: z.string(), finishedAt: z.number() })),
});
/** The cookie actor's state. */
export type CookieState = z.infer<typeof CookieStateSchema>;
