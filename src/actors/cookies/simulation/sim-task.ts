import { defineRotateTask } from '../rotate-task.js';

/**
 * The rotate task of simulated providers (see sim-rotate-task.ts).
 *
 * @example
 * ```ts
 * providers.register({ ...shop, task: SIMULATED_ROTATE_TASK });
 * ```
 */
export const SIMULATED_ROTATE_TASK = defineRotateTask('simRotateCookie', new URL('./sim-rotate-task.js', import.meta.url));
