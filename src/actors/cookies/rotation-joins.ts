/**
 * Callers waiting for a rotation. A handler cannot await a rotation's
 * outcome: the outcome arrives as a later message to the same actor, which
 * the awaiting turn would hold back. So `rotate` answers at once with a
 * ticket, and the ticket's `settled` promise resolves when the attempt's
 * outcome is durable; every request while one attempt runs gets that
 * attempt's ticket (it joins).
 */
import { ActorStoppedError } from '../../errors.js';
import type { MaskedKey, RotationStatus } from './schemas.js';

/**
 * How a rotation ended, as a caller hears it: no value, masked keys only.
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const cookie = system.ref(Cookie, 'c-1');
 * const { status, revision, keys } = await (await cookie.ask('rotate', {})).settled;
 * ```
 */
export interface RotationSummary {
  readonly cookieId: string;
  readonly attemptNumber: number;
  readonly status: RotationStatus;
  readonly message: string;
  readonly revision: number;
  readonly keys: readonly MaskedKey[];
}

/**
 * What `rotate` answers at once: which attempt, whether it joined one in
 * flight, and the promise of its durable outcome. `settled` rejects with
 * `ERR_ACTOR_STOPPED` if the cookie actor stops for good first.
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const cookie = system.ref(Cookie, 'c-1');
 * const [first, second] = await Promise.all([cookie.ask('rotate', {}), cookie.ask('rotate', {})]);
 * second.joined; // true: one rotation, two callers
 * ```
 */
export interface RotationTicket {
  readonly attemptNumber: number;
  readonly joined: boolean;
  readonly settled: Promise<RotationSummary>;
}

interface Waiting {
  readonly attemptNumber: number;
  readonly settled: Promise<RotationSummary>;
  readonly resolve: (summary: RotationSummary) => void;
  readonly reject: (error: Error) => void;
}

/** The tickets of one definition's cookies (process-local: callers live in this process). @internal */
export class RotationJoins {
  readonly #byCookie = new Map<string, Waiting>();

  /** The ticket of `attemptNumber`; `joined` when one was handed out already. */
  ticket(cookieId: string, attemptNumber: number): RotationTicket {
    const current = this.#byCookie.get(cookieId);
    if (current?.attemptNumber === attemptNumber) return { attemptNumber, joined: true, settled: current.settled };
    let resolve!: (summary: RotationSummary) => void;
    let reject!: (error: Error) => void;
    const settled = new Promise<RotationSummary>((done, fail) => {
      resolve = done;
      reject = fail;
    });
    settled.catch(() => undefined); // a caller who dropped its ticket does not make an unhandled rejection
    this.#byCookie.set(cookieId, { attemptNumber, settled, resolve, reject });
    return { attemptNumber, joined: false, settled };
  }

  /** An already settled ticket (a redelivered firing of a finished attempt, a config error). */
  settledTicket(summary: RotationSummary): RotationTicket {
    return { attemptNumber: summary.attemptNumber, joined: true, settled: Promise.resolve(summary) };
  }

  settle(cookieId: string, summary: RotationSummary): void {
    const current = this.#byCookie.get(cookieId);
    if (current?.attemptNumber !== summary.attemptNumber) return;
    this.#byCookie.delete(cookieId);
    current.resolve(summary);
  }

  /** The cookie stopped for good: nobody will settle its ticket. */
  abandon(cookieId: string, reason: string): void {
    const current = this.#byCookie.get(cookieId);
    if (!current) return;
    this.#byCookie.delete(cookieId);
    current.reject(new ActorStoppedError(`cookie '${cookieId}' stopped (${reason}) before attempt ${current.attemptNumber} settled`));
  }
}
