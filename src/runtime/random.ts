import { randomUUID } from 'node:crypto';

/**
 * The only source of randomness and ids in steward. Production uses the
 * crypto RNG; the simulator binds a {@link SeededRandom} so a seed replays a run.
 *
 * @example
 * ```ts
 * const random: Random = system.random;
 * const jitter = random.next() * 100;
 * const jobId = random.id('job');
 * ```
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A unique id, optionally prefixed (`job-…`). */
  id(prefix?: string): string;
}

/**
 * Real randomness: `Math.random` for jitter, `crypto.randomUUID` for ids.
 *
 * @example
 * ```ts
 * new ActorSystem({ random: realRandom });
 * ```
 */
export const realRandom: Random = {
  next: () => Math.random(),
  id: (prefix) => (prefix ? `${prefix}-${randomUUID()}` : randomUUID()),
};

/**
 * A small, fast, seeded PRNG (mulberry32). The same seed gives the same
 * sequence of numbers and ids on every machine.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * random.id('job'); // 'job-1-…' — identical on every run with seed 42
 * ```
 */
export class SeededRandom implements Random {
  #state: number;
  #counter = 0;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  id(prefix?: string): string {
    const suffix = `${++this.#counter}-${Math.floor(this.next() * 0xffffffff).toString(16).padStart(8, '0')}`;
    return prefix ? `${prefix}-${suffix}` : suffix;
  }
}
