/**
 * What an outside caller in a scenario does when its ask fails in a way that
 * says "try again" (a timeout across a crash, a failed commit): it asks again,
 * until it gets an answer or a refusal that is final.
 */

/**
 * Runs `ask` until it resolves, or rejects with a code not in `retryOn`
 * (that rejection is the answer). Each try is its own ask, so under the
 * simulator every retry is a step the strategy orders.
 *
 * @example
 * ```ts
 * const count = await untilAnswered(() => ref.ask('get', {}), new Set(['ERR_ASK_TIMEOUT', 'ERR_ACTOR_STOPPED']));
 * ```
 */
export async function untilAnswered<T>(ask: () => Promise<T>, retryOn: ReadonlySet<string>): Promise<T> {
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      if (!retryOn.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
}
