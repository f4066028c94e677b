/**
 * A cookie provider inside a simulated world: it issues `sid=<account>.<n>`
 * values, accepts the previous one for a grace window, refuses stale ones,
 * and can drop the connection before or after rotating, from the world's
 * seed. The simulated rotate task reaches it through a registry on
 * `globalThis`: the in-process pool loads the task's compiled module, a
 * different module instance from the one a test imports, so a module-scope
 * map would not be shared.
 */
import type { SimulationWorld } from '../../../runtime/simulator/index.js';
import { parseCookie } from '../cookie-string.js';
import type { RotateResult } from '../schemas.js';

/** How unreliable the simulated provider is. */
export interface SimulatedProviderOptions {
  /** Virtual time a replaced value is still accepted. Default one hour. */
  readonly graceMs?: number;
  /** Chance a call fails before the service does anything. Default 0. */
  readonly unreachableRate?: number;
  /** Chance the service rotates but the answer is lost (the owner keeps the old value). Default 0. */
  readonly lostAnswerRate?: number;
}

interface Account {
  seq: number;
  previousSeq: number;
  previousUntil: number;
  /** Rotations the service performed. */
  rotations: number;
}

/** What a simulated provider answers a rotate call with. @internal */
export type SimulatedAnswer = Pick<RotateResult, 'status' | 'message'> & { readonly cookie?: string };

const REGISTRY = Symbol.for('steward.cookies.simulated-providers');

/** The registry the simulated task looks services up in, by validate URL. @internal */
export function simulatedProviders(): Map<string, SimulatedCookieProvider> {
  const holder = globalThis as { [REGISTRY]?: Map<string, SimulatedCookieProvider> };
  return (holder[REGISTRY] ??= new Map());
}

/**
 * A simulated provider, registered under `url` (use it as the provider's validate URL).
 *
 * @example
 * ```ts
 * const service = new SimulatedCookieProvider(world, 'http://sim.invalid/shop', { lostAnswerRate: 0.2 });
 * const value = service.issue('ann'); // 'sid=ann.1'
 * ```
 */
export class SimulatedCookieProvider {
  readonly #accounts = new Map<string, Account>();
  /** Calls that presented a value older than the last one replaced: someone rotated from an outdated copy. */
  stalePresented = 0;
  /** Calls that presented the replaced value after its grace window (the owner lost the answer too long ago). */
  expiredPresented = 0;

  constructor(
    private readonly world: SimulationWorld,
    readonly url: string,
    private readonly options: SimulatedProviderOptions = {},
  ) {
    simulatedProviders().set(url, this);
  }

  issue(account: string): string {
    this.#accounts.set(account, { seq: 1, previousSeq: 0, previousUntil: 0, rotations: 0 });
    return `sid=${account}.1`;
  }

  /** The sequence number of a value (`sid=<account>.<n>`), or 0. */
  static seqOf(cookie: string | undefined): number {
    const sid = parseCookie(cookie ?? '').get('sid') ?? '';
    return Number(sid.slice(sid.lastIndexOf('.') + 1)) || 0;
  }

  /** Whether the service accepts `cookie` now (current, or previous within grace). */
  accepts(cookie: string | undefined): boolean {
    const sid = parseCookie(cookie ?? '').get('sid') ?? '';
    const account = this.#accounts.get(sid.slice(0, sid.lastIndexOf('.')));
    const seq = SimulatedCookieProvider.seqOf(cookie);
    return account !== undefined && (seq === account.seq || (seq === account.previousSeq && this.world.clock.now() < account.previousUntil));
  }

  /** Rotations the service performed for `account`. */
  rotations(account: string): number {
    return this.#accounts.get(account)?.rotations ?? 0;
  }

  /** One rotate call: the world's seed decides the failures the options ask for. */
  rotate(cookie: string): SimulatedAnswer {
    if (this.#chance(this.options.unreachableRate)) return { status: 'unreachable', message: 'simulated connection refused' };
    if (!this.accepts(cookie)) {
      const seq = SimulatedCookieProvider.seqOf(cookie);
      const account = this.#accounts.get(cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.')));
      if (account && seq === account.previousSeq) this.expiredPresented++;
      else this.stalePresented++;
      return { status: 'validation_failed', message: 'simulated 401: the presented cookie is no longer accepted' };
    }
    const sid = parseCookie(cookie).get('sid') ?? '';
    const name = sid.slice(0, sid.lastIndexOf('.'));
    const account = this.#accounts.get(name) as Account;
    // The presented value stays good for the grace window (the owner may not have got the answer), whichever it was.
    account.previousSeq = SimulatedCookieProvider.seqOf(cookie);
    account.previousUntil = this.world.clock.now() + (this.options.graceMs ?? 3_600_000);
    account.seq++;
    account.rotations++;
    if (this.#chance(this.options.lostAnswerRate)) return { status: 'unreachable', message: 'simulated connection reset after the service rotated' };
    return { status: 'success', message: 'rotated sid', cookie: `sid=${name}.${account.seq}` };
  }

  #chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.world.random.next() < rate;
  }
}
