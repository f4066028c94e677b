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
  readonly #service: ReminderService;

  constructor(
    options: ReminderOptions | undefined,
    definitions: ReadonlyMap<string, ActorDefinition>,
    private readonly wake: (service: ActorDefinition) => void,
  ) {
    const listed = new Map((options?.actors ?? []).map((definition) => [definition.name, definition] as const));
    this.#service = reminderService((type) => definitions.get(type) ?? listed.get(type), options);
  }

  /** Starts the service (it fires what is already due, then sleeps until the next due time). */
  start(): void {
    this.#service.sleepUntil = -Infinity;
    this.wake(this.#service.definition);
  }

  /** A turn committed a reminder due at `earliestDue`. */
  changed(earliestDue: number): void {
    if (earliestDue >= this.#service.sleepUntil) return;
    this.#service.sleepUntil = earliestDue;
    this.wake(this.#service.definition);
  }
}
