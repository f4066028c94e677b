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
import { COOKIES } from '../src/actors/cookies/index.js';
import { cookiesDomain } from '../src/operator/index.js';
import { MemoryStore } from '../src/persistence/index.js';
import { COOKIES_NOW, manyCookieOps } from '../test/operator/fixtures/many-cookies.js';
import { opsPerSecond, percentile, type BenchGroup } from './harness.js';

const ROUNDS = 7;
const SAMPLE_MS = 250;
const BATCH = 2_000;
const COOKIE_COUNT = 10_000;
const COOKIE_ROUNDS = 5;

const Echo = defineActor({
  name: 'bench-echo',
  messages: { ping: z.object({}) },
  initialState: () => ({}),
  handlers: { ping: () => 1 },
});

const elapsed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** The cookies domain over a fresh store each round: first read, refresh, and a paged read of the same states. */
async function cookiesDomainTimes(): Promise<{ first: number[]; refresh: number[]; query: number[] }> {
  const times = { first: [] as number[], refresh: [] as number[], query: [] as number[] };
  for (let round = 0; round < COOKIE_ROUNDS; round++) {
    const store = new MemoryStore();
    await store.commit(manyCookieOps(COOKIE_COUNT));
    const domain = cookiesDomain();
    times.first.push(await elapsed(() => domain.read(store, { now: COOKIES_NOW })));
    times.refresh.push(await elapsed(() => domain.read(store, { now: COOKIES_NOW })));
    times.query.push(
      await elapsed(async () => {
        for (let after = '', more = true; more; ) {
          const page = await store.query(COOKIES, { after, limit: 1_000 });
          more = page.length === 1_000;
          after = page[page.length - 1]?.key ?? after;
        }
      }),
    );
  }
  return times;
}

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
    const cookies = await cookiesDomainTimes();
    report({ name: 'operator.cookies_domain_first_read_10k_ms', value: percentile(cookies.first, 50), unit: 'ms' });
    report({ name: 'operator.cookies_domain_refresh_10k_ms', value: percentile(cookies.refresh, 50), unit: 'ms' });
    report({ name: 'operator.cookies_domain_refresh_vs_paged_query', value: percentile(cookies.refresh, 50) / percentile(cookies.query, 50), unit: 'x' });
  },
};

export default group;
