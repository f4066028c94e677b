export { createCookieActors, COOKIES, COOKIE_MONITORS, COOKIE_REPORTS, ROTATE_POOL } from './cookie-actor.js';
export type { CookieDefinition, CookieOptions } from './cookie-actor.js';
export { CookieProviders } from './providers.js';
export type { CookieProvider, CookieProviderConfig } from './providers.js';
export { defineRotateTask, DEFAULT_ROTATE_TASK } from './rotate-task.js';
export type { RotateTask } from './rotate-task.js';
export type { RotationSummary, RotationTicket } from './rotation-joins.js';
export { reportKey, reportPrefix } from './rotation-state.js';
export type { CookieSnapshot } from './rotation-state.js';
export { launchCookiesOnStartup } from './startup.js';
export { pruneRotationReports } from './retention.js';
export type { ReportRetention } from './retention.js';
export { cookieInvariantViolations } from './invariants.js';
export { cookieSealer, maskCookie, shortHash } from './secrets.js';
export type { CookieSealer } from './secrets.js';
export { applySetCookie, formatCookie, parseCookie } from './cookie-string.js';
export {
  CookieIdSchema,
  CookieMessages,
  CookieMonitorSchema,
  CookieStateSchema,
  RotateInputSchema,
  RotateResultSchema,
  RotationReportSchema,
  RotationStatusSchema,
} from './messages.js';
export type { CookieMonitor, CookieState, MaskedKey, RotateInput, RotateResult, RotationReport, RotationStatus, SealedValue } from './messages.js';
export { COOKIE_SCENARIOS } from './simulation/scenarios.js';
export { SimulatedCookieService } from './simulation/simulated-service.js';
export type { SimulatedCookieServiceOptions } from './simulation/simulated-service.js';
