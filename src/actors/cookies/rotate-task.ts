/**
 * Rotate tasks as pool tasks: the default one (HTTP with `Set-Cookie`) and
 * how a provider defines its own. They run in the pool named `rotate`.
 */
import { defineTask, type TaskDefinition } from '../../index.js';
import { RotateInputSchema, RotateResultSchema, type RotateInput, type RotateResult } from './schemas.js';

/** The pool every rotate task runs in. */
export const ROTATE_POOL = 'rotate';

/**
 * A rotate task: a function `(input: RotateInput) => RotateResult` exported
 * as `name` by the compiled ES module at `module`.
 *
 * @example
 * ```ts
 * // shop-rotate.ts exports `async function rotateShop(input: RotateInput): Promise<RotateResult>`
 * const shopTask: RotateTask = defineRotateTask('rotateShop', new URL('./shop-rotate.js', import.meta.url));
 * ```
 */
export type RotateTask = TaskDefinition<RotateInput, RotateResult, never>;

/**
 * Defines a provider's own rotate task (its validate and rotate logic), run in the `rotate` pool.
 *
 * @example
 * ```ts
 * const providers = new CookieProviders();
 * providers.register({
 *   service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: 3_600_000,
 *   task: defineRotateTask('rotateShop', new URL('./shop-rotate.js', import.meta.url)),
 * });
 * ```
 */
export function defineRotateTask(name: string, module: URL | string): RotateTask {
  return defineTask({ name, module, input: RotateInputSchema, result: RotateResultSchema });
}

// Threads load compiled code only: from a .ts source (vitest), point at its build, as the pool's own worker entry does.
const defaultModule = import.meta.url.endsWith('.ts')
  ? new URL('../../../dist/src/actors/cookies/default-rotate.js', import.meta.url)
  : new URL('./default-rotate.js', import.meta.url);

/**
 * The default provider's task: POST the current cookie to the rotate URL,
 * take the new values from `Set-Cookie`, then GET the validate URL with them.
 *
 * @example
 * ```ts
 * const DAY = 86_400_000;
 * const providers = new CookieProviders();
 * providers.register({ service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: DAY }); // uses DEFAULT_ROTATE_TASK
 * ```
 */
export const DEFAULT_ROTATE_TASK: RotateTask = defineRotateTask('rotateCookie', defaultModule);
