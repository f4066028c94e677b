/**
 * Callers waiting for a rotation: the first request starts it, every request
 * while it runs joins it, and all of them hear the same outcome. A handler
 * cannot await the outcome (it arrives as a later message to the same
 * actor), so the reply is a ticket whose `settled` promise does.
 */
import type { MaskedKey, RotationStatus } from './messages.js';

/**
 * How a rotation ended, as callers see it: no value, only masked keys.
 *
 * @example
 * ```ts
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
 * What `rotate` answers at once: which attempt, whether it joined one already
 * running, and a promise of its outcome.
 *
 * @example
 * ```ts
 * const [a, b] = await Promise.all([cookie.ask('rotate', {}), cookie.ask('rotate', {})]);
 * b.joined; // true: one rotation, two callers
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
}

/** @internal */
export class RotationJoins {
  readonly #byCookie = new Map<string, Waiting>();

  join(cookieId: string, attemptNumber: number): RotationTicket {
    const current = this.#byCookie.get(cookieId);
    if (current?.attemptNumber === attemptNumber) return { attemptNumber, joined: true, settled: current.settled };
    // An entry for another attempt belongs to an incarnation that died: its callers are gone.
    let resolve!: (summary: RotationSummary) => void;
    const settled = new Promise<RotationSummary>((done) => (resolve = done));
    this.#byCookie.set(cookieId, { attemptNumber, settled, resolve });
    return { attemptNumber, joined: false, settled };
  }

  settle(cookieId: string, attemptNumber: number, summary: RotationSummary): void {
    const current = this.#byCookie.get(cookieId);
    if (current?.attemptNumber !== attemptNumber) return;
    this.#byCookie.delete(cookieId);
    current.resolve(summary);
  }
}
