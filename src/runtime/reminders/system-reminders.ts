/**
 * A system's side of reminders: its reminder service (made on demand), the
 * actor types reminders may reach, and waking the service only when a newly
 * set reminder falls due before the service would look anyway. On a cluster
 * node the service may run on another node: it is then woken through the
 * system's routing, and watched so that a survivor takes it over.
 * @internal
 */
import type { Clock } from '../clock.js';
import type { ActorDefinition } from '../define-actor.js';
import { reminderService, type ReminderOptions, type ReminderService } from './reminder-service.js';

/** The service actor's key: there is one per system. @internal */
export const REMINDER_SERVICE_KEY = 'service';

/** How often, by default, a node whose service runs on another node checks that it still runs there. */
const DEFAULT_WATCH_EVERY_MS = 5_000;

/** What the reminders of one system work with. @internal */
export interface SystemRemindersParts {
  readonly options: ReminderOptions | undefined;
  /** The actor type of that name, if the system knows it. */
  readonly lookup: (type: string) => ActorDefinition | undefined;
  /** Tells the service to look at the due index (through the system: routed to its owner in a cluster). */
  readonly wake: (service: ActorDefinition) => void;
  readonly clock: Clock;
  /** Whether the service may run on another node (the system's ownership port forwards messages). */
  readonly clustered: boolean;
  /** False once the system shuts down: no more wakes. */
  readonly running: () => boolean;
}

/** @internal */
export class SystemReminders {
  #service: ReminderService | undefined;

  constructor(private readonly parts: SystemRemindersParts) {}

  /** Made on first use: most systems never set a reminder, and a service's actor type costs a definition and its schemas. */
  get #made(): ReminderService {
    if (!this.#service) {
      this.#service = reminderService(this.parts.lookup, this.parts.options);
      if (this.parts.clustered) this.#watch(this.#service);
    }
    return this.#service;
  }

  /** Starts the service (it fires what is already due, then sleeps until the next due time). */
  start(): void {
    const service = this.#made;
    service.sleepUntil = -Infinity;
    this.parts.wake(service.definition);
  }

  /**
   * A turn committed a reminder due at `earliestDue`. The service is woken
   * unless it runs here and looks before then anyway; when it runs on
   * another node, when it looks is not known here, so it is always woken.
   */
  changed(earliestDue: number): void {
    const service = this.#made;
    if (service.local || !this.parts.clustered) {
      if (earliestDue >= service.sleepUntil) return;
      service.sleepUntil = earliestDue;
    }
    this.parts.wake(service.definition);
  }

  /**
   * On a cluster node: while the service runs elsewhere, wakes it now and
   * then, so that once its node is gone (its lease run out) this node takes
   * it over and fires what fell due meanwhile.
   */
  #watch(service: ReminderService): void {
    const everyMs = this.parts.options?.watchEveryMs ?? DEFAULT_WATCH_EVERY_MS;
    const look = () => {
      if (!this.parts.running()) return;
      if (!service.local) this.parts.wake(service.definition);
      this.parts.clock.setTimer(everyMs, look);
    };
    this.parts.clock.setTimer(everyMs, look);
  }
}
