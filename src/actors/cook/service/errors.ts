/**
 * Errors of the cook's HTTP parts: the submitter client, the webhook handler
 * and the local generation service. Each has a fixed `name`, a literal `code`,
 * the job id in its message and the underlying error as `cause`.
 */
import { errorClass, issuesErrorClass, type MessageIssue, type StewardErrorOptions } from '../../../errors.js';

/** Options of errors about one HTTP exchange for one job. */
export interface HttpFailureOptions extends StewardErrorOptions {
  /** The job the request was about. */
  readonly jobId: string;
  /** The HTTP status, when a response arrived at all (absent on network errors and timeouts). */
  readonly status?: number;
}

/**
 * Declares an error about one HTTP exchange, carrying `jobId` and `status` as
 * data so callers (the cook actor's retry policy) never parse messages.
 */
function httpFailureClass<TCode extends string>(name: string, code: TCode) {
  return class extends errorClass(name, code) {
    readonly jobId: string;
    readonly status: number | undefined;
    constructor(message: string, options: HttpFailureOptions) {
      super(message, options);
      this.jobId = options.jobId;
      this.status = options.status;
    }
  };
}

/**
 * A submission was not accepted: a non-2xx answer, a network error or no
 * answer within the timeout. The job may or may not exist on the service (a
 * lost acknowledgement looks the same), so resubmit with the same job id or
 * query it; never assume it is running.
 *
 * @example
 * ```ts
 * declare const submitter: Submitter;
 * declare const job: SubmitRequest;
 * declare function retryLater(jobId: string): void;
 * try { await submitter.submit(job); }
 * catch (err) { if (err instanceof SubmitFailedError && err.status !== 409) retryLater(err.jobId); }
 * ```
 */
export class SubmitFailedError extends httpFailureClass('SubmitFailedError', 'ERR_SUBMIT_FAILED') {}

/**
 * A status query failed: a non-2xx answer other than 404, a network error or a timeout.
 *
 * @example
 * ```ts
 * declare const submitter: Submitter;
 * const status = await submitter.query(jobId).catch((err: unknown) => (err instanceof QueryFailedError ? 'unknown' : Promise.reject(err)));
 * ```
 */
export class QueryFailedError extends httpFailureClass('QueryFailedError', 'ERR_QUERY_FAILED') {}

/** Options of {@link InvalidResponseError}. */
export interface InvalidResponseOptions extends HttpFailureOptions {
  readonly issues: readonly MessageIssue[];
}

/**
 * The service answered 2xx with something that is not JSON or does not match
 * the protocol's schema (or is about another job). `issues` says what.
 *
 * @example
 * ```ts
 * declare const err: unknown; // what the submitter rejected with
 * if (err instanceof InvalidResponseError) log.warn(err.message, err.issues);
 * ```
 */
export class InvalidResponseError extends errorClass('InvalidResponseError', 'ERR_INVALID_RESPONSE') {
  readonly jobId: string;
  readonly status: number | undefined;
  readonly issues: readonly MessageIssue[];
  constructor(message: string, options: InvalidResponseOptions) {
    super(message, options);
    this.jobId = options.jobId;
    this.status = options.status;
    this.issues = options.issues;
  }
}

/**
 * A webhook body does not match `WebhookBodySchema`; nothing was reported.
 *
 * @example
 * ```ts
 * declare const body: unknown;
 * declare function reply(status: number, body: unknown): void;
 * try { parseWebhookBody(body); } catch (err) { if (err instanceof InvalidWebhookError) reply(400, err.issues); }
 * ```
 */
export class InvalidWebhookError extends issuesErrorClass('InvalidWebhookError', 'ERR_INVALID_WEBHOOK') {}

/**
 * The generation service is closed; pending waits and restarts are refused with this.
 *
 * @example
 * ```ts
 * declare const service: { idle(): Promise<void> }; // a generation service, e.g. the demo's local one
 * await service.idle().catch((err: unknown) => { if (!(err instanceof ServiceClosedError)) throw err; });
 * ```
 */
export class ServiceClosedError extends errorClass('ServiceClosedError', 'ERR_SERVICE_CLOSED') {}
