/**
 * The wire protocol between a cook and a generation service, as zod schemas.
 * Types are inferred from them, so the TypeScript view and the runtime check
 * cannot drift apart.
 */
import { z } from 'zod';

/** Job ids travel in URL paths and log lines: keep them printable and bounded. */
const jobId = z
  .string()
  .regex(/^[^\u0000-\u001f\u007f]{1,200}$/, 'job ids are 1-200 characters without control characters');
const entityId = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/**
 * What a generated piece yields.
 *
 * @example
 * ```ts
 * GenerationResultSchema.parse({ pieceIndex: 3, uri: 'gen://col-1/3/job-9' });
 * ```
 */
export const GenerationResultSchema = z.object({
  pieceIndex: z.number().int().min(0),
  uri: z.string().min(1),
});
/** What a generated piece yields. */
export type GenerationResult = z.infer<typeof GenerationResultSchema>;

/**
 * A request to generate one piece. `jobId` is the idempotency key: the same id
 * submitted twice names one job.
 *
 * @example
 * ```ts
 * const job: SubmitRequest = { jobId: 'job-1', collectionId: 'col-1', userId: 'ann', pieceIndex: 0, webhookUrl: 'http://127.0.0.1:4000/webhook' };
 * SubmitRequestSchema.parse(job);
 * ```
 */
export const SubmitRequestSchema = z.object({
  jobId,
  collectionId: entityId,
  userId: entityId,
  pieceIndex: z.number().int().min(0),
  webhookUrl: z.url({ protocol: /^https?$/, error: 'webhookUrl must be an http(s) URL' }).optional(),
});
/** A request to generate one piece. */
export type SubmitRequest = z.infer<typeof SubmitRequestSchema>;

/**
 * Where a job is. `succeeded` and `failed` are final.
 *
 * @example
 * ```ts
 * JobStateSchema.options; // ['queued', 'running', 'succeeded', 'failed']
 * ```
 */
export const JobStateSchema = z.enum(['queued', 'running', 'succeeded', 'failed']);
/** Where a job is. */
export type JobState = z.infer<typeof JobStateSchema>;

/**
 * A job as the service reports it; `result` is present once it succeeded,
 * `error` once it failed.
 *
 * @example
 * ```ts
 * const status = JobStatusSchema.parse(await (await fetch(`${url}/jobs/job-1`)).json());
 * if (status.status === 'succeeded') console.log(status.result?.uri);
 * ```
 */
export const JobStatusSchema = z.object({
  jobId,
  status: JobStateSchema,
  result: GenerationResultSchema.optional(),
  error: z.string().optional(),
});
/** A job as the service reports it. */
export type JobStatus = z.infer<typeof JobStatusSchema>;

/**
 * The answer to a submission: the job's current status. A first submission
 * is usually `queued`; a resubmission returns the existing job as it is now,
 * possibly already final (which is the synchronous completion path).
 *
 * @example
 * ```ts
 * declare const submitter: Submitter;
 * declare const job: SubmitRequest;
 * const accepted = await submitter.submit(job);
 * if (accepted.status === 'succeeded') await cook.tell('pieceCompleted', { jobId: accepted.jobId, success: true, result: accepted.result, source: 'sync' });
 * ```
 */
export const SubmitAcceptedSchema = JobStatusSchema;
/** The answer to a submission. */
export type SubmitAccepted = z.infer<typeof SubmitAcceptedSchema>;

/**
 * What the service POSTs to a job's `webhookUrl` when it finishes. A success
 * carries `result`, a failure carries `error`. Unknown keys are dropped.
 *
 * @example
 * ```ts
 * WebhookBodySchema.parse({ jobId: 'job-1', success: false, error: 'model overloaded' });
 * ```
 */
export const WebhookBodySchema = z
  .object({
    jobId,
    success: z.boolean(),
    result: GenerationResultSchema.optional(),
    error: z.string().max(10_000).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.success && body.result === undefined) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: 'a successful completion must carry a result' });
    }
    if (!body.success && body.error === undefined) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'a failed completion must carry an error' });
    }
  });
/** What the service POSTs to a job's `webhookUrl` when it finishes. */
export type WebhookBody = z.infer<typeof WebhookBodySchema>;
