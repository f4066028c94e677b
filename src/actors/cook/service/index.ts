export { createHttpSubmitter, DEFAULT_SUBMIT_TIMEOUT_MS } from './http-submitter.js';
export type { HttpSubmitterOptions, Submitter } from './http-submitter.js';
export {
  GenerationResultSchema,
  JobStateSchema,
  JobStatusSchema,
  SubmitAcceptedSchema,
  SubmitRequestSchema,
  WebhookBodySchema,
} from './schemas.js';
export type { GenerationResult, JobState, JobStatus, SubmitAccepted, SubmitRequest, WebhookBody } from './schemas.js';
export { createWebhookHandler, mountWebhook, parseWebhookBody, startWebhookServer } from './webhook.js';
export { DEFAULT_WEBHOOK_TOLERANCE_MS, signWebhook, WEBHOOK_SIGNATURE_HEADER, webhookSignatureProblem } from './webhook-signature.js';
export type { WebhookSignatureCheck } from './webhook-signature.js';
export type {
  CompletionListener,
  WebhookDelivery,
  MountWebhookOptions,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookResponse,
  WebhookServerOptions,
} from './webhook.js';
export type { LocalServer } from './http-server.js';
export {
  InvalidResponseError,
  InvalidWebhookError,
  QueryFailedError,
  ServiceClosedError,
  SubmitFailedError,
} from './errors.js';
export type { HttpFailureOptions, InvalidResponseOptions } from './errors.js';
