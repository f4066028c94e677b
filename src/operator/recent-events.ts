/**
 * The last incidents of a system, for the dashboard: dead letters, crashes,
 * restarts, failed tasks, overflows. Ids, message types and codes only:
 * never a payload, never a foreign error's text.
 */
import type { ActorSystem, RuntimeEvents } from '../index.js';

/**
 * One incident as the dashboard lists it.
 *
 * @example
 * ```ts
 * const line = (incident: Incident) => `${new Date(incident.at).toISOString()} ${incident.event} ${incident.actor} ${incident.detail}`;
 * ```
 */
export interface Incident {
  readonly at: number;
  readonly event: string;
  readonly actor: string;
  readonly detail: string;
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : typeof error;
};

/** Keeps the last `limit` incidents of `system` until closed. @internal */
export class RecentIncidents {
  readonly #items: Incident[] = [];
  readonly #off: Array<() => void> = [];

  constructor(
    private readonly system: ActorSystem,
    private readonly limit = 30,
  ) {
    this.#on('dead.letter', ({ messageType, reason }) => `'${messageType}' (${reason})`, 'dead letter');
    this.#on('actor.crashed', ({ messageType, error }) => `${codeOf(error)}${messageType ? ` handling '${messageType}'` : ''}`, 'crash');
    this.#on('actor.restarted', ({ attempt }) => `attempt ${attempt}`, 'restart');
    this.#on('task.failed', ({ pool, task, code }) => `${task} on ${pool}: ${code}`, 'task failed');
    this.#on('mailbox.overflow', ({ messageType, policy }) => `'${messageType}' (${policy})`, 'overflow');
  }

  get items(): readonly Incident[] {
    return this.#items;
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
  }

  #on<K extends 'dead.letter' | 'actor.crashed' | 'actor.restarted' | 'task.failed' | 'mailbox.overflow'>(
    name: K,
    detail: (event: RuntimeEvents[K]) => string,
    label: string,
  ): void {
    const listener = (event: RuntimeEvents[K]) => {
      this.#items.unshift({ at: this.system.clock.now(), event: label, actor: `${event.type}/${event.key}`, detail: detail(event) });
      if (this.#items.length > this.limit) this.#items.length = this.limit;
    };
    this.system.events.on(name, listener);
    this.#off.push(() => this.system.events.off(name, listener));
  }
}
