import { errorClass } from '../../errors.js';

/** A simulated run reached real time, real threads or real I/O, which would make it unrepeatable. */
export class SimulationNondeterminismError extends errorClass('SimulationNondeterminismError', 'ERR_SIM_NONDETERMINISM') {}
/** A fault injected by the simulator (crashed actor, task or commit, failed I/O). */
export class SimulatedFaultError extends errorClass('SimulatedFaultError', 'ERR_SIM_FAULT') {}
/** A replay line that cannot be read, or names an unknown scenario or strategy. */
export class InvalidReplayError extends errorClass('InvalidReplayError', 'ERR_INVALID_REPLAY') {}
/** A fault plan with a step that is not a step index, or a fault kind the scenario does not allow. */
export class InvalidFaultPlanError extends errorClass('InvalidFaultPlanError', 'ERR_INVALID_FAULT_PLAN') {}
