/**
 * The default rotate task's definition: the code runs in a `rotate` pool
 * thread (default-rotate.ts); the schemas guard both ends of the boundary.
 */
import { defineTask, type TaskDefinition } from '../../pools/index.js';
import { RotateInputSchema, RotateResultSchema, type RotateInput, type RotateResult } from './messages.js';

/**
 * A task that rotates a cookie: input {@link RotateInput}, result {@link RotateResult}.
 *
 * @example
 * ```ts
 * const myRotate: RotateTask = defineRotateTask('rotateShop', new URL('./shop-rotate.js', import.meta.url));
 * ```
 */
export type RotateTask = TaskDefinition<RotateInput, RotateResult>;

/**
 * Defines a provider's own rotate task: `module` exports a function named `name`
 * taking a {@link RotateInput} and returning a {@link RotateResult}.
 *
 * @example
 * ```ts
 * providers.register({ service: 'bank', validateUrl, cookieKeys: ['session'], rotateEveryMs: 3_600_000,
 *   task: defineRotateTask('rotateBank', new URL('./bank-rotate.js', import.meta.url)) });
 * ```
 */
export function defineRotateTask(name: string, module: URL | string): RotateTask {
  return defineTask({ name, module, input: RotateInputSchema, result: RotateResultSchema });
}

/**
 * The default provider's task: POST the rotate URL with the current cookie,
 * take the new values from `Set-Cookie`, then GET the validate URL with them.
 */
export const DEFAULT_ROTATE_TASK: RotateTask = defineRotateTask('rotateCookie', new URL('./default-rotate.js', import.meta.url));
