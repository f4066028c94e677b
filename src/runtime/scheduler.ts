import { nextMicrotask } from './microtask.js';

/**
 * Decides when an actor with queued messages gets its next turn. The runtime
 * never runs a turn on its own: it asks the scheduler. Production runs turns
 * on the microtask queue; the simulator holds each turn as an enabled step and
 * lets its strategy pick which actor goes next.
 *
 * @example
 * ```ts
 * const fifo: TurnScheduler = { schedule: (_owner, run) => queueMicrotask(run) };
 * ```
 */
export interface TurnScheduler {
  /** Runs `turn` once, later. `owner` names the actor, for schedulers that choose between actors. */
  schedule(owner: string, turn: () => void): void;
}

/**
 * Options of {@link fairScheduler}.
 *
 * @example
 * ```ts
 * new ActorSystem({ scheduler: fairScheduler({ budgetMs: 5 }) });
 * ```
 */
export interface FairSchedulerOptions {
  /**
   * Longest run of turns, in milliseconds, before the scheduler lets the event
   * loop (timers, I/O, other callbacks) go first. Default 1.
   */
  readonly budgetMs?: number;
}

/** Turns scheduled between two readings of the clock: a reading costs more than a cheap turn. */
const TURNS_PER_CHECK = 16;

// Captured at load, so a test faking timers (vi.useFakeTimers) cannot freeze the runtime's turns.
const yieldToEventLoop = setImmediate;
const monotonicNow = performance.now.bind(performance);

class FairScheduler implements TurnScheduler {
  readonly #budgetMs: number;
  /** When the current run of microtask turns began; NaN once the event loop has had its turn. */
  #burstStartedAt = Number.NaN;
  #sinceCheck = 0;
  /** Turns held for the next event-loop turn while yielding. */
  #deferred: Array<() => void> | undefined;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  schedule(_owner: string, turn: () => void): void {
    if (this.#deferred) {
      this.#deferred.push(turn);
      return;
    }
    if (++this.#sinceCheck >= TURNS_PER_CHECK) {
      this.#sinceCheck = 0;
      const now = monotonicNow();
      if (Number.isNaN(this.#burstStartedAt)) {
        // An immediate runs only once the microtask queue is empty: if it has run, the burst ended.
        this.#burstStartedAt = now;
        yieldToEventLoop(this.#endBurst);
      } else if (now - this.#burstStartedAt >= this.#budgetMs) {
        this.#deferred = [turn];
        yieldToEventLoop(this.#resume);
        return;
      }
    }
    nextMicrotask(turn);
  }

  readonly #endBurst = (): void => {
    this.#burstStartedAt = Number.NaN;
  };

  readonly #resume = (): void => {
    const turns = this.#deferred ?? [];
    this.#deferred = undefined;
    this.#burstStartedAt = Number.NaN;
    for (const turn of turns) nextMicrotask(turn);
  };
}

/**
 * A scheduler that runs turns as microtasks (the cheapest hop) until a run of
 * them has lasted `budgetMs`, then yields with `setImmediate`, so the event
 * loop runs timers and I/O before the held turns go on, in order. An actor
 * that keeps telling itself delays a 0 ms timer, an HTTP request or another
 * actor's ask deadline by about one budget, not by its whole loop.
 *
 * @example
 * ```ts
 * new ActorSystem({ scheduler: fairScheduler({ budgetMs: 5 }) }); // yield less often: a little more throughput, later timers and I/O
 * ```
 */
export function fairScheduler(options: FairSchedulerOptions = {}): TurnScheduler {
  return new FairScheduler(options.budgetMs ?? 1);
}

/**
 * The default scheduler: {@link fairScheduler} with its default budget
 * (1 ms), shared by every system in the process, so that two systems'
 * actors cannot starve the event loop between them either. Turns run as
 * microtasks through a settled promise (`queueMicrotask` wraps each callback
 * in an async-hooks resource, which cost a fifth of an ask's round trip);
 * the mailbox hands an actor at most `messagesPerTurn` messages per turn.
 *
 * @example
 * ```ts
 * new ActorSystem({ scheduler: microtaskScheduler });
 * ```
 */
export const microtaskScheduler: TurnScheduler = fairScheduler();
