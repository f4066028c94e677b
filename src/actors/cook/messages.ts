/**
 * The cook domain's data, as zod schemas: every message, the collection and
 * the persisted cook state. Types are inferred from them.
 */
import { z } from 'zod';
import { reminderFiring } from '../../index.js';
import { COOK_JOB_ID } from './keys.js';
import { GenerationResultSchema, JobStatusSchema } from './service/index.js';

/**
 * Ids of collections and users: short, printable, and free of `~`, which separates the parts of cook keys and job ids.
 *
 * @example
 * ```ts
 * EntityIdSchema.parse('autumn'); // ok; 'autumn~2' is refused
 * ```
 */
export const EntityIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'ids are 1-64 characters: letters, digits, _ . -');

/** A job id as the cook makes them: `collection~user~piece~generation` (see {@link COOK_JOB_ID}). */
export const CookJobIdSchema = z.string().regex(COOK_JOB_ID, 'not a cook job id');

/**
 * A collection: who owns it and how many pieces it can yield.
 *
 * @example
 * ```ts
 * CollectionSchema.parse({ id: 'autumn', ownerId: 'ann', supply: 12 });
 * ```
 */
export const CollectionSchema = z.object({
  id: EntityIdSchema,
  ownerId: EntityIdSchema,
  supply: z.number().int().min(1).max(100_000),
});
export type Collection = z.infer<typeof CollectionSchema>;

/**
 * Where a completion report came from. Any path may report a job any number of times; it counts once.
 *
 * @example
 * ```ts
 * cook.tell('pieceCompleted', { jobId, success: true, source: CompletionSourceSchema.parse('webhook') });
 * ```
 */
export const CompletionSourceSchema = z.enum(['sync', 'webhook', 'poller']);
export type CompletionSource = z.infer<typeof CompletionSourceSchema>;

/**
 * Where a cook stands. `completed` is final. `failed` and `stopped` hold
 * until the next `start`, which begins a new run of the cook from its
 * persisted progress (counts kept; the pieces the last run left unfinished
 * issued again).
 *
 * @example
 * ```ts
 * const snapshot = await cook.ask('status', {});
 * const done = CookStatusSchema.extract(['completed', 'failed', 'stopped']).safeParse(snapshot.status).success;
 * ```
 */
export const CookStatusSchema = z.enum(['idle', 'running', 'paused', 'completed', 'failed', 'stopped']);
export type CookStatus = z.infer<typeof CookStatusSchema>;

const requester = z.object({ requester: EntityIdSchema });

/**
 * Messages of the cook actor. `submitSucceeded`, `submitFailed`, `reconciled`, `jobUnknown`, `retryDue` and `tick` are its own.
 *
 * @example
 * ```ts
 * type StartCook = z.input<typeof CookMessages.start>; // { requester, supply?, maxConcurrent? }
 * ```
 */
export const CookMessages = {
  start: requester.extend({
    /** Pieces to cook; at most the collection's supply. Default: the whole supply. */
    supply: z.number().int().min(1).max(100_000).optional(),
    maxConcurrent: z.number().int().min(1).max(100).default(3),
  }),
  pause: requester,
  resume: requester,
  stop: requester,
  /** The collection's owner changes its supply, up or down, mid-cook or not. */
  updateCollection: requester.extend({ supply: z.number().int().min(1).max(100_000) }),
  pieceCompleted: z.object({
    jobId: CookJobIdSchema,
    success: z.boolean(),
    result: GenerationResultSchema.optional(),
    error: z.string().max(1_000).optional(),
    source: CompletionSourceSchema,
  }),
  status: z.object({}),
  submitSucceeded: z.object({ jobId: CookJobIdSchema, accepted: JobStatusSchema }),
  submitFailed: z.object({ jobId: CookJobIdSchema, error: z.string() }),
  /** The service's view of a job that was pending when the cook (re)activated; `null`: it never got it. */
  reconciled: z.object({ jobId: CookJobIdSchema, status: JobStatusSchema.nullable() }),
  /** The service does not know a job the cook counts as running (it lost it): submit it again, same id. */
  jobUnknown: z.object({ jobId: CookJobIdSchema }),
  retryDue: z.object({}),
  /** A firing of the cook's `tick` reminder: poll the outstanding jobs, refill free slots. */
  tick: z.object({ firing: reminderFiring }),
};

/** One piece's job, as the cook tracks it. */
export const PieceJobSchema = z.object({
  pieceIndex: z.number().int().min(0),
  /** Submissions of this job that failed so far. */
  submitFailures: z.number().int().min(0),
});
export type PieceJob = z.infer<typeof PieceJobSchema>;

/** A piece waiting to be (re)submitted, not before `notBefore` (clock ms). */
export const RetrySchema = z.object({
  jobId: CookJobIdSchema,
  pieceIndex: z.number().int().min(0),
  submitFailures: z.number().int().min(0),
  notBefore: z.number(),
});
export type Retry = z.infer<typeof RetrySchema>;

/** Counters shown in status and the demo's summary. */
export const CookStatsSchema = z.object({
  duplicatesAbsorbed: z.number().int(),
  submitRetries: z.number().int(),
  jobFailures: z.number().int(),
  completionsBySource: z.object({ sync: z.number().int(), webhook: z.number().int(), poller: z.number().int() }),
});
export type CookStats = z.infer<typeof CookStatsSchema>;

/**
 * The cook's durable state: one record per (collection, user) in the `cooks`
 * collection. Counts only: which jobs were counted (or abandoned) is in the
 * cook's completion records (`cook-completions`), so the record's size does
 * not grow with progress.
 *
 * @example
 * ```ts
 * const record = await persistence.get('cooks', cookKey('autumn', 'ann'));
 * const state = record && CookStateSchema.parse(record.value);
 * ```
 */
export const CookStateSchema = z.object({
  collectionId: EntityIdSchema,
  userId: EntityIdSchema,
  status: CookStatusSchema,
  startedBy: EntityIdSchema.nullable(),
  total: z.number().int().min(0),
  maxConcurrent: z.number().int().min(1),
  nextIndex: z.number().int().min(0),
  generatedCount: z.number().int().min(0),
  /** Persisted before submission; a job leaves it on the submit outcome. */
  pending: z.record(z.string(), PieceJobSchema),
  /** Jobs whose submission succeeded and that have not completed yet. */
  running: z.record(z.string(), PieceJobSchema),
  retries: z.array(RetrySchema),
  failureReason: z.string().nullable(),
  /** Why a cook completed with fewer pieces than it set out to (its supply was lowered below what it had issued). */
  completionNote: z.string().nullable().default(null),
  stats: CookStatsSchema,
});
export type CookState = z.infer<typeof CookStateSchema>;

/** What `status` answers: the cook at a glance. */
export interface CookSnapshot {
  readonly collectionId: string;
  readonly userId: string;
  readonly status: CookStatus;
  readonly total: number;
  readonly generatedCount: number;
  readonly pending: number;
  readonly running: number;
  readonly waitingRetry: number;
  readonly failureReason: string | null;
  readonly completionNote: string | null;
  readonly stats: CookStats;
}
