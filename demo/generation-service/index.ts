/**
 * The local generation service the demo, the tests and the cook bench run
 * against: a real HTTP server on 127.0.0.1 that stands in for the remote
 * service. Demo code: not part of the `steward` package.
 */
export { GenerationService } from './generation-service.js';
export type { GenerationServiceOptions, GenerationServiceStats } from './generation-service.js';
