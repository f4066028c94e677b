/**
 * node:http plumbing shared by steward's HTTP surfaces (the cook webhook,
 * the jobs queue and registry handlers, the dashboard, the cluster's
 * forwarding endpoint): bounded body reading, JSON replies, listening on
 * loopback, and signed requests. A leaf: it imports nothing else of
 * steward's. Not a package entry.
 * @internal
 */
export { DEFAULT_MAX_BODY_BYTES, parseJsonBytes, readJsonBody, readRawBody } from './read-body.js';
export type { BodyResult, JsonResult, RawBodyResult } from './read-body.js';
export { sendJson } from './send-json.js';
export { DEFAULT_SIGNATURE_TOLERANCE_MS, SIGNATURE_HEADER, signatureOf, signatureProblem, signBody } from './signature.js';
export type { SignatureCheck } from './signature.js';
export { listenLocal } from './listen-local.js';
export type { ListenOptions, LocalListener } from './listen-local.js';
