/**
 * node:http plumbing shared by the HTTP surfaces of the domains (the cook
 * webhook, the jobs queue and registry handlers): bounded body reading and
 * JSON replies. A leaf: it imports nothing else of steward's. Not a package
 * entry.
 * @internal
 */
export { DEFAULT_MAX_BODY_BYTES, parseJsonBytes, readJsonBody, readRawBody } from './read-body.js';
export type { BodyResult, JsonResult, RawBodyResult } from './read-body.js';
export { sendJson } from './send-json.js';
