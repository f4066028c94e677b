import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, type MessageOf, type PayloadOf, type ReplyOf, type StateOf } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';

const Profile = defineActor({
  name: 'profile',
  messages: {
    rename: z.object({ name: z.string().min(1) }),
    get: z.object({}),
    tag: z.object({ tags: z.array(z.string()).default([]) }),
  },
  initialState: (key: string) => ({ id: key, name: '' }),
  handlers: {
    rename: ({ name }, ctx) => {
      ctx.state.name = name;
    },
    get: async (_p, ctx) => ({ ...ctx.state }),
    tag: ({ tags }) => tags.length,
  },
});

describe('inferred types', () => {
  it('gives ask the handler return type, awaited, without casts', () => {
    const system = new ActorSystem();
    const ref = system.ref(Profile, 'p');
    expectTypeOf(ref.ask('get', {})).toEqualTypeOf<Promise<{ id: string; name: string }>>();
    expectTypeOf(ref.ask('rename', { name: 'x' })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(ref.ask('tag', {})).toEqualTypeOf<Promise<number>>(); // input type: `tags` has a default
    expectTypeOf(system.ref(Counter, 'c').ask('add', { by: 1 })).toEqualTypeOf<Promise<number>>();
    void system.shutdown();
  });

  it('derives payload, state, reply and message helpers', () => {
    expectTypeOf<PayloadOf<typeof Profile, 'rename'>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<StateOf<typeof Profile>>().toEqualTypeOf<{ id: string; name: string }>();
    expectTypeOf<ReplyOf<typeof Profile, 'tag'>>().toEqualTypeOf<number>();
    expectTypeOf<MessageOf<typeof Counter>['type']>().toEqualTypeOf<'add' | 'slowAdd' | 'get' | 'fail'>();
  });

  it('rejects unknown message types and wrong payloads at compile time', () => {
    const system = new ActorSystem();
    const ref = system.ref(Profile, 'p');
    const refuse = (send: () => unknown) => {
      try {
        const result = send();
        if (result instanceof Promise) result.catch(() => {});
      } catch {
        // the runtime refuses these too
      }
    };
    // @ts-expect-error unknown message type
    refuse(() => ref.tell('delete', {}));
    // @ts-expect-error wrong payload type
    refuse(() => ref.ask('rename', { name: 42 }));
    // @ts-expect-error missing payload field
    refuse(() => ref.tell('rename', {}));
    void system.shutdown();
  });

  it('types the event bus: known events only, with their payloads', () => {
    const system = new ActorSystem();
    system.events.on('actor.crashed', (event) => {
      expectTypeOf(event.messageType).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.key).toEqualTypeOf<string>();
    });
    system.events.on('dead.letter', (event) => expectTypeOf(event.reason).toEqualTypeOf<'stopped' | 'failed' | 'shutdown' | 'overflow' | 'unreachable'>());
    // @ts-expect-error no such event
    system.events.on('actor.exploded', () => undefined);
    void system.shutdown();
  });

  it('types the handler context from the state and messages', () => {
    defineActor({
      name: 'typed-ctx',
      messages: { go: z.object({ n: z.number() }) },
      initialState: (_key: string) => ({ total: 0 }),
      handlers: {
        go: ({ n }, ctx) => {
          expectTypeOf(n).toEqualTypeOf<number>();
          expectTypeOf(ctx.state).toEqualTypeOf<{ total: number }>();
          ctx.startTimer('again', 10, { type: 'go', payload: { n: 1 } });
          // @ts-expect-error the timer's message must be one of this actor's messages
          ctx.startTimer('bad', 10, { type: 'nope', payload: {} });
        },
      },
    });
  });
});

describe('error types', () => {
  it('gives every error class a literal code', async () => {
    const { ForbiddenError, AskTimeoutError, InvalidMessageError } = await import('../../src/index.js');
    expectTypeOf(new ForbiddenError('no').code).toEqualTypeOf<'ERR_FORBIDDEN'>();
    expectTypeOf(new AskTimeoutError('late').code).toEqualTypeOf<'ERR_ASK_TIMEOUT'>();
    expectTypeOf(new InvalidMessageError('bad', []).issues).toEqualTypeOf<readonly import('../../src/index.js').MessageIssue[]>();
  });
});
