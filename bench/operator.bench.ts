/**
 * What observing costs: ask round trips through an actor (its reply and a
 * turn each) with nobody observing — the default, where a turn reads no clock
 * and publishes nothing — against the same workload with the turn channel
 * subscribed, and with `recordTimings: true`. Rounds alternate the sides, so
 * drift in the machine's speed hits all of them alike; each ratio is a median.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { z } from 'zod';
import { ActorSystem, defineActor, TURN_CHANNEL } from '../src/index.js';
import { opsPerSecond, percentile, type BenchGroup } from './harness.js';

const ROUNDS = 7;
const SAMPLE_MS = 250;
const BATCH = 2_000;

const Echo = defineActor({
  name: 'bench-echo',
  messages: { ping: z.object({}) },
  initialState: () => ({}),
  handlers: { ping: () => 1 },
});

async function asksPerSecond(system: ActorSystem): Promise<number> {
  const ref = system.ref(Echo, 'e', { trusted: true });
  return opsPerSecond(SAMPLE_MS, BATCH, async (n) => {
    for (let i = 0; i < n; i++) await ref.ask('ping', {});
  });
}

const group: BenchGroup = {
  name: 'operator',
  async run(report) {
    const quiet = new ActorSystem();
    const timed = new ActorSystem({ recordTimings: true });
    const listener = () => undefined;
    const ratios = { subscribed: [] as number[], timed: [] as number[] };
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const base = await asksPerSecond(quiet);
      subscribe(TURN_CHANNEL, listener);
      const subscribed = await asksPerSecond(quiet);
      unsubscribe(TURN_CHANNEL, listener);
      const withTimings = await asksPerSecond(timed);
      rates.push(base);
      ratios.subscribed.push(subscribed / base);
      ratios.timed.push(withTimings / base);
    }
    await quiet.shutdown();
    await timed.shutdown();
    report({ name: 'operator.ask_unobserved_per_sec', value: percentile(rates, 50), unit: 'round trips/s' });
    report({ name: 'operator.ask_turn_channel_vs_unobserved', value: percentile(ratios.subscribed, 50), unit: 'x' });
    report({ name: 'operator.ask_record_timings_vs_unobserved', value: percentile(ratios.timed, 50), unit: 'x' });
  },
};

export default group;
