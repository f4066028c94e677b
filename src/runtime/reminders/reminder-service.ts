/**
 * The reminder service: one actor per system that fires due reminders. It
 * keeps no copy of the reminders: the store's `due` index is the due index,
 * read a page at a time, so 100,000 pending reminders cost the index and
 * nothing here but the firings in flight. A firing is delivered with `ask`
 * (activating a passivated target), and only once the handler has returned is
 * the reminder advanced in the store; a crash in between redelivers the same
 * firing after restart (at least once, with the same firing id).
 */
import { z } from 'zod';
import { InvalidConfigError, StewardError } from '../../errors.js';
import type { IndexPage, IndexQuery, StoredRecord } from '../ports/index.js';
import type { ActorContext, ActorStatePort } from '../actor-context.js';
import { defineActor, type ActorDefinition } from '../define-actor.js';
import type { Random } from '../random.js';
import { DUE_INDEX, jitter, nextNominal, REMINDERS_COLLECTION, type ReminderValue } from './reminder-record.js';

/**
 * Options of a system's reminder service (`reminders` in `ActorSystemOptions`).
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const emails = defineQueue({ name: 'emails', payload: z.object({ to: z.string() }), handler: async () => {} });
 * new ActorSystem({ persistence, reminders: { actors: [Cookie, emails.actor] } }); // fires what is due as soon as the system starts
 * ```
 */
export interface ReminderOptions {
  /** Actor types reminders may target, so due reminders fire after a restart before anything else refers to them. */
  readonly actors?: readonly ActorDefinition[];
  /** Longest sleep between two looks at the due index; bounds how late a wall-clock jump forward is noticed. Default 30,000 ms. */
  readonly maxSleepMs?: number;
  /** Firings delivered at once. Default 4,096. */
  readonly maxInFlight?: number;
  /** Timeout of one delivery. Default 30,000 ms. */
  readonly deliveryTimeoutMs?: number;
  /** First retry delay of a failed delivery, doubled per attempt up to 5 minutes. Default 1,000 ms. */
  readonly retryMs?: number;
  /**
   * On a cluster node (an ownership port that forwards messages): how often
   * a node whose reminder service runs on another node wakes it there, so
   * that once that node is gone this one takes the service over (within
   * about this plus the lease ttl). Default 5,000 ms; `ClusterNode` uses
   * half its lease ttl.
   */
  readonly watchEveryMs?: number;
}

/** The service's name in the system's registry. @internal */
export const REMINDER_SERVICE = 'steward.reminders';
const PAGE = 512;

interface Flight {
  readonly record: StoredRecord<ReminderValue>;
}

/** The service's in-memory state: firings in flight and where the due scan stands. @internal */
export interface ReminderServiceState {
  readonly inFlight: Map<string, Flight>;
  cursor: string | undefined;
  /** Something became due behind the cursor: scan again from the start once this scan ends. */
  rescan: boolean;
  indexed: boolean;
}

/** The store refused an advance because the reminder changed meanwhile (by code: the runtime does not import persistence). */
function isRevisionConflict(error: unknown): boolean {
  return error instanceof StewardError && error.code === 'ERR_REVISION_CONFLICT';
}

/** Errors after which a firing is dropped, not retried: the target cannot take it (bad payload, stopped for good, no such type). */
function isUndeliverable(error: unknown): boolean {
  const code = error instanceof StewardError ? error.code : undefined;
  return code === 'ERR_INVALID_MESSAGE' || code === 'ERR_ACTOR_STOPPED' || code === 'ERR_INVALID_CONFIG';
}

/** A system's reminder service: its actor type, and when it next looks at the index. @internal */
export interface ReminderService {
  readonly definition: ActorDefinition;
  /**
   * When the service will next look at the due index (Infinity: only when
   * told). A reminder due earlier must wake it; one due later need not.
   */
  sleepUntil: number;
  /** Whether the service actor runs in this system now (in a cluster it may run on another node). */
  local: boolean;
}

/**
 * Makes the service actor of one system; `lookup` finds an actor type by name.
 * @internal
 */
export function reminderService(lookup: (type: string) => ActorDefinition | undefined, options: ReminderOptions = {}): ReminderService {
  const maxSleepMs = options.maxSleepMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 4_096;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
  const retryMs = options.retryMs ?? 1_000;
  type Ctx = ActorContext<ReminderServiceState, typeof messages>;
  const messages = {
    wake: z.object({}),
    delivered: z.object({ id: z.string(), ok: z.boolean(), drop: z.boolean() }),
    advanced: z.object({ id: z.string() }),
  };

  const queryIndex = (persistence: ActorStatePort, query: IndexQuery): Promise<IndexPage<ReminderValue>> => {
    if (!persistence.queryIndex) throw new InvalidConfigError('reminders need a store with secondary indexes (queryIndex)');
    return persistence.queryIndex<ReminderValue>(REMINDERS_COLLECTION, DUE_INDEX.name, query);
  };

  async function ensureIndex(ctx: Ctx): Promise<void> {
    if (ctx.state.indexed) return;
    if (!ctx.persistence.defineIndex) throw new InvalidConfigError('reminders need a store with secondary indexes (defineIndex)');
    await ctx.persistence.defineIndex(REMINDERS_COLLECTION, DUE_INDEX);
    ctx.state.indexed = true;
  }

  /** Fires what is due, as far as the in-flight bound allows, then sleeps until the next due time. */
  async function scan(ctx: Ctx): Promise<void> {
    await ensureIndex(ctx);
    const state = ctx.state;
    const now = ctx.clock.now();
    while (state.inFlight.size < maxInFlight) {
      const page = await queryIndex(ctx.persistence, { lte: now, limit: PAGE, ...(state.cursor ? { cursor: state.cursor } : {}) });
      for (const record of page.records) {
        if (!state.inFlight.has(record.key) && state.inFlight.size < maxInFlight) fire(ctx, record);
      }
      state.cursor = page.next;
      if (!page.next) {
        if (!state.rescan) break;
        state.rescan = false;
      }
    }
    const next = (await queryIndex(ctx.persistence, { gt: now, limit: 1 })).records[0];
    if (next) {
      const delay = Math.min(maxSleepMs, Math.max(0, next.value.dueAt - now));
      ctx.startTimer('wake', delay, { type: 'wake', payload: {} });
      service.sleepUntil = now + delay;
    } else {
      ctx.cancelTimer('wake');
      service.sleepUntil = Infinity;
    }
  }

  function fire(ctx: Ctx, record: StoredRecord<ReminderValue>): void {
    const reminder = record.value;
    ctx.state.inFlight.set(record.key, { record });
    const definition = lookup(reminder.type);
    const firing = { id: `${reminder.name}@${reminder.scheduledAt}`, name: reminder.name, scheduledAt: reminder.scheduledAt };
    const base = reminder.message.payload;
    const payload = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...base, firing } : { firing };
    const delivered = definition
      ? ctx.ref(definition, reminder.key).ask(reminder.message.type, payload as never, { timeoutMs: deliveryTimeoutMs })
      : Promise.reject(new InvalidConfigError(`no actor type '${reminder.type}' is known to this system: list it in reminders.actors`));
    ctx.pipe(delivered, (outcome) => ({
      type: 'delivered',
      payload: { id: record.key, ok: outcome.ok, drop: !outcome.ok && isUndeliverable(outcome.error) && definition !== undefined },
    }));
  }

  /** Moves a delivered (or failed) firing on in the store: the next interval, gone, or a retry. */
  function advance(ctx: Ctx, id: string, ok: boolean, drop: boolean): void {
    const flight = ctx.state.inFlight.get(id);
    if (!flight) return;
    const { record } = flight;
    const reminder = record.value;
    const now = ctx.clock.now();
    const expectedRevision = record.revision;
    const op =
      !ok && !drop
        ? { op: 'patch' as const, collection: REMINDERS_COLLECTION, key: id, expectedRevision, patch: { dueAt: now + retryDelay(retryMs, reminder.attempts), attempts: reminder.attempts + 1 } }
        : reminder.everyMs > 0
          ? repeatPatch(id, expectedRevision, reminder, now, ctx.random)
          : { op: 'delete' as const, collection: REMINDERS_COLLECTION, key: id, expectedRevision };
    ctx.pipe(ctx.persistence.commit([op]), (outcome) => {
      // A conflict means the actor re-set or cancelled the reminder meanwhile: its write stands.
      if (!outcome.ok && !isRevisionConflict(outcome.error)) ctx.state.rescan = true;
      return { type: 'advanced', payload: { id } };
    });
  }

  const definition = defineActor({
    name: REMINDER_SERVICE,
    messages,
    initialState: (_key: string): ReminderServiceState => ({ inFlight: new Map(), cursor: undefined, rescan: false, indexed: false }),
    handlers: {
      wake: async (_payload, ctx) => {
        if (ctx.state.cursor !== undefined) ctx.state.rescan = true;
        await scan(ctx);
      },
      delivered: ({ id, ok, drop }, ctx) => advance(ctx, id, ok, drop),
      advanced: async ({ id }, ctx) => {
        ctx.state.inFlight.delete(id);
        // Scan again once half the window is free, or when the last firing lands (to arm the next sleep).
        if (ctx.state.inFlight.size === 0 || (ctx.state.cursor !== undefined && ctx.state.inFlight.size <= maxInFlight / 2)) await scan(ctx);
      },
    },
    // A throw here is a store failure: reload (nothing to load) and look at the index again after a backoff.
    supervision: { strategy: 'restart' },
    onStart: (ctx) => {
      service.local = true;
      return scan(ctx);
    },
    onStop: () => {
      service.local = false;
    },
  });
  const service: ReminderService = { definition, sleepUntil: Infinity, local: false };
  return service;
}

function repeatPatch(id: string, expectedRevision: number, reminder: ReminderValue, now: number, random: Random) {
  const nominalAt = nextNominal(reminder.nominalAt, reminder.everyMs, now);
  const dueAt = nominalAt + jitter(reminder.jitterMs, random);
  return {
    op: 'patch' as const,
    collection: REMINDERS_COLLECTION,
    key: id,
    expectedRevision,
    patch: { nominalAt, dueAt, scheduledAt: dueAt, firings: reminder.firings + 1, attempts: 0 },
  };
}

function retryDelay(retryMs: number, attempts: number): number {
  return Math.min(300_000, retryMs * 2 ** Math.min(attempts, 20));
}
