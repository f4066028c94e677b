import type { InboundTransit } from '../actor-system-options.js';
import type { OperationSet } from './operations.js';

interface InTransit {
  readonly type: string;
  readonly deliver: () => void;
  readonly abandoned: () => boolean;
}

/**
 * Messages from outside the system on their way in, under the
 * `delay-message` fault: each target actor has one delivery step enabled at a
 * time, so messages to one actor arrive in the order they were sent while the
 * strategy decides when. One per system incarnation: what a crashed process
 * had in transit is lost with it.
 * @internal
 */
export class Transit {
  readonly #queues = new Map<string, InTransit[]>();

  constructor(
    private readonly operations: OperationSet,
    private readonly alive: { readonly value: boolean },
  ) {}

  readonly send: InboundTransit = (to, type, deliver, abandoned) => {
    if (!this.alive.value) return;
    let queue = this.#queues.get(to);
    if (!queue) this.#queues.set(to, (queue = []));
    queue.push({ type, deliver, abandoned });
    if (queue.length === 1) this.#enableHead(to, queue);
  };

  #enableHead(to: string, queue: InTransit[]): void {
    const head = queue[0] as InTransit;
    this.operations.add({
      kind: 'delivery',
      owner: `transit ${to}`,
      label: `deliver ${head.type} to ${to}`,
      run: () => {
        queue.shift();
        // Asks whose callers gave up meanwhile are dropped here, as the mailbox would drop them untaken: a client that
        // retried through a long delay leaves a backlog of them, which arrives in one step rather than one step each.
        while (queue.length > 0 && (queue[0] as InTransit).abandoned()) queue.shift();
        // The next one first: delivering may send another message to the same actor.
        if (queue.length > 0) this.#enableHead(to, queue);
        else this.#queues.delete(to);
        head.deliver();
      },
    });
  }
}
