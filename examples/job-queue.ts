// The README's job-queue example: one queue actor owns its jobs; claims are fenced by attempt ids.
import { createServer } from 'node:http';
import { z } from 'zod';
import { ActorSystem } from 'steward';
import { LowdbStore, Persistence } from 'steward/persistence';
import { createQueueHttpHandler, defineQueue, httpQueueConsumer } from 'steward/jobs';

const thumbnails = defineQueue({
  name: 'thumbnails',
  payload: z.object({ path: z.string() }), // bad payloads: ERR_INVALID_MESSAGE, nothing stored
  concurrency: 4,
  retry: { attempts: 5, backoff: { delayMs: 1_000, jitter: 0.5 }, noRetryCodes: ['ERR_NOT_AN_IMAGE'] },
  timeoutMs: 60_000,
  handler: async ({ path }, { signal, progress }) => {
    progress(50); // stored on the job, and a `progress` event
    if (signal.aborted) throw signal.reason; // cancelled, timed out or shutting down
    return { thumbnail: `${path}.jpg` };
  },
});
const system = new ActorSystem({ persistence: new Persistence(await LowdbStore.open({ dir: './data' })), reminders: { actors: [thumbnails.actor] } });
thumbnails.events.on('failed', ({ jobId, error, final }) => final && console.error(`${jobId}: ${error.code}`));
const queue = thumbnails.ref(system); // recovers jobs a crash left running, then dispatches
await queue.ask('enqueue', { payload: { path: 'a.png' }, options: { idempotencyKey: 'upload-1', delayMs: 5_000 } });

// A pull queue (no handler) served over HTTP: other processes claim under a lease and report by attempt id.
const renders = defineQueue({ name: 'renders', payload: z.object({ frame: z.number().int() }), leaseMs: 30_000 });
createServer((req, res) => void (createQueueHttpHandler(renders.ref(system))(req, res) || res.writeHead(404).end())).listen(8080, '127.0.0.1');
const consumer = httpQueueConsumer('http://127.0.0.1:8080/queues/renders');
const claim = await consumer.claim({ consumer: 'gpu-1' }); // null when nothing is ready
if (claim) await consumer.complete(claim.job.id, claim.attemptId, { ok: true }); // a superseded attempt: ERR_STALE_ATTEMPT
