import { InvalidMessageError, type Clock, type PayloadOf } from '../../index.js';
import type { CookDefinition } from './cook-actor.js';
import { looksLikeCookJobId, parseCookJobId } from './keys.js';
import { createWebhookHandler, InvalidWebhookError, type WebhookBody, type WebhookHandler, type WebhookHandlerOptions } from './service/index.js';

/**
 * Where the webhook sends completions: an `ActorSystem`, or a cluster node
 * (`ClusterNode`), whose refs reach the cook on the node that owns it.
 *
 * @example
 * ```ts
 * const target: CookRoutes = system; // or: await ClusterNode.start({ …, actors: [Cook, Poller] })
 * ```
 */
export interface CookRoutes {
  /** The replay window's clock (the system's). */
  readonly clock: Clock;
  ref(definition: CookDefinition, key: string): { tell(type: 'pieceCompleted', payload: PayloadOf<CookDefinition, 'pieceCompleted'>): unknown };
}

/**
 * The webhook path into the cooks: a framework-agnostic handler (mount it
 * with `mountWebhook` or any HTTP framework) that checks the generation
 * service's signature (401 before anything is parsed), validates the body
 * with zod, and routes the completion to its cook by the job id alone. Bad
 * bodies, and ids shaped like cook job ids that are not valid ones, get 400
 * `ERR_INVALID_WEBHOOK` (a permanent error: never "retry later") and reach
 * no actor; ids that are not ours at all are acknowledged and dropped. The
 * replay window is measured on the system's clock.
 *
 * @example
 * ```ts
 * const server = await startWebhookServer(createCookWebhook(system, Cook, { secret: process.env.WEBHOOK_SECRET! }));
 * ```
 */
export function createCookWebhook(routes: CookRoutes, cook: CookDefinition, options: Omit<WebhookHandlerOptions, 'clock'>): WebhookHandler {
  return createWebhookHandler(async (completion: WebhookBody) => {
    const job = parseCookJobId(completion.jobId);
    if (!job) {
      if (looksLikeCookJobId(completion.jobId)) {
        const issues = [{ path: ['jobId'], code: 'invalid_format', message: 'not a cook job id (collection~user~piece~generation)' }];
        throw new InvalidWebhookError(`invalid webhook body: jobId '${completion.jobId}' is not a cook job id`, issues);
      }
      return; // not one of ours: acknowledged, so the sender stops retrying
    }
    try {
      await routes.ref(cook, job.cookKey).tell('pieceCompleted', {
        jobId: completion.jobId,
        success: completion.success,
        ...(completion.result ? { result: completion.result } : {}),
        ...(completion.error ? { error: completion.error.slice(0, 1_000) } : {}),
        source: 'webhook',
      });
    } catch (error) {
      // The body passed the wire schema but not the cook's message schema (here, or at the owner node): as permanent as a bad body.
      if (error instanceof InvalidMessageError) throw new InvalidWebhookError(error.message, error.issues, { cause: error });
      if ((error as { code?: unknown }).code === 'ERR_INVALID_MESSAGE') throw new InvalidWebhookError((error as Error).message, [], { cause: error });
      throw error;
    }
  }, { ...options, clock: routes.clock });
}
