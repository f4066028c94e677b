/**
 * The cookie actor: one per cookie. It alone starts rotations (at most one in
 * flight; a second request joins it), commits each outcome as one write of
 * report + cookie + monitor, and schedules the next rotation. Two rotators of
 * one cookie, the seed's bug, cannot exist: the runtime holds one owner per key.
 */
import { InvalidStateError, NotFoundError } from '../../errors.js';
import { defineActor, type ActorContext } from '../../runtime/index.js';
import type { WriteOp } from '../../persistence/index.js';
import { CookieMessages, CookieStateSchema, type CookieState, type RotateResult, type RotationReport } from './messages.js';
import { parseCookie } from './cookie-string.js';
import type { CookieProviders } from './providers.js';
import { recordOutcome, reportKey, reportOf, initialCookieState, snapshotOf, type AttemptOutcome } from './rotation-state.js';
import { scheduleRotation, unscheduleRotation } from './rotation-schedule.js';
import { cookieSealer, maskCookie, type CookieSealer } from './secrets.js';
import { RotationJoins, type RotationSummary, type RotationTicket } from './rotation-joins.js';

/** Where cookie states live. */
export const COOKIES = 'cookies';
/** One monitor per cookie, written with every outcome. */
export const COOKIE_MONITORS = 'cookie-monitors';
/** Rotation reports, keyed by `reportKey(cookieId, attemptNumber, startedAt)`. */
export const COOKIE_REPORTS = 'cookie-reports';
/** The pool rotate tasks run in. */
export const ROTATE_POOL = 'rotate';

/** What the cookie actors need, and their tuning. */
export interface CookieOptions {
  readonly providers: CookieProviders;
  /** Seals values at rest with AES-256-GCM; default `process.env.STEWARD_SECRET_KEY`. */
  readonly secretKey?: string | undefined;
  /** First retry delay after a failed attempt; doubles per failure, capped at the provider's interval. Default 30 s. */
  readonly retryBackoffMs?: number;
  /** Tries of a failing outcome commit before it is reported critical. Default 5. */
  readonly commitAttempts?: number;
  /** First delay between commit tries; doubles. Default 100 ms. */
  readonly commitBackoffMs?: number;
  /** Told when an outcome could not be committed after every try (the actor then restarts from the store). */
  readonly onCritical?: (notice: { readonly cookieId: string; readonly attemptNumber: number; readonly message: string }) => void;
}

type Ctx = ActorContext<CookieState, typeof CookieMessages>;

/**
 * Defines the cookie actor type for a set of providers. Key: the cookie id.
 *
 * @example
 * ```ts
 * const providers = new CookieProviders();
 * providers.register({ service: 'shop', validateUrl, rotateUrl, cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
 * const { Cookie } = createCookieActors({ providers });
 * const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate' }) } });
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
  const sealer: CookieSealer = cookieSealer(options.secretKey ?? process.env.STEWARD_SECRET_KEY);
  const retryBackoffMs = options.retryBackoffMs ?? 30_000;
  const commitAttempts = options.commitAttempts ?? 5;
  const commitBackoffMs = options.commitBackoffMs ?? 100;
  const joins = new RotationJoins();
  /** Outcomes whose commit failed and waits for a retry, by cookie. */
  const uncommitted = new Map<string, { writes: WriteOp[]; tries: number; outcome: AttemptOutcome }>();

  const open = (state: CookieState) => (state.value ? sealer.open(state.value) : undefined);
  const keysOf = (state: CookieState) => (state.service ? (providers.get(state.service)?.payload.cookieKeys ?? []) : []);
  const summaryOf = (state: CookieState, outcome: AttemptOutcome): RotationSummary => ({
    cookieId: state.cookieId,
    attemptNumber: outcome.attemptNumber,
    status: outcome.status,
    message: outcome.message,
    revision: state.revision,
    keys: maskCookie(open(state), keysOf(state)),
  });

  /** Starts an attempt, or joins the one in flight. */
  const rotate = async (ctx: Ctx, reason: string): Promise<RotationTicket> => {
    const state = ctx.state;
    const running = state.inFlight ?? uncommitted.get(ctx.key)?.outcome;
    if (running) return joins.join(ctx.key, running.attemptNumber);
    if (!state.value || !state.service) throw new NotFoundError(`cookie '${ctx.key}' is not registered: send 'register' with its service and value first`);
    const attemptNumber = ++state.attempts;
    const startedAt = ctx.clock.now();
    const provider = providers.get(state.service);
    const value = sealer.open(state.value);
    const missing = provider ? provider.payload.cookieKeys.filter((key) => !parseCookie(value).has(key)) : [];
    if (!provider || missing.length > 0) {
      // Config is missing or does not fit: an error someone must fix, reported and shown, never a silent stop.
      const message = provider
        ? `cookie '${ctx.key}' has no ${missing.join(', ')}: the provider of '${state.service}' rotates those keys`
        : `no provider registered for service '${state.service}': register one with providers.register({ service: '${state.service}', ... })`;
      const ticket = joins.join(ctx.key, attemptNumber);
      await finish(ctx, { attemptNumber, startedAt, finishedAt: startedAt, status: 'failed', message, needsAction: true, meta: { reason, config: provider ? 'invalid' : 'missing' } });
      return ticket;
    }
    state.inFlight = { attemptNumber, startedAt, baseRevision: state.revision };
    state.monitor.workerStatus = 'rotating';
    // The attempt is durable before the service hears of it: after a crash, the next incarnation knows one was under way.
    await ctx.save([monitorOp(state)]);
    const ticket = joins.join(ctx.key, attemptNumber);
    ctx.startTask(ROTATE_POOL, provider.task, { provider: provider.payload, cookie: value, attemptNumber }, {
      timeoutMs: provider.payload.requestTimeoutMs * 3,
      toMessage: (outcome) => ({ type: 'rotated', payload: { attemptNumber, result: outcome.ok ? outcome.value : taskFailure(outcome.error) } }),
    });
    return ticket;
  };

  /** Applies an attempt's outcome: one commit of report + cookie + monitor, then the next schedule. */
  const finish = async (ctx: Ctx, outcome: AttemptOutcome, cookie?: string) => {
    const state = ctx.state;
    if (cookie !== undefined) {
      state.value = sealer.seal(cookie);
      state.revision++;
      state.lastRotatedAt = outcome.finishedAt;
    }
    state.inFlight = null;
    recordOutcome(state.monitor, outcome);
    const provider = state.service ? providers.get(state.service) : undefined;
    const report = reportOf(state, outcome, { validateUrl: provider?.payload.validateUrl ?? null, keys: maskCookie(open(state), keysOf(state)) });
    await commit(ctx, { writes: [reportOp(report), monitorOp(state)], tries: 0, outcome });
  };

  const commit = async (ctx: Ctx, pending: { writes: WriteOp[]; tries: number; outcome: AttemptOutcome }) => {
    try {
      await ctx.save(pending.writes);
    } catch (error) {
      pending.tries++;
      if (pending.tries >= commitAttempts) {
        uncommitted.delete(ctx.key);
        const message = `the outcome of attempt ${pending.outcome.attemptNumber} could not be stored after ${pending.tries} tries: ${(error as { code?: string }).code ?? String(error)}`;
        options.onCritical?.({ cookieId: ctx.key, attemptNumber: pending.outcome.attemptNumber, message });
        joins.settle(ctx.key, pending.outcome.attemptNumber, { ...summaryOf(ctx.state, pending.outcome), status: 'failed', message: `critical: ${message}` });
        throw error; // the supervisor restarts the actor from the last durable state; its in-flight mark drives recovery
      }
      uncommitted.set(ctx.key, pending);
      ctx.startTimer('commitRetry', commitBackoffMs * 2 ** (pending.tries - 1), { type: 'commitRetry', payload: {} });
      return;
    }
    uncommitted.delete(ctx.key);
    joins.settle(ctx.key, pending.outcome.attemptNumber, summaryOf(ctx.state, pending.outcome));
    armNext(ctx);
  };

  /** The next scheduled rotation: the provider's interval after success, a backoff after a failure, none while the cookie needs a person. */
  const armNext = (ctx: Ctx) => {
    const state = ctx.state;
    const provider = state.service ? providers.get(state.service) : undefined;
    if (!provider || !state.value || state.monitor.workerStatus === 'error') return unscheduleRotation(ctx);
    const failures = state.monitor.consecutiveFailures;
    const since = ctx.clock.now() - (state.lastRotatedAt ?? state.monitor.lastAttemptAt ?? ctx.clock.now());
    const delay = failures > 0 ? Math.min(provider.rotateEveryMs, retryBackoffMs * 2 ** (failures - 1)) : provider.rotateEveryMs - since;
    scheduleRotation(ctx, delay, failures > 0 ? 0 : provider.jitterMs);
  };

  return defineActor({
    name: 'cookie',
    messages: CookieMessages,
    initialState: (key: string): CookieState => initialCookieState(key),
    persistence: { collection: COOKIES, schema: CookieStateSchema },
    supervision: { strategy: 'restart', minBackoffMs: 100, maxRestarts: 10, withinMs: 60_000 },
    onStart: async (ctx) => {
      const interrupted = ctx.state.inFlight;
      if (interrupted) {
        // The process died with this attempt's outcome uncommitted: the service may have rotated already.
        // Record that, then try again from the stored value, which the service still accepts within its grace window.
        const now = ctx.clock.now();
        await finish(ctx, { attemptNumber: interrupted.attemptNumber, startedAt: interrupted.startedAt, finishedAt: now, status: 'failed', message: 'interrupted: the process stopped before the outcome was stored; retrying from the stored value', needsAction: false, meta: { interrupted: true } });
        await rotate(ctx, 'recovery');
        return;
      }
      armNext(ctx);
    },
    handlers: {
      register: async ({ service, profileId, value, launchOnStartup }, ctx) => {
        const state = ctx.state;
        if (state.inFlight || uncommitted.has(ctx.key)) throw new InvalidStateError(`cookie '${ctx.key}' is being rotated: register it again once the rotation settles`);
        Object.assign(state, { service, profileId: profileId ?? null, value: sealer.seal(value), revision: state.revision + 1, lastRotatedAt: ctx.clock.now(), launchOnStartup });
        Object.assign(state.monitor, { workerStatus: 'idle', consecutiveFailures: 0 });
        await ctx.save([monitorOp(state)]);
        armNext(ctx);
        return snapshotOf(state, keysOf(state), open);
      },
      rotate: ({ reason }, ctx) => rotate(ctx, reason),
      status: (_payload, ctx) => snapshotOf(ctx.state, keysOf(ctx.state), open),
      rotated: async ({ attemptNumber, result }, ctx) => {
        const inFlight = ctx.state.inFlight;
        if (!inFlight || inFlight.attemptNumber !== attemptNumber || inFlight.baseRevision !== ctx.state.revision) return; // a stale outcome never lands
        await finish(ctx, outcomeOf(inFlight, result, ctx.clock.now()), result.cookie);
      },
      commitRetry: async (_payload, ctx) => {
        const pending = uncommitted.get(ctx.key);
        if (pending) await commit(ctx, pending);
      },
    },
  });
}

function outcomeOf(inFlight: { attemptNumber: number; startedAt: number }, result: RotateResult, now: number): AttemptOutcome {
  const stale = result.status === 'validation_failed' && result.cookie === undefined;
  return {
    attemptNumber: inFlight.attemptNumber,
    startedAt: inFlight.startedAt,
    finishedAt: now,
    status: result.status,
    message: stale ? `${result.message}; the stored value is no longer accepted: log in again and register the new cookie` : result.message,
    needsAction: stale,
    meta: result.meta,
  };
}

/** A task that ended without a result: the thread crashed, timed out or the pool refused it. No value is in its error. */
function taskFailure(error: unknown): RotateResult {
  const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
  const status = code === 'ERR_TASK_TIMEOUT' ? 'unreachable' : 'failed';
  return { status, message: `rotate task ended without a result (${code})`, meta: { error: code } };
}

function monitorOp(state: CookieState): WriteOp {
  return { op: 'put', collection: COOKIE_MONITORS, key: state.cookieId, value: { ...state.monitor } };
}

function reportOp(report: RotationReport): WriteOp {
  return { op: 'put', collection: COOKIE_REPORTS, key: reportKey(report.cookieId, report.attemptNumber, report.startedAt), value: report };
}
