import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTask, type TaskDefinition, type TaskPool, type TaskRunError } from '../../src/pools/index.js';
import type { StartTaskOptions } from '../../src/runtime/actor-context.js';

describe('defineTask', () => {
  const hash = defineTask({
    name: 'hash',
    module: '/srv/tasks/hash.js',
    input: z.object({ path: z.string() }),
    result: z.string(),
    progress: z.number(),
  });

  it('infers input, result and progress types from the schemas', () => {
    expectTypeOf(hash).toEqualTypeOf<TaskDefinition<{ path: string }, string, number>>();
    const plain = defineTask({ name: 'plain', module: 'file:///srv/p.js', input: z.number(), result: z.boolean() });
    expectTypeOf(plain).toEqualTypeOf<TaskDefinition<number, boolean, never>>();
    expectTypeOf<TaskPool['run']>().toBeFunction();
    const run = (pool: TaskPool) => pool.run(hash, { path: 'a' }, { onProgress: (pct) => expectTypeOf(pct).toEqualTypeOf<number>() });
    expectTypeOf(run).returns.toEqualTypeOf<Promise<string>>();
    // @ts-expect-error the input must match the schema's type
    void ((pool: TaskPool) => pool.run(hash, { path: 1 }));
  });

  it('normalizes the module to a file: URL and refuses a relative path', () => {
    expect(hash.moduleHref).toBe('file:///srv/tasks/hash.js');
    expect(() => defineTask({ name: 'x', module: './x.js', input: z.unknown(), result: z.unknown() })).toThrow(TypeError);
  });

  it('gives a channel only to tasks that report progress or heartbeats', () => {
    expect(hash.channel).toBe(true);
    expect(defineTask({ name: 'a', module: '/a.js', input: z.unknown(), result: z.unknown() }).channel).toBe(false);
    expect(defineTask({ name: 'b', module: '/b.js', input: z.unknown(), result: z.unknown(), heartbeat: true }).channel).toBe(true);
  });

  it("types a started task's failed outcome as the union of pool errors, switchable on code", () => {
    type Failed = Extract<Parameters<StartTaskOptions<string, never, unknown>['toMessage']>[0], { ok: false }>['error'];
    expectTypeOf<Failed>().toEqualTypeOf<TaskRunError>();
    expectTypeOf<TaskRunError['code']>().toEqualTypeOf<
      | 'ERR_TASK_TIMEOUT'
      | 'ERR_TASK_ABORTED'
      | 'ERR_TASK_FAILED'
      | 'ERR_TASK_MODULE'
      | 'ERR_TASK_CRASHED'
      | 'ERR_POOL_FULL'
      | 'ERR_POOL_CLOSED'
      | 'ERR_INVALID_TASK_INPUT'
      | 'ERR_INVALID_TASK_RESULT'
    >();
  });
});
