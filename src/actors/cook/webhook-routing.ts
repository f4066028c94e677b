import type { ActorSystem } from '../../index.js';
import type { CookDefinition } from './cook-actor.js';
import { parseCookJobId } from './keys.js';
import { createWebhookHandler, type WebhookBody, type WebhookHandler } from './service/index.js';

/**
 * The webhook path into the cooks: a framework-agnostic handler (mount it
 * with `mountWebhook` or any HTTP framework) that validates the body with zod
 * and routes the completion to its cook by the job id alone. Bad bodies get
 * a 400 with `ERR_INVALID_WEBHOOK` and reach no actor.
 *
 * @example
 * ```ts
 * const server = await startWebhookServer(createCookWebhook(system, Cook));
 * ```
 */
export function createCookWebhook(system: ActorSystem, cook: CookDefinition): WebhookHandler {
  return createWebhookHandler((completion: WebhookBody) => {
    const job = parseCookJobId(completion.jobId);
    if (!job) return; // not one of ours: acknowledged, so the sender stops retrying
    system.ref(cook, job.cookKey).tell('pieceCompleted', {
      jobId: completion.jobId,
      success: completion.success,
      ...(completion.result ? { result: completion.result } : {}),
      ...(completion.error ? { error: completion.error.slice(0, 1_000) } : {}),
      source: 'webhook',
    });
  });
}
