/**
 * A cookie provider service inside a simulated world: it issues numbered
 * values, accepts the previous one for a grace window of virtual time,
 * rejects stale ones, and can be down. The rotate task the scenarios
 * register reaches it through {@link SIMULATED_SERVICES} by its rotate URL:
 * the stand-in for the network, not config the thread looks up.
 */
import type { Clock } from '../../../runtime/index.js';

/** How the simulated service behaves. */
export interface SimulatedCookieServiceOptions {
  /** How long the previous value is still accepted after a rotation. Default 60,000 ms. */
  readonly graceMs?: number;
  /** The first this-many rotations find the service unreachable. Default 0. */
  readonly downForRotations?: number;
}

interface Issued {
  current: string;
  previous: string | undefined;
  previousUntil: number;
  seq: number;
}

/** Services by rotate URL, for the simulated rotate task. @internal */
export const SIMULATED_SERVICES = new Map<string, SimulatedCookieService>();

/**
 * The service's side of every cookie: what it issued and what it accepts.
 *
 * @example
 * ```ts
 * const service = new SimulatedCookieService('sim://shop', world.clock, { graceMs: 10_000 });
 * const first = service.issue('shop-ann'); // 'sid=shop-ann.1'
 * ```
 */
export class SimulatedCookieService {
  readonly #cookies = new Map<string, Issued>();
  /** Rotations answered (accepted or not), and those that presented a value the service had already rotated away from. */
  readonly stats = { rotations: 0, fromPrevious: 0, rejected: 0, unreachable: 0 };

  constructor(
    readonly url: string,
    private readonly clock: Clock,
    private readonly options: SimulatedCookieServiceOptions = {},
  ) {
    SIMULATED_SERVICES.set(url, this);
  }

  /** The first value of a cookie. */
  issue(cookieId: string): string {
    const current = valueOf(cookieId, 1);
    this.#cookies.set(cookieId, { current, previous: undefined, previousUntil: 0, seq: 1 });
    return current;
  }

  /** The newest value's number. */
  newest(cookieId: string): number {
    return this.#cookies.get(cookieId)?.seq ?? 0;
  }

  /** Whether the service would accept `cookie` now. */
  accepts(cookieId: string, cookie: string): boolean {
    const issued = this.#cookies.get(cookieId);
    return !!issued && (cookie === issued.current || (cookie === issued.previous && this.clock.now() <= issued.previousUntil));
  }

  /** One rotation: a new value for the current one, or for the previous one within the grace window. */
  rotate(cookieId: string, cookie: string): { status: 'success' | 'validation_failed' | 'unreachable'; cookie?: string } {
    if (this.stats.rotations + this.stats.unreachable < (this.options.downForRotations ?? 0)) {
      this.stats.unreachable++;
      return { status: 'unreachable' };
    }
    this.stats.rotations++;
    const issued = this.#cookies.get(cookieId);
    if (!issued || !this.accepts(cookieId, cookie)) {
      this.stats.rejected++;
      return { status: 'validation_failed' };
    }
    if (cookie !== issued.current) this.stats.fromPrevious++;
    issued.previous = issued.current;
    issued.previousUntil = this.clock.now() + (this.options.graceMs ?? 60_000);
    issued.seq++;
    issued.current = valueOf(cookieId, issued.seq);
    return { status: 'success', cookie: issued.current };
  }
}

/** A value's number, from `sid=<cookieId>.<n>`; 0 for anything else. */
export function sequenceOf(cookie: string | undefined): number {
  const match = cookie ? /\.(\d+)$/.exec(cookie) : null;
  return match ? Number(match[1]) : 0;
}

function valueOf(cookieId: string, seq: number): string {
  return `sid=${cookieId}.${seq}`;
}
