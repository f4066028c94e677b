import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTask, type TaskDefinition, type TaskPool } from '../../src/pools/index.js';

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
});
