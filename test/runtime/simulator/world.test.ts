import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, type ActorRef } from '../../../src/index.js';
import { defineScenario, explore, runSeed } from '../../../src/runtime/simulator/index.js';

const Ledger = defineActor({
  name: 'ledger',
  messages: { add: z.object({ amount: z.number() }), read: z.object({}) },
  initialState: (_key: string) => ({ total: 0, entries: 0 }),
  persistence: { collection: 'ledgers' },
  handlers: {
    add: async ({ amount }, ctx) => {
      ctx.state.total += amount;
      ctx.state.entries++;
      await ctx.save();
      return ctx.state.total;
    },
    read: (_p, ctx) => ctx.state.total,
  },
});

interface LedgerCtx {
  readonly ledger: ActorRef<typeof Ledger>;
}

interface DurableLedgerCtx extends LedgerCtx {
  /** Amounts whose `add` was acknowledged in this run: scratch, so it outlives the crashes that rerun `setup`. */
  readonly acknowledged: number[];
}

/** Every acknowledged add must be in the store, whatever crashes: durability before acknowledgement. */
const durableLedger = defineScenario<DurableLedgerCtx>({
  name: 'durable-ledger',
  setup: (world) => ({ ledger: world.system.ref(Ledger, 'l'), acknowledged: world.scratch('acknowledged', () => [] as number[]) }),
  actions: Array.from({ length: 4 }, (_, i) => ({
    name: `add ${i + 1}`,
    run: async ({ ledger, acknowledged }: DurableLedgerCtx) => {
      // A failed or unanswered add was not acknowledged: the client knows nothing, and the invariant promises nothing.
      const total = await ledger.ask('add', { amount: i + 1 }).catch(() => undefined);
      if (total !== undefined) acknowledged.push(i + 1);
    },
  })),
  faults: ['crash-system', 'fail-commit', 'crash-actor'],
  invariants: {
    'acknowledged adds are durable': ({ ledger, acknowledged }, world) => {
      const stored = world.durable(ledger)?.total ?? 0;
      const promised = acknowledged.reduce((sum, amount) => sum + amount, 0);
      return promised <= stored || `acknowledged ${promised} but the store holds ${stored}`;
    },
  },
});

describe('simulated world', () => {
  it('keeps acknowledged writes across whole-system crashes, failed commits and actor crashes', async () => {
    const faults = new Set<string>();
    const report = await explore(durableLedger, {
      schedules: 1000,
      faultProbability: 0.2,
      onSchedule: (result) => result.trace.filter((step) => step.label.startsWith('fault: ')).forEach((step) => faults.add(step.label.replace(/ \(.*| actor .*/, ''))),
    });
    expect(report.violations).toEqual([]);
    expect([...faults].sort()).toEqual(['fault: crash', 'fault: crash system', 'fault: failed commit']);
  });

  it('fires timers as steps that compete with everything else', async () => {
    const Alarm = defineActor({
      name: 'alarm',
      messages: { arm: z.object({}), ring: z.object({}) },
      initialState: (_key: string) => ({ rung: false }),
      handlers: {
        arm: (_p, ctx) => ctx.startTimer('alarm', 60_000, { type: 'ring', payload: {} }),
        ring: (_p, ctx) => void (ctx.state.rung = true),
      },
    });
    const scenario = defineScenario({
      name: 'alarm',
      setup: (world) => ({ alarm: world.system.ref(Alarm, 'a') }),
      actions: [{ name: 'arm', run: ({ alarm }: { alarm: ActorRef<typeof Alarm> }) => alarm.tell('arm', {}) }],
      eventually: { rang: ({ alarm }, world) => world.peek(alarm)?.rung === true },
      eventuallyWithinMs: 120_000,
    });
    const result = await runSeed(scenario, 1, 'random');
    expect(result.violation).toBeUndefined();
    expect(result.trace.map((step) => step.label)).toContain('timer @60000');
  });

  it('delays messages from outside under delay-message, keeping their order per actor', async () => {
    const round = z.object({ n: z.number().int() });
    const Inbox = defineActor({
      name: 'inbox',
      messages: { hello: round, bye: round, followUp: round },
      initialState: (_key: string) => ({ greeted: 0, byeBeforeHello: false, followUpBeforeHello: false }),
      handlers: {
        hello: ({ n }, ctx) => void (ctx.state.greeted = n),
        bye: ({ n }, ctx) => void (ctx.state.byeBeforeHello ||= ctx.state.greeted < n),
        // Naive: assumes the hello sent before the forward is always in first.
        followUp: ({ n }, ctx) => void (ctx.state.followUpBeforeHello ||= ctx.state.greeted < n),
      },
    });
    const Relay = defineActor({
      name: 'relay',
      messages: { forward: round },
      initialState: (_key: string) => ({}),
      handlers: { forward: (message, ctx) => ctx.ref(Inbox, 'a').tell('followUp', message) },
    });
    type Ctx = { inbox: ActorRef<typeof Inbox>; relay: ActorRef<typeof Relay>; rounds: number };
    const scenario = (faults: ['delay-message'] | []) =>
      defineScenario<Ctx>({
        name: 'late-arrival',
        faults,
        setup: (world) => ({ inbox: world.system.ref(Inbox, 'a'), relay: world.system.ref(Relay, 'r'), rounds: 0 }),
        actions: [
          {
            name: 'greet, forward, leave',
            times: 3,
            run: (ctx: Ctx) => {
              const n = ++ctx.rounds;
              ctx.inbox.tell('hello', { n });
              ctx.relay.tell('forward', { n });
              ctx.inbox.tell('bye', { n });
            },
          },
        ],
        invariants: {
          'sent order kept per actor': ({ inbox }, world) => world.peek(inbox)?.byeBeforeHello !== true,
          'hello before follow-up': ({ inbox }, world) => world.peek(inbox)?.followUpBeforeHello !== true,
        },
      });

    // Without the fault a hello is in the mailbox before the relay even runs: never late.
    expect((await explore(scenario([]), { schedules: 500, stopOnViolation: false })).violations).toHaveLength(0);

    const delayed = await explore(scenario(['delay-message']), { schedules: 500, stopOnViolation: false });
    expect(delayed.violations.length).toBeGreaterThan(0);
    expect(new Set(delayed.violations.map((run) => run.violation?.name))).toEqual(new Set(['hello before follow-up']));
    const late = delayed.violations[0]?.trace.map((step) => step.label) ?? [];
    expect(late.filter((label) => label.startsWith('deliver '))).not.toHaveLength(0);
  });

  it('reports a deadlock: nothing enabled, no timer, yet a caller waits', async () => {
    const scenario = defineScenario({
      name: 'stuck',
      setup: () => ({ never: new Promise<void>(() => {}) }),
      actions: [{ name: 'wait forever', run: ({ never }: { never: Promise<void> }) => never }],
    });
    const result = await runSeed(scenario, 3, 'random');
    expect(result.violation).toMatchObject({ kind: 'deadlock', message: 'nothing can happen, yet 1 caller(s) still wait: action wait forever#1' });
  });

  it('reports an eventually condition that never holds', async () => {
    const scenario = defineScenario({
      name: 'never-done',
      setup: () => ({ done: false }),
      actions: [{ name: 'noop', run: () => undefined }],
      eventually: { done: ({ done }) => done },
    });
    const result = await runSeed(scenario, 1, 'random');
    expect(result.violation).toMatchObject({ kind: 'eventually', name: 'done' });
  });

  it('refuses real timers loudly during a simulated run', async () => {
    const scenario = defineScenario({
      name: 'real-timer',
      setup: () => ({}),
      actions: [{ name: 'sleep', run: () => new Promise((resolve) => setTimeout(resolve, 10)) }],
    });
    const result = await runSeed(scenario, 1, 'random');
    expect(result.violation).toMatchObject({ kind: 'error', name: 'nondeterminism' });
    expect(result.violation?.message).toMatchInlineSnapshot(
      `"setTimeout was called during a simulated run: use the actor context's clock (ctx.startTimer / ctx.clock) so the simulator controls time"`,
    );
    const later = await new Promise<string>((resolve) => setTimeout(() => resolve('restored'), 1));
    expect(later).toBe('restored');
  });

  it('refuses real I/O loudly: a file read or a socket started during a run', async () => {
    const reading = defineScenario({
      name: 'real-file',
      setup: () => ({}),
      actions: [{ name: 'read a file', run: () => readFile(new URL(import.meta.url)) }],
    });
    const result = await runSeed(reading, 1, 'random');
    expect(result.violation).toMatchObject({ kind: 'error', name: 'nondeterminism' });
    expect(result.violation?.message).toBe('fs/promises.readFile was called during a simulated run: model the outside world with world.io(...) so the simulator orders it');

    const server = createServer();
    const listening = defineScenario({
      name: 'real-socket',
      setup: () => ({}),
      actions: [{ name: 'listen', run: () => void server.listen(0, '127.0.0.1') }],
    });
    const socket = await runSeed(listening, 1, 'random');
    await new Promise((resolve) => server.close(resolve));
    expect(socket.violation?.message).toMatch(/^net\.Server\.listen was called during a simulated run/);
  });
});

