import { errorClass } from '../../errors.js';

/**
 * A simulated run reached real time, real threads or real I/O, which would make it unrepeatable.
 *
 * @example
 * ```ts
 * declare function retry(): void;
 * setTimeout(retry, 1_000); // in a simulated run: throws SimulationNondeterminismError (use ctx.startTimer)
 * ```
 */
export class SimulationNondeterminismError extends errorClass('SimulationNondeterminismError', 'ERR_SIM_NONDETERMINISM') {}
/**
 * A fault injected by the simulator (crashed actor, task or commit, failed I/O).
 *
 * @example
 * ```ts
 * const page = await world.io('download page', async () => '<html></html>').catch((error: unknown) => {
 *   if (error instanceof SimulatedFaultError) return undefined; // the injected `fail-io` fault
 *   throw error;
 * });
 * ```
 */
export class SimulatedFaultError extends errorClass('SimulatedFaultError', 'ERR_SIM_FAULT') {}
/**
 * A replay line that cannot be read, or names an unknown scenario or strategy.
 *
 * @example
 * ```ts
 * parseReplayLine('seed=42'); // throws InvalidReplayError (ERR_INVALID_REPLAY)
 * ```
 */
export class InvalidReplayError extends errorClass('InvalidReplayError', 'ERR_INVALID_REPLAY') {}
/**
 * A fault plan with a step that is not a step index, or a fault kind the scenario does not allow.
 *
 * @example
 * ```ts
 * // rejects with InvalidFaultPlanError: doubleStart's `faults` do not include 'crash-system'
 * await explore(doubleStart, { faultPlan: [{ step: 3, kind: 'crash-system' }] });
 * ```
 */
export class InvalidFaultPlanError extends errorClass('InvalidFaultPlanError', 'ERR_INVALID_FAULT_PLAN') {}
