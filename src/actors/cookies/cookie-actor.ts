/**
 * The cookie actor: one per cookie. It alone starts that cookie's
 * rotations (at most one in flight; a request meanwhile joins it), commits
 * each outcome as one write of report + cookie + monitor, and keeps its
 * schedule in durable reminders. Two rotators of one cookie, the seed's bug,
 * cannot exist: the runtime holds one owner per key.
 */
import { InvalidStateError, NotFoundError } from '../../errors.js';
import { defineActor, type ActorContext, type PassivationOptions } from '../../index.js';
import { configProblem, taskFailure } from './attempt.js';
import { CookieMessages } from './messages.js';
import type { CookieProviders } from './providers.js';
import { RotationJoins, type RotationSummary, type RotationTicket } from './rotation-joins.js';
import { armRotation, disarm, scheduleAfterOutcome } from './rotation-schedule.js';
import { applyOutcome, COOKIE_REPORTS, COOKIES, initialCookieState, monitorOp, reportKey, retainReport, restingStatus, snapshotOf, type AttemptOutcome, type ReportRetention } from './rotation-state.js';
import { ROTATE_POOL } from './rotate-task.js';
import { CookieStateSchema, type CookieState, type MaskedKey, type RotateResult, type RotationReport } from './schemas.js';
import { cookieSealer, maskCookie } from './secrets.js';

/** What the cookie actors need, and their tuning. */
export interface CookieOptions {
  readonly providers: CookieProviders;
  /** Seals values at rest with AES-256-GCM (32 bytes, hex or base64). Default `process.env.STEWARD_SECRET_KEY`; without one values are stored as they are. */
  readonly secretKey?: string | undefined;
  /** Who the monitors name as owner. Default `pid <process id>`. */
  readonly owner?: string;
  /** First retry delay after a failed scheduled attempt; doubles per consecutive failure, capped at the interval. Default 30,000 ms. */
  readonly retryBackoffMs?: number;
  /** Tries of an outcome's commit before it is reported critical (then the actor restarts and recovers). Default 5. */
  readonly commitAttempts?: number;
  /** First delay between commit tries; doubles. Default 100 ms. */
  readonly commitBackoffMs?: number;
  /** Reports kept per cookie: newest `keep` (default 50), none older than `maxAgeMs` (default 30 days). */
  readonly retention?: Partial<ReportRetention>;
  /** Idle cookie actors are passivated (their reminders wake them). Default after 300,000 ms. */
  readonly passivation?: PassivationOptions;
  /** Told when an outcome could not be stored after every try. */
  readonly onCritical?: (notice: { readonly cookieId: string; readonly attemptNumber: number; readonly code: string }) => void;
}

type Ctx = ActorContext<CookieState, typeof CookieMessages>;
/** An outcome whose commit failed, waiting for its next try. */
interface Uncommitted {
  readonly outcome: AttemptOutcome;
  readonly cookie: string | undefined;
  tries: number;
}

/**
 * Defines the cookie actor type (key: the cookie id) for a set of providers.
 * Make one per system: tickets and retries in flight are this process's.
 *
 * @example
 * ```ts
 * const providers = new CookieProviders();
 * providers.register({ service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
 * const { Cookie } = createCookieActors({ providers });
 * const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate' }) }, reminders: { actors: [Cookie] } });
 * const cookie = system.ref(Cookie, 'shop-ann');
 * await cookie.ask('register', { service: 'shop', value: 'sid=abc', launchOnStartup: true });
 * const summary = await (await cookie.ask('rotate', {})).settled;
 * ```
 */
export function createCookieActors(options: CookieOptions) {
  return { Cookie: defineCookie(options) };
}

/** The cookie actor definition type. */
export type CookieDefinition = ReturnType<typeof defineCookie>;

function defineCookie(options: CookieOptions) {
  const { providers } = options;
  const sealer = cookieSealer(options.secretKey ?? process.env.STEWARD_SECRET_KEY);
  const owner = options.owner ?? `pid ${process.pid}`;
  const retryBackoffMs = options.retryBackoffMs ?? 30_000;
  const commitAttempts = options.commitAttempts ?? 5;
  const commitBackoffMs = options.commitBackoffMs ?? 100;
  const retention: ReportRetention = { keep: options.retention?.keep ?? 50, maxAgeMs: options.retention?.maxAgeMs ?? 30 * 86_400_000 };
  const joins = new RotationJoins();
  /** Attempts whose task runs in this process (`cookie#attempt`): after an actor restart their outcome still comes. */
  const running = new Set<string>();
  const uncommitted = new Map<string, Uncommitted>();
  const runKey = (cookieId: string, attemptNumber: number) => `${cookieId}#${attemptNumber}`;

  const provider = (state: CookieState) => (state.service ? providers.get(state.service) : undefined);
  const open = (state: CookieState): string | undefined => {
    try {
      return state.value === null ? undefined : sealer.open(state.value);
    } catch {
      return undefined; // sealed with another key: shown as absent, and an attempt reports why
    }
  };
  const keysOf = (state: CookieState, cookie = open(state)): MaskedKey[] => {
    const names = provider(state)?.config.cookieKeys ?? [];
    return maskCookie(cookie, names);
  };
  const summaryOf = (state: CookieState, attemptNumber: number): RotationSummary => ({
    cookieId: state.cookieId,
    attemptNumber,
    status: state.monitor.lastStatus ?? 'failed',
    message: state.monitor.lastMessage ?? '',
    revision: state.revision,
    keys: keysOf(state),
  });
  const registered = (state: CookieState): { service: string; value: string } => {
    if (state.service === null || state.value === null) throw new NotFoundError(`cookie '${state.cookieId}' is not registered: send 'register' with its service and value first`);
    return { service: state.service, value: state.value };
  };

  /** Starts an attempt, or joins the one in flight. */
  const rotate = async (ctx: Ctx, reason: string, firingId?: string): Promise<RotationTicket> => {
    const state = ctx.state;
    const { service, value } = registered(state);
    if (state.inFlight) return joins.ticket(ctx.key, state.inFlight.attemptNumber);
    if (firingId !== undefined && firingId === state.lastFiring) return joins.settledTicket(summaryOf(state, state.attempts)); // redelivered: handled already
    if (firingId !== undefined) state.lastFiring = firingId;
    const attemptNumber = ++state.attempts;
    const startedAt = ctx.clock.now();
    state.inFlight = { attemptNumber, startedAt, reason };
    const ticket = joins.ticket(ctx.key, attemptNumber);
    const chosen = providers.get(service);
    let cookie: string | undefined;
    let problem: string | undefined;
    try {
      cookie = sealer.open(value);
      problem = configProblem(ctx.key, service, chosen, cookie);
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem !== undefined || !chosen || cookie === undefined) {
      // Config missing or unfit: reported and shown on the monitor, the schedule paused, never a silent stop.
      await finish(ctx, { attemptNumber, startedAt, finishedAt: startedAt, status: 'failed', message: problem ?? 'no provider', meta: { config: chosen ? 'invalid' : 'missing' }, needsAction: true });
      return ticket;
    }
    state.monitor.workerStatus = 'rotating';
    // Durable before the service hears of it: after a crash, the next incarnation knows an attempt was under way.
    await ctx.save([monitorOp(state)]);
    try {
      ctx.startTask(ROTATE_POOL, chosen.task, { provider: chosen.config, cookie, attemptNumber }, {
        timeoutMs: chosen.config.requestTimeoutMs * 2 + 5_000,
        toMessage: (outcome) => ({ type: 'rotated', payload: { attemptNumber, result: outcome.ok ? outcome.value : taskFailure(outcome.error) } }),
      });
      running.add(runKey(ctx.key, attemptNumber));
    } catch (error) {
      await finish(ctx, { attemptNumber, startedAt, finishedAt: ctx.clock.now(), status: 'failed', message: (error as Error).message, meta: { config: 'pool' }, needsAction: true });
    }
    return ticket;
  };

  /** One commit of report + cookie + monitor (+ the schedule's reminders); a failed commit is retried with backoff, then critical. */
  const finish = async (ctx: Ctx, outcome: AttemptOutcome, cookie?: string): Promise<void> => {
    const before = structuredClone(ctx.state);
    const state = ctx.state;
    const config = provider(state)?.config;
    const sealed = cookie === undefined ? undefined : sealer.seal(cookie);
    const report = applyOutcome(state, outcome, sealed, keysOf(state, cookie ?? open(state)), config?.validateUrl ?? null);
    const reports = ctx.records<RotationReport>(COOKIE_REPORTS);
    const key = reportKey(outcome.attemptNumber, outcome.startedAt);
    reports.put(key, report);
    for (const dropped of retainReport(state, key, outcome.finishedAt, retention)) reports.delete(dropped);
    scheduleAfterOutcome(ctx, config, retryBackoffMs);
    try {
      await ctx.save([monitorOp(state)]);
    } catch (error) {
      ctx.state = before; // not durable: the outcome is applied again on the next try
      const pending = uncommitted.get(ctx.key) ?? { outcome, cookie, tries: 0 };
      pending.tries++;
      const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
      if (pending.tries < commitAttempts) {
        uncommitted.set(ctx.key, pending);
        ctx.startTimer('commitRetry', commitBackoffMs * 2 ** (pending.tries - 1), { type: 'commitRetry', payload: { attemptNumber: outcome.attemptNumber } });
        return;
      }
      uncommitted.delete(ctx.key);
      options.onCritical?.({ cookieId: ctx.key, attemptNumber: outcome.attemptNumber, code });
      throw error; // restarted from the store, whose in-flight mark drives the recovery
    }
    uncommitted.delete(ctx.key);
    joins.settle(ctx.key, { ...summaryOf(state, outcome.attemptNumber), status: outcome.status, message: outcome.message });
  };

  /** A task's result as an outcome: a refused value with no new one means the service no longer accepts the stored cookie. */
  const outcomeOf = (state: CookieState, result: RotateResult, now: number): AttemptOutcome => {
    const inFlight = state.inFlight as NonNullable<CookieState['inFlight']>;
    const stale = result.status === 'validation_failed' && result.cookie === undefined;
    const message = stale ? `${result.message}: the stored value is no longer accepted; log in again and register the new cookie` : result.message;
    return { attemptNumber: inFlight.attemptNumber, startedAt: inFlight.startedAt, finishedAt: now, status: result.status, message, meta: result.meta, needsAction: stale };
  };

  /** After a restart: an attempt with no task in this process was interrupted; record it, then try again from the stored value (the service's grace window). */
  const recover = async (ctx: Ctx): Promise<void> => {
    const inFlight = ctx.state.inFlight;
    if (!inFlight || running.has(runKey(ctx.key, inFlight.attemptNumber))) return;
    const pending = uncommitted.get(ctx.key);
    if (pending?.outcome.attemptNumber === inFlight.attemptNumber) return finish(ctx, pending.outcome, pending.cookie);
    const message = 'interrupted: the process stopped before the outcome was stored; retrying from the stored value';
    await finish(ctx, { ...inFlight, finishedAt: ctx.clock.now(), status: 'failed', message, meta: { interrupted: true }, needsAction: false });
    if (ctx.state.inFlight === null) await rotate(ctx, 'recovery');
  };

  return defineActor({
    name: 'cookie',
    messages: CookieMessages,
    initialState: (key: string): CookieState => initialCookieState(key, owner),
    persistence: { collection: COOKIES, schema: CookieStateSchema, owns: [COOKIE_REPORTS] },
    supervision: { strategy: 'restart', minBackoffMs: 100, maxRestarts: 10, withinMs: 60_000 },
    passivation: options.passivation ?? { idleAfterMs: 300_000 },
    onStart: (ctx) => {
      ctx.state.monitor.owner = owner;
      return recover(ctx);
    },
    onStop: (ctx, reason) => {
      if (reason === 'passivated') return;
      joins.abandon(ctx.key, reason);
      uncommitted.delete(ctx.key);
    },
    handlers: {
      register: async ({ service, value, profileId, launchOnStartup }, ctx) => {
        const state = ctx.state;
        if (state.inFlight) throw new InvalidStateError(`cookie '${ctx.key}' is being rotated (attempt ${state.inFlight.attemptNumber}): register it again once that settles`);
        Object.assign(state, { service, profileId: profileId ?? null, value: sealer.seal(value), revision: state.revision + 1, lastRotatedAt: null, launchOnStartup });
        Object.assign(state.monitor, { workerStatus: restingStatus(state), consecutiveFailures: 0, lastMessage: null });
        const chosen = providers.get(service);
        const problem = configProblem(ctx.key, service, chosen, value);
        if (problem !== undefined) Object.assign(state.monitor, { workerStatus: 'error', lastMessage: problem }); // shown now, not at the first rotation
        else if (launchOnStartup && chosen) {
          state.scheduled = true;
          state.monitor.workerStatus = 'scheduled';
          await armRotation(ctx, chosen.config);
        }
        await ctx.save([monitorOp(state)]);
        return snapshotOf(state, keysOf(state, value));
      },
      start: async (_payload, ctx) => {
        const state = ctx.state;
        const { service } = registered(state);
        const chosen = providers.get(service);
        const cookie = open(state);
        const problem = cookie === undefined ? 'the stored value does not open with the configured STEWARD_SECRET_KEY' : configProblem(ctx.key, service, chosen, cookie);
        if (problem !== undefined || !chosen) {
          Object.assign(state.monitor, { workerStatus: state.inFlight ? 'rotating' : 'error', lastMessage: problem ?? null });
          state.scheduled = false;
          disarm(ctx);
        } else {
          state.scheduled = true;
          if (!state.inFlight) state.monitor.workerStatus = 'scheduled';
          await armRotation(ctx, chosen.config);
        }
        await ctx.save([monitorOp(state)]);
        return snapshotOf(state, keysOf(state, cookie));
      },
      stop: async (_payload, ctx) => {
        const state = ctx.state;
        state.scheduled = false;
        if (!state.inFlight) state.monitor.workerStatus = 'stopped';
        disarm(ctx);
        await ctx.save([monitorOp(state)]);
        return snapshotOf(state, keysOf(state));
      },
      rotate: ({ reason, firing }, ctx) => rotate(ctx, reason, firing?.id),
      status: (_payload, ctx) => snapshotOf(ctx.state, keysOf(ctx.state)),
      rotated: async ({ attemptNumber, result }, ctx) => {
        running.delete(runKey(ctx.key, attemptNumber));
        if (ctx.state.inFlight?.attemptNumber !== attemptNumber) return; // a stale outcome never lands
        await finish(ctx, outcomeOf(ctx.state, result, ctx.clock.now()), result.cookie);
      },
      commitRetry: async ({ attemptNumber }, ctx) => {
        const pending = uncommitted.get(ctx.key);
        if (pending?.outcome.attemptNumber === attemptNumber && ctx.state.inFlight?.attemptNumber === attemptNumber) await finish(ctx, pending.outcome, pending.cookie);
      },
    },
  });
}
