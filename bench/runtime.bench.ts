/**
 * Runtime core against its floors and against nact, in one process: tell
 * throughput, ask round trips, memory per idle actor, get-or-spawn rate.
 *
 * Every ratio is a median over rounds that measure steward and its baseline
 * back to back, so drift in the machine's speed hits both sides alike.
 */
import { dispatch, query, spawn, start, stop, type Ref } from 'nact';
import { z } from 'zod';
import { ActorSystem, DEFAULT_MAILBOX_CAPACITY, defineActor } from '../src/index.js';
import { collectGarbage, opsPerSecond, percentile, type BenchFigure, type BenchGroup } from './harness.js';

/** Rounds per ratio; each round measures every side once. */
const ROUNDS = 7;
/** Milliseconds each side runs per round. */
const SAMPLE_MS = 250;
/** Messages per tell batch: a full default mailbox, so nothing is refused. */
const TELL_BATCH = DEFAULT_MAILBOX_CAPACITY;
/** Round trips per ask batch. */
const ASK_BATCH = 2_000;
/** Asks in flight at once in the concurrent ask workload. */
const ASK_CONCURRENCY = 100;
/** Live actors in the memory figure. */
const IDLE_ACTORS = 100_000;
/** New keys per spawn-rate sample, and samples taken. */
const SPAWN_BATCH = 20_000;
const SPAWN_SAMPLES = 5;

type Report = (figure: BenchFigure) => void;

/** Resolves once `hit` has been called as often as the last `arm` asked for. */
class Latch {
  #remaining = 0;
  #resolve: () => void = () => {};

  arm(count: number): Promise<void> {
    this.#remaining = count;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  hit(): void {
    if (--this.#remaining === 0) this.#resolve();
  }
}

const latch = new Latch();

const Sink = defineActor({
  name: 'bench-sink',
  messages: { add: z.object({ by: z.number().int() }), get: z.object({}) },
  initialState: (_key: string) => ({ count: 0 }),
  handlers: {
    add: ({ by }, ctx) => {
      ctx.state.count += by;
      latch.hit();
    },
    get: (_payload, ctx) => ctx.state.count,
  },
});

type FloorMessage =
  | { readonly type: 'add'; readonly payload: { readonly by: number } }
  | { readonly type: 'get'; readonly payload: object; readonly resolve: (count: number) => void };

/**
 * The floor: the least an honest in-process mailbox does. An array queue,
 * drained by one async loop that starts on a microtask (never in the
 * sender's stack; through a settled promise, the cheapest hop, as steward's
 * scheduler does) and awaits the handler only when it returns a promise.
 */
const SETTLED = Promise.resolve();

class Floor<T> {
  readonly #items: (T | undefined)[] = [];
  #head = 0;
  #running = false;

  constructor(private readonly handle: (message: T) => unknown) {}

  push(message: T): void {
    this.#items.push(message);
    if (this.#running) return;
    this.#running = true;
    void SETTLED.then(() => this.#loop());
  }

  async #loop(): Promise<void> {
    while (this.#head < this.#items.length) {
      const message = this.#items[this.#head] as T;
      this.#items[this.#head++] = undefined;
      const result = this.handle(message);
      if (result instanceof Promise) await result;
    }
    this.#items.length = 0;
    this.#head = 0;
    this.#running = false;
  }
}

function floorSink(): Floor<FloorMessage> {
  const state = { count: 0 };
  return new Floor<FloorMessage>((message) => {
    if (message.type === 'get') return message.resolve(state.count);
    state.count += message.payload.by;
    latch.hit();
  });
}

type NactMessage = { readonly type: 'add'; readonly by: number } | { readonly type: 'get'; readonly sender: Ref<number> };

/** The same sink on nact: a stateful actor whose state is the count. */
function nactSink(): { readonly ref: Ref<NactMessage>; close(): void } {
  const system = start();
  const ref = spawn(
    system,
    (count: number, message: NactMessage) => {
      if (message.type === 'get') {
        dispatch(message.sender, count);
        return count;
      }
      latch.hit();
      return count + message.by;
    },
    'sink',
    { initialState: 0 },
  );
  return { ref, close: () => stop(system) };
}

/** Per-side rates of every round, measured back to back. */
interface Comparison {
  /** Median rate of one side, per second. */
  rate(side: string): number;
  /** Median over rounds of `side`'s rate divided by `baseline`'s rate in the same round. */
  ratio(side: string, baseline: string): number;
}

/** Measures every side once per round, for {@link ROUNDS} rounds. */
async function compare(sides: Readonly<Record<string, (n: number) => Promise<void>>>, batch: number): Promise<Comparison> {
  const rates = new Map<string, number[]>(Object.keys(sides).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(sides)) rates.get(name)?.push(await opsPerSecond(SAMPLE_MS, batch, run));
  }
  const of = (side: string): number[] => {
    const samples = rates.get(side);
    if (!samples) throw new Error(`no side named '${side}'`);
    return samples;
  };
  return {
    rate: (side) => percentile(of(side), 50),
    ratio: (side, baseline) => {
      const under = of(baseline);
      return percentile(of(side).map((rate, round) => rate / (under[round] as number)), 50);
    },
  };
}

async function tellThroughput(report: Report): Promise<void> {
  const system = new ActorSystem();
  const nact = nactSink();
  try {
    const trusted = system.ref(Sink, 'tell-trusted', { trusted: true });
    const validated = system.ref(Sink, 'tell-validated');
    const floor = floorSink();
    const tellAll = (send: () => void) => async (n: number) => {
      const done = latch.arm(n);
      for (let i = 0; i < n; i++) send();
      await done;
    };
    const tells = await compare(
      {
        floor: tellAll(() => floor.push({ type: 'add', payload: { by: 1 } })),
        trusted: tellAll(() => trusted.tell('add', { by: 1 })),
        validated: tellAll(() => validated.tell('add', { by: 1 })),
        nact: tellAll(() => dispatch(nact.ref, { type: 'add', by: 1 })),
      },
      TELL_BATCH,
    );
    report({ name: 'runtime.tell_vs_floor', value: tells.ratio('trusted', 'floor'), unit: 'x', target: '>= 0.5' });
    report({ name: 'runtime.tell_validated_vs_floor', value: tells.ratio('validated', 'floor'), unit: 'x' });
    report({ name: 'runtime.tell_vs_nact', value: tells.ratio('trusted', 'nact'), unit: 'x', target: '>= 3' });
    report({ name: 'runtime.tell_per_sec', value: tells.rate('trusted'), unit: 'msg/s' });
    report({ name: 'runtime.tell_floor_per_sec', value: tells.rate('floor'), unit: 'msg/s' });
    report({ name: 'runtime.tell_nact_per_sec', value: tells.rate('nact'), unit: 'msg/s' });
  } finally {
    nact.close();
    await system.shutdown();
  }
}

async function askRoundTrips(report: Report): Promise<void> {
  const system = new ActorSystem();
  const nact = nactSink();
  try {
    const ref = system.ref(Sink, 'ask', { trusted: true });
    const floor = floorSink();
    const floorAsk = () => new Promise<number>((resolve) => floor.push({ type: 'get', payload: {}, resolve }));
    const stewardAsk = () => ref.ask('get', {});
    const nactAsk = () => query(nact.ref, (sender: Ref<number>) => ({ type: 'get', sender }), 5_000);
    const sequential = (ask: () => Promise<number>) => async (n: number) => {
      for (let i = 0; i < n; i++) await ask();
    };
    const asks = await compare(
      { floor: sequential(floorAsk), steward: sequential(stewardAsk), nact: sequential(nactAsk) },
      ASK_BATCH,
    );
    report({ name: 'runtime.ask_vs_floor', value: asks.ratio('steward', 'floor'), unit: 'x', target: '>= 0.5' });
    report({ name: 'runtime.ask_vs_nact', value: asks.ratio('steward', 'nact'), unit: 'x', target: '>= 3' });
    report({ name: 'runtime.ask_per_sec', value: asks.rate('steward'), unit: 'round trips/s' });
    report({ name: 'runtime.ask_floor_per_sec', value: asks.rate('floor'), unit: 'round trips/s' });
    report({ name: 'runtime.ask_nact_per_sec', value: asks.rate('nact'), unit: 'round trips/s' });

    const concurrent = (ask: () => Promise<number>) => async (n: number) => {
      for (let sent = 0; sent < n; sent += ASK_CONCURRENCY) await Promise.all(Array.from({ length: ASK_CONCURRENCY }, ask));
    };
    const inFlight = await compare({ floor: concurrent(floorAsk), steward: concurrent(stewardAsk) }, ASK_BATCH * 10);
    report({ name: 'runtime.ask_concurrent_vs_floor', value: inFlight.ratio('steward', 'floor'), unit: 'x' });
  } finally {
    nact.close();
    await system.shutdown();
  }
}

/** Heap held by the system per live, idle actor, each activated by one ask; the bench keeps no refs. */
async function idleActorBytes(report: Report): Promise<void> {
  const system = new ActorSystem();
  try {
    await system.ref(Sink, 'warm-up').ask('get', {}); // definitions, deadline lists, code
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const chunk = 1_000;
    for (let first = 0; first < IDLE_ACTORS; first += chunk) {
      const asks: Promise<number>[] = [];
      for (let i = first; i < first + chunk; i++) asks.push(system.ref(Sink, `idle-${i}`).ask('get', {}));
      await Promise.all(asks);
    }
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    if (system.liveActors !== IDLE_ACTORS + 1) throw new Error(`expected ${IDLE_ACTORS + 1} live actors, found ${system.liveActors}`);
    report({ name: 'runtime.idle_actor_bytes', value: (after - before) / IDLE_ACTORS, unit: 'bytes', target: '<= 1024' });
  } finally {
    await system.shutdown();
  }
}

/** New keys per second on steward, each counted once its first message has been handled; a fresh system per sample. */
async function stewardSpawns(): Promise<number> {
  const system = new ActorSystem();
  try {
    const done = latch.arm(SPAWN_BATCH);
    const started = performance.now();
    for (let i = 0; i < SPAWN_BATCH; i++) system.ref(Sink, `spawn-${i}`, { trusted: true }).tell('add', { by: 1 });
    await done;
    return SPAWN_BATCH / ((performance.now() - started) / 1000);
  } finally {
    await system.shutdown();
  }
}

/** The same on nact: spawn an actor per key and dispatch it one message. */
async function nactSpawns(): Promise<number> {
  const system = start();
  try {
    const done = latch.arm(SPAWN_BATCH);
    const started = performance.now();
    for (let i = 0; i < SPAWN_BATCH; i++) {
      const ref = spawn(system, (count: number, message: NactMessage) => (message.type === 'add' ? (latch.hit(), count + message.by) : count), `spawn-${i}`, { initialState: 0 });
      dispatch(ref, { type: 'add', by: 1 });
    }
    await done;
    return SPAWN_BATCH / ((performance.now() - started) / 1000);
  } finally {
    stop(system);
  }
}

/** Get-or-spawn of new keys, each told one message, against nact spawning as many, round by round. */
async function spawnRate(report: Report): Promise<void> {
  const steward: number[] = [];
  const nact: number[] = [];
  for (let sample = 0; sample < SPAWN_SAMPLES + 1; sample++) {
    const ours = await stewardSpawns();
    const theirs = await nactSpawns();
    if (sample === 0) continue; // warms up
    steward.push(ours);
    nact.push(theirs);
  }
  report({ name: 'runtime.spawn_vs_nact', value: percentile(steward.map((rate, i) => rate / (nact[i] as number)), 50), unit: 'x', target: '>= 1.0' });
  report({ name: 'runtime.spawn_per_sec', value: percentile(steward, 50), unit: 'actors/s' });
  report({ name: 'runtime.spawn_nact_per_sec', value: percentile(nact, 50), unit: 'actors/s' });
}

/** Self-tells in the fairness figure, and rounds of it. */
const SPIN_HOPS = 200_000;
const SPIN_ROUNDS = 7;

let spinDone: () => void = () => {};
const Spinner = defineActor({
  name: 'bench-spinner',
  messages: { spin: z.object({ left: z.number().int() }) },
  initialState: (_key: string) => ({}),
  handlers: {
    spin: ({ left }, ctx) => {
      if (left > 0) ctx.self.tell('spin', { left: left - 1 });
      else spinDone();
    },
  },
});

/** Milliseconds from `setTimeout(…, 0)` to its callback. */
function zeroTimerDelay(): Promise<number> {
  const set = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(performance.now() - set), 0));
}

/**
 * How late a 0 ms timer fires while an actor tells itself 200,000 times
 * (each from a synchronous handler), against the same timer on an idle loop:
 * the scheduler's yield budget is what stands between them.
 */
async function fairTimerDelay(report: Report): Promise<void> {
  const system = new ActorSystem();
  try {
    const busy: number[] = [];
    const idle: number[] = [];
    for (let round = 0; round < SPIN_ROUNDS + 1; round++) {
      const spun = new Promise<void>((resolve) => (spinDone = resolve));
      system.ref(Spinner, `spin-${round}`, { trusted: true }).tell('spin', { left: SPIN_HOPS - 1 });
      const delay = await zeroTimerDelay();
      await spun;
      const idleDelay = await zeroTimerDelay();
      if (round === 0) continue; // warm-up
      busy.push(delay);
      idle.push(idleDelay);
    }
    report({ name: 'runtime.fair_timer_delay_ms', value: percentile(busy, 50), unit: 'ms', target: '<= 5' });
    report({ name: 'runtime.fair_timer_idle_delay_ms', value: percentile(idle, 50), unit: 'ms' });
  } finally {
    await system.shutdown();
  }
}

const runtime: BenchGroup = {
  name: 'runtime',
  async run(report) {
    await tellThroughput(report);
    await askRoundTrips(report);
    await idleActorBytes(report);
    await spawnRate(report);
    await fairTimerDelay(report);
  },
};

export default runtime;
