export { createCookActors, COLLECTIONS, COOKS } from './cook-actor.js';
export type { CookDefinition, CookOptions } from './cook-actor.js';
export { createCookWebhook } from './webhook-routing.js';
export type { CookRoutes } from './webhook-routing.js';
export { createCollection } from './collections.js';
export { cookInvariantViolations } from './invariants.js';
export { COOK_COMPLETIONS, CookCompletionSchema, readCookCompletions } from './completions.js';
export type { CookCompletion, CookJobCompletion } from './completions.js';
export { cookKey, cookJobId, parseCookJobId } from './keys.js';
export { snapshotOf } from './cook-state.js';
export {
  CollectionSchema,
  CompletionSourceSchema,
  CookMessages,
  CookStateSchema,
  CookStatusSchema,
  EntityIdSchema,
} from './messages.js';
export type { Collection, CompletionSource, CookSnapshot, CookState, CookStats, CookStatus } from './messages.js';
export * from './service/index.js';
export { SimulatedGenerationService } from './simulation/simulated-service.js';
export type { ServiceLedger, SimulatedServiceOptions, WebhookSink } from './simulation/simulated-service.js';
export { COOK_SCENARIOS } from './simulation/scenarios.js';
