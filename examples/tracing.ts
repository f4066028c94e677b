/**
 * Tracing from outside: steward publishes on `node:diagnostics_channel`, so
 * this subscriber (an APM agent, an OpenTelemetry bridge) needs nothing from
 * steward but the channel names. Run: `npm run build && node dist/examples/tracing.js`.
 */
import { subscribe } from 'node:diagnostics_channel';
import { z } from 'zod';
import { ActorSystem, defineActor } from 'steward';

// Subscribing before the system exists is fine: channels are global by name.
const seen: Record<string, number> = {};
let turnMs = 0;
subscribe('steward:actor.turn', (message) => {
  seen.turns = (seen.turns ?? 0) + 1;
  turnMs += (message as { durationMs: number }).durationMs;
});
subscribe('steward:actor.crashed', (message) => {
  const { type, key, messageType } = message as { type: string; key: string; messageType: string };
  console.log(`crash: ${type}/${key} handling '${messageType}'`);
});
subscribe('steward:dead.letter', (message) => {
  const { type, key, reason } = message as { type: string; key: string; reason: string };
  console.log(`dead letter: ${type}/${key} (${reason})`);
});

const Greeter = defineActor({
  name: 'greeter',
  messages: { greet: z.object({ name: z.string() }), fail: z.object({}) },
  initialState: () => ({ greeted: 0 }),
  handlers: {
    greet: ({ name }, ctx) => `hello ${name} (#${++ctx.state.greeted})`,
    fail: () => {
      throw new Error('boom');
    },
  },
});

const system = new ActorSystem();
const greeter = system.ref(Greeter, 'g1');
for (const name of ['ann', 'ben', 'cora']) await greeter.ask('greet', { name });
await greeter.ask('fail', {}).catch(() => undefined);
await system.stop(greeter);
greeter.tell('greet', { name: 'late' });
await system.shutdown();
console.log(`turns traced: ${seen.turns ?? 0}, total ${turnMs.toFixed(2)} ms`);
