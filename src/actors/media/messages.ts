/**
 * The data a media job carries, as zod schemas: the payload a queue stores,
 * what an extractor returns, and the result or coded failure a run ends in.
 */
import { z } from 'zod';

/** A media URL a post offers, with what the page says of its quality. */
export const MediaCandidateSchema = z.object({
  url: z.string().min(1).max(8192),
  contentType: z.string().optional(),
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  bitrate: z.number().nonnegative().optional(),
});
export type MediaCandidate = z.infer<typeof MediaCandidateSchema>;

/** Whose media it is. */
export const AccountSchema = z.object({
  platform: z.string().min(1).max(200),
  handle: z.string().min(1).max(500),
  displayName: z.string().max(500),
});
export type Account = z.infer<typeof AccountSchema>;

/** What an extractor found on a post page. */
export const ExtractionSchema = z.object({
  candidates: z.array(MediaCandidateSchema),
  account: AccountSchema,
  thumbnails: z.array(z.string().min(1).max(8192)),
});
export type Extraction = z.infer<typeof ExtractionSchema>;

/** What an earlier attempt extracted: its chosen URL is reused while its signature has not expired. */
export const PreviousExtractionSchema = z.object({
  url: z.string().min(1).max(8192),
  extraction: ExtractionSchema,
});
export type PreviousExtraction = z.infer<typeof PreviousExtractionSchema>;

/** The payload of one media job. */
export const MediaJobPayloadSchema = z.object({
  jobId: z.string().min(1).max(1000),
  postUrl: z.string().min(1).max(8192),
  traceId: z.string().min(1).max(200).optional(),
  previous: PreviousExtractionSchema.optional(),
});
export type MediaJobPayload = z.infer<typeof MediaJobPayloadSchema>;

/** A completed job: paths are forward-slash, relative to the downloads directory. */
export const MediaJobResultSchema = z.object({
  status: z.literal('completed'),
  jobId: z.string(),
  traceId: z.string(),
  outputPath: z.string().regex(/^[^/\\][^\\]*$/, 'relative, forward slashes'),
  thumbnailPath: z.string().regex(/^[^/\\][^\\]*$/).nullable(),
  account: AccountSchema,
  slug: z.string(),
  sourceUrl: z.string(),
  bytes: z.number().int().nonnegative(),
  mime: z.string(),
  /** Which path produced the file: `direct`, or the strategy that rescued it. */
  via: z.enum(['direct', 'authenticated', 'alternative', 're-extract']),
  attempts: z.number().int().positive(),
});
export type MediaJobResult = z.infer<typeof MediaJobResultSchema>;

/** A failed job: a stable code, a message without secrets, and whether a later attempt could succeed. */
export const MediaJobFailureSchema = z.object({
  status: z.literal('failed'),
  jobId: z.string(),
  traceId: z.string(),
  code: z.string(),
  message: z.string().min(1),
  retryable: z.boolean(),
  /** Pass it as the next attempt's `previous` to skip extraction while the URL is still signed. */
  previous: PreviousExtractionSchema.optional(),
});
export type MediaJobFailure = z.infer<typeof MediaJobFailureSchema>;

/** How a run ends. */
export const MediaJobOutcomeSchema = z.discriminatedUnion('status', [MediaJobResultSchema, MediaJobFailureSchema]);
export type MediaJobOutcome = z.infer<typeof MediaJobOutcomeSchema>;

/** Progress of a run, 0..100: 50 once the account is known, 100 at the end. */
export const MediaProgressSchema = z.number().min(0).max(100);
