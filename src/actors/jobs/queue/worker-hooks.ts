/**
 * A queue's part in a worker's graceful shutdown, in the shape
 * `WorkerClient` takes: stop starting jobs, wait until none runs (told by
 * the queue's own events, not by polling), and past the grace deadline
 * abort what still runs and requeue it without using up an attempt.
 */
import type { ActorRef } from '../../../index.js';
import type { QueueDefinition } from './queue-actor.js';
import type { QueueEventBus, QueueEvents } from './events.js';

/**
 * What {@link queueShutdownHooks} returns: pass it to `new WorkerClient({ ...hooks })`.
 *
 * @example
 * ```ts
 * declare const registry: RegistryClient;
 * const media = defineQueue({ name: 'media', payload: z.object({ postUrl: z.string() }) });
 * const client = new WorkerClient({ registry, workerType: 'media', ...queueShutdownHooks(media.ref(system), media.events) });
 * ```
 */
export interface QueueShutdownHooks {
  readonly stopDispatch: () => void;
  readonly drain: () => Promise<void>;
  readonly abort: () => Promise<number>;
}

const ENDINGS = ['completed', 'failed', 'cancelled', 'stalled'] as const satisfies readonly (keyof QueueEvents)[];

/**
 * The shutdown hooks of one queue.
 *
 * @example
 * ```ts
 * const media = defineQueue({ name: 'media', payload: z.object({ postUrl: z.string() }) });
 * const hooks = queueShutdownHooks(media.ref(system), media.events);
 * hooks.stopDispatch();
 * await Promise.race([hooks.drain(), new Promise((resolve) => setTimeout(resolve, 25_000))]);
 * await hooks.abort(); // requeued, attempts refunded
 * ```
 */
export function queueShutdownHooks(queue: ActorRef<QueueDefinition<any>>, events: QueueEventBus): QueueShutdownHooks {
  return {
    stopDispatch: () => queue.tell('halt', {}),
    drain: () =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          void queue.ask('counts', {}).then(({ running }) => {
            if (running > 0) return;
            for (const type of ENDINGS) events.off(type, check);
            resolve();
          }, reject);
        };
        for (const type of ENDINGS) events.on(type, check);
        check();
      }),
    abort: () => queue.ask('abortRunning', {}),
  };
}
