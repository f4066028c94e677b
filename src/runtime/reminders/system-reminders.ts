/**
 * A system's side of reminders: its reminder service (made on demand), the
 * actor types reminders may reach, and waking the service only when a newly
 * set reminder falls due before the service would look anyway.
 * @internal
 */
import type { ActorDefinition } from '../define-actor.js';
import { reminderService, type ReminderOptions, type ReminderService } from './reminder-service.js';

/** The service actor's key: there is one per system. @internal */
export const REMINDER_SERVICE_KEY = 'service';

/** @internal */
export class SystemReminders {
  #service: ReminderService | undefined;

  constructor(
    private readonly options: ReminderOptions | undefined,
    private readonly definitions: ReadonlyMap<string, ActorDefinition>,
    private readonly wake: (service: ActorDefinition) => void,
  ) {}

  /** Made on first use: most systems never set a reminder, and a service's actor type costs a definition and its schemas. */
  get #made(): ReminderService {
    if (!this.#service) {
      const listed = new Map((this.options?.actors ?? []).map((definition) => [definition.name, definition] as const));
      this.#service = reminderService((type) => this.definitions.get(type) ?? listed.get(type), this.options);
    }
    return this.#service;
  }

  /** Starts the service (it fires what is already due, then sleeps until the next due time). */
  start(): void {
    const service = this.#made;
    service.sleepUntil = -Infinity;
    this.wake(service.definition);
  }

  /** A turn committed a reminder due at `earliestDue`. */
  changed(earliestDue: number): void {
    const service = this.#made;
    if (earliestDue >= service.sleepUntil) return;
    service.sleepUntil = earliestDue;
    this.wake(service.definition);
  }
}
