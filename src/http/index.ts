/**
 * node:http plumbing shared by the HTTP surfaces of the domains (the cook
 * webhook, the jobs queue and registry handlers, the dashboard): bounded body
 * reading, JSON replies, and listening on loopback. A leaf: it imports nothing else of steward's. Not a package
 * entry.
 * @internal
 */
export { DEFAULT_MAX_BODY_BYTES, parseJsonBytes, readJsonBody, readRawBody } from './read-body.js';
export type { BodyResult, JsonResult, RawBodyResult } from './read-body.js';
export { sendJson } from './send-json.js';
export { listenLocal } from './listen-local.js';
export type { ListenOptions, LocalListener } from './listen-local.js';
