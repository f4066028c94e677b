export { createCookieActors } from './cookie-actor.js';
export type { CookieDefinition, CookieOptions } from './cookie-actor.js';
export { CookieProviders } from './providers.js';
export type { CookieProvider, ProviderRegistration } from './providers.js';
export { DEFAULT_ROTATE_TASK, defineRotateTask, ROTATE_POOL } from './rotate-task.js';
export type { RotateTask } from './rotate-task.js';
export { launchCookies } from './launch.js';
export type { LaunchReport } from './launch.js';
export { COOKIE_MONITORS, COOKIE_REPORTS, COOKIES } from './rotation-state.js';
export type { CookieSnapshot, ReportRetention } from './rotation-state.js';
export type { RotationSummary, RotationTicket } from './rotation-joins.js';
export { maskCookie, shortHash } from './secrets.js';
export { CookieMessages } from './messages.js';
export {
  CookieIdSchema,
  CookieKeyNameSchema,
  CookieMonitorSchema,
  CookieStateSchema,
  MaskedKeySchema,
  ProviderConfigSchema,
  RotateInputSchema,
  RotateResultSchema,
  RotationReportSchema,
  RotationStatusSchema,
  ServiceNameSchema,
  WorkerStatusSchema,
} from './schemas.js';
export type { CookieMonitor, CookieState, MaskedKey, ProviderConfig, ProviderConfigInput, RotateInput, RotateResult, RotationReport, RotationStatus, WorkerStatus } from './schemas.js';
export { COOKIE_SCENARIOS, SIMULATED_ROTATE_TASK } from './simulation/scenarios.js';
export { SimulatedCookieProvider } from './simulation/simulated-service.js';
export type { SimulatedProviderOptions } from './simulation/simulated-service.js';
export { cookieViolations } from './simulation/invariants.js';
