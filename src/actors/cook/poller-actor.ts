/**
 * The poller: one per cook, it asks the service about jobs the cook still
 * counts as running, and reports finished ones back — the path that catches
 * webhooks that never came.
 */
import { z } from 'zod';
import { defineActor, type ActorDefinition } from '../../index.js';
import { CookJobIdSchema } from './messages.js';
import { JobStatusSchema, type Submitter } from './service/index.js';

/** Most jobs one poll may name: a cook never has more running than its maxConcurrent. */
const MAX_JOBS_PER_POLL = 1_000;

/**
 * Defines the poller for a submitter; `cook` names the cook definition it reports to.
 * @internal used by {@link createCookActors}
 */
export function createCookPoller(submitter: Submitter, cook: () => ActorDefinition) {
  return defineActor({
    name: 'cook-poller',
    messages: {
      poll: z.object({ jobIds: z.array(CookJobIdSchema).max(MAX_JOBS_PER_POLL) }),
      /** `status: null`: the service does not know the job. */
      answered: z.object({ jobId: CookJobIdSchema, status: JobStatusSchema.nullable() }),
      /** The query itself failed: ask again at the next poll. */
      unanswered: z.object({ jobId: CookJobIdSchema }),
    },
    initialState: (_key: string) => ({ inFlight: [] as string[] }),
    passivation: { idleAfterMs: 30_000 },
    handlers: {
      poll: ({ jobIds }, ctx) => {
        for (const jobId of jobIds) {
          if (ctx.state.inFlight.includes(jobId)) continue; // one query per job at a time: polls never stack
          ctx.state.inFlight.push(jobId);
          ctx.pipe(submitter.query(jobId), (outcome) =>
            outcome.ok ? { type: 'answered', payload: { jobId, status: outcome.value ?? null } } : { type: 'unanswered', payload: { jobId } },
          );
        }
      },
      unanswered: ({ jobId }, ctx) => {
        ctx.state.inFlight = ctx.state.inFlight.filter((id) => id !== jobId);
      },
      answered: ({ jobId, status }, ctx) => {
        ctx.state.inFlight = ctx.state.inFlight.filter((id) => id !== jobId);
        if (status === null) {
          ctx.ref(cook(), ctx.key).tell('jobUnknown', { jobId });
          return;
        }
        if (status.status !== 'succeeded' && status.status !== 'failed') return;
        ctx.ref(cook(), ctx.key).tell('pieceCompleted', {
          jobId,
          success: status.status === 'succeeded',
          ...(status.result ? { result: status.result } : {}),
          ...(status.error ? { error: status.error.slice(0, 1_000) } : {}),
          source: 'poller',
        });
      },
    },
  });
}
