/**
 * What a reminder is in the store: one record per `(actor type, key, name)`
 * in one collection, with its next due time indexed, so the reminder service
 * finds what is due with an index page instead of holding every reminder.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../../errors.js';
import type { IndexSpec, WriteOp } from '../ports/index.js';
import type { Random } from '../random.js';

/**
 * The collection that holds every reminder of a system, one record per
 * `(actor type, key, name)` under {@link reminderKey}: what a tool that reads
 * a store (an operator view, a test) looks in to see an actor's reminders.
 *
 * @example
 * ```ts
 * const tick = await store.get(REMINDERS_COLLECTION, reminderKey('cook', 'autumn~ann', 'tick'));
 * ```
 */
export const REMINDERS_COLLECTION = 'steward.reminders';
/** The index of reminders by next due time. @internal */
export const DUE_INDEX: IndexSpec = { name: 'due', fields: [{ name: 'dueAt', type: 'number' }] };

/**
 * When a reminder fires: once at an instant (ms since the epoch, on the
 * system's clock) or after a delay, or every interval, optionally with up to
 * `jitterMs` added to each firing (spreads a fleet's firings) and a first
 * firing after `firstAfterMs` (default: one interval).
 *
 * @example
 * ```ts
 * ctx.remind('rotate', { everyMs: 24 * 3600_000, jitterMs: 60_000 }, { type: 'rotate', payload: {} });
 * ctx.remind('lease', { afterMs: 30_000 }, { type: 'leaseExpired', payload: { jobId } });
 * ctx.remind('report', { at: Date.parse('2026-12-24T09:00:00Z') }, { type: 'report', payload: {} });
 * ```
 */
export type ReminderSchedule =
  | { readonly at: number }
  | { readonly afterMs: number }
  | { readonly everyMs: number; readonly jitterMs?: number; readonly firstAfterMs?: number };

const ms = z.number().int().min(0).max(100 * 365 * 24 * 3600_000);
const scheduleSchema = z.union([
  z.strictObject({ at: z.number().int().min(0) }),
  z.strictObject({ afterMs: ms }),
  z.strictObject({ everyMs: ms.min(1), jitterMs: ms.optional(), firstAfterMs: ms.optional() }),
]);
const nameSchema = z.string().regex(/^[^\u0000-\u001f]{1,200}$/, 'reminder names are 1-200 characters without control characters');

/** A reminder as stored. @internal */
export interface ReminderValue {
  readonly type: string;
  readonly key: string;
  readonly name: string;
  readonly message: { readonly type: string; readonly payload: unknown };
  /** `everyMs` 0 for a one-shot reminder. */
  readonly everyMs: number;
  readonly jitterMs: number;
  /** The firing's time before jitter: the next interval counts from it, so jitter never drifts the schedule. */
  readonly nominalAt: number;
  /** When the current firing is due: `scheduledAt`, or later while a failed delivery waits to be retried. */
  readonly dueAt: number;
  /** The current firing's scheduled time (jitter included); with the name, its id. */
  readonly scheduledAt: number;
  /** Firings delivered so far. */
  readonly firings: number;
  /** Failed deliveries of the current firing (drives the retry backoff). */
  readonly attempts: number;
}

/**
 * What a reminder message carries besides its own payload: the firing's id
 * (stable across redeliveries of the same firing, so a handler can be
 * idempotent) and its scheduled time. Add `firing: reminderFiring` to a
 * message's schema to receive it.
 *
 * @example
 * ```ts
 * const Rotator = defineActor({
 *   name: 'rotator',
 *   messages: { rotate: z.object({ firing: reminderFiring }) },
 *   initialState: (_key: string) => ({ lastFiring: '' }),
 *   handlers: { rotate: ({ firing }, ctx) => { if (ctx.state.lastFiring === firing.id) return; ctx.state.lastFiring = firing.id; } },
 * });
 * ```
 */
export const reminderFiring = z.object({ id: z.string(), name: z.string(), scheduledAt: z.number() });

/**
 * A reminder as `ctx.reminders()` lists it.
 *
 * @example
 * ```ts
 * const DAY = 24 * 60 * 60 * 1_000;
 * if (!(await ctx.reminders()).some((r) => r.name === 'rotate')) ctx.remind('rotate', { everyMs: DAY }, { type: 'rotate', payload: {} });
 * ```
 */
export interface ReminderInfo {
  readonly name: string;
  readonly dueAt: number;
  readonly everyMs?: number;
  readonly message: { readonly type: string; readonly payload: unknown };
}

/**
 * The record key in {@link REMINDERS_COLLECTION} of the reminder `name` of
 * the actor `(type, key)`; a JSON array, so no separator can be forged by a key.
 *
 * @example
 * ```ts
 * const armed = (await store.get(REMINDERS_COLLECTION, reminderKey('cookie', 'shop-ann', 'rotate'))) !== undefined;
 * ```
 */
export function reminderKey(type: string, key: string, name: string): string {
  return JSON.stringify([type, key, name]);
}

/** The key prefix every reminder of one actor shares. @internal */
export function actorPrefix(type: string, key: string): string {
  return JSON.stringify([type, key, '']).slice(0, -'""]'.length);
}

/** The put that (re)places a reminder; throws `ERR_INVALID_CONFIG` for a bad name or schedule. @internal */
export function remindOp(
  actor: { readonly type: string; readonly key: string },
  name: string,
  schedule: ReminderSchedule,
  message: { readonly type: string; readonly payload: unknown },
  now: number,
  random: Random,
): { op: WriteOp; dueAt: number } {
  const checkedName = nameSchema.safeParse(name);
  if (!checkedName.success) throw new InvalidConfigError(`reminder name ${JSON.stringify(name)} of ${actor.type}/${actor.key}: ${checkedName.error.issues[0]?.message}`);
  const parsed = scheduleSchema.safeParse(schedule);
  if (!parsed.success) {
    throw new InvalidConfigError(`reminder '${name}' of ${actor.type}/${actor.key} has no valid schedule: give { at }, { afterMs } or { everyMs, jitterMs?, firstAfterMs? }`, { cause: parsed.error });
  }
  const s = parsed.data;
  const everyMs = 'everyMs' in s ? s.everyMs : 0;
  const jitterMs = 'everyMs' in s ? (s.jitterMs ?? 0) : 0;
  const nominalAt = 'at' in s ? s.at : 'afterMs' in s ? now + s.afterMs : now + (s.firstAfterMs ?? s.everyMs);
  const dueAt = nominalAt + jitter(jitterMs, random);
  const value: ReminderValue = { type: actor.type, key: actor.key, name, message: { type: message.type, payload: message.payload }, everyMs, jitterMs, nominalAt, dueAt, scheduledAt: dueAt, firings: 0, attempts: 0 };
  return { op: { op: 'put', collection: REMINDERS_COLLECTION, key: reminderKey(actor.type, actor.key, name), value }, dueAt };
}

/**
 * The next due time of a repeating reminder fired at `nominalAt`: the first
 * interval after `now`, so firings missed while the system was down are
 * caught up once, not once per missed interval.
 * @internal
 */
export function nextNominal(nominalAt: number, everyMs: number, now: number): number {
  const missed = Math.max(0, Math.floor((now - nominalAt) / everyMs));
  return nominalAt + (missed + 1) * everyMs;
}

/** Up to `jitterMs` of random delay. @internal */
export function jitter(jitterMs: number, random: Random): number {
  return jitterMs > 0 ? Math.floor(random.next() * jitterMs) : 0;
}
