/**
 * What `ctx.remind`, `ctx.cancelReminder` and `ctx.reminders` do for one
 * actor: stage the reminder's record in the turn, and list the actor's
 * reminders (durable ones, overlaid with the turn's own changes).
 * @internal
 */
import type { MessageSchemas, MessageOf } from '../define-actor.js';
import type { SelfDefinition, PersistencePort } from '../actor-context.js';
import type { Random } from '../random.js';
import { actorPrefix, REMINDERS_COLLECTION, reminderKey, remindOp, type ReminderInfo, type ReminderSchedule, type ReminderValue } from './reminder-record.js';
import type { TurnWrites } from './turn-writes.js';

/**
 * A reminder's message: one of the actor's own, without `firing` (the
 * service adds it at each firing).
 *
 * @example
 * ```ts
 * const message: ReminderMessage<typeof CookieMessages> = { type: 'rotate', payload: {} };
 * ```
 */
export type ReminderMessage<TMessages extends MessageSchemas> = WithoutFiring<MessageOf<SelfDefinition<unknown, TMessages>>>;

type WithoutFiring<TMessage> = TMessage extends { readonly type: infer K; readonly payload: infer P }
  ? { readonly type: K; readonly payload: P extends object ? Omit<P, 'firing'> : P }
  : never;

interface Actor {
  readonly type: string;
  readonly key: string;
}

/** @internal */
export function stageReminder(writes: TurnWrites, actor: Actor, name: string, schedule: ReminderSchedule, message: { type: string; payload: unknown }, now: number, random: Random): void {
  const { op, dueAt } = remindOp(actor, name, schedule, message, now, random);
  writes.stage(op, dueAt);
}

/** @internal */
export function stageCancel(writes: TurnWrites, actor: Actor, name: string): void {
  writes.stage({ op: 'delete', collection: REMINDERS_COLLECTION, key: reminderKey(actor.type, actor.key, name) });
}

/** @internal */
export async function listReminders(persistence: PersistencePort, actor: Actor, writes: TurnWrites | undefined): Promise<ReminderInfo[]> {
  const stored = await persistence.query<ReminderValue>(REMINDERS_COLLECTION, { prefix: actorPrefix(actor.type, actor.key) });
  const byKey = new Map(stored.map((record) => [record.key, record.value] as const));
  // The turn's own changes, not yet committed, win.
  const prefix = actorPrefix(actor.type, actor.key);
  for (const op of writes?.staged(REMINDERS_COLLECTION) ?? []) {
    if (!op.key.startsWith(prefix)) continue;
    if (op.op === 'put') byKey.set(op.key, op.value as ReminderValue);
    else byKey.delete(op.key);
  }
  return [...byKey.values()].map(info).sort((a, b) => a.dueAt - b.dueAt || (a.name < b.name ? -1 : 1));
}

function info(value: ReminderValue): ReminderInfo {
  return { name: value.name, dueAt: value.dueAt, ...(value.everyMs > 0 ? { everyMs: value.everyMs } : {}), message: value.message };
}
