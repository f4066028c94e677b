/** The one signing scheme steward's HTTP surfaces share (the cook webhook, the cluster's forwarding endpoint): what it signs, and every reason it refuses. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGNATURE_TOLERANCE_MS, signatureOf, signatureProblem, signBody } from '../../src/http/index.js';

const secret = 'a-shared-secret-0123456789';
const body = '{"n":1}';
const nowMs = 1_700_000_000_000;

describe('signBody and signatureProblem', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256, the same for a string and its bytes, and accepts its own signature', () => {
    const header = signBody(secret, body, nowMs);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(signBody(secret, Buffer.from(body), nowMs)).toBe(header);
    expect(signatureProblem(secret, header, Buffer.from(body), { nowMs })).toBeUndefined();
  });

  it('names why a signature is refused', () => {
    const header = signBody(secret, body, nowMs);
    const problem = (given: string | undefined, raw = body, check: { nowMs: number; toleranceMs?: number } = { nowMs }) => signatureProblem(secret, given, raw, check);
    expect({
      unsigned: problem(undefined),
      malformed: problem('t=1,v1=zz'),
      otherSecret: problem(signBody('another-secret-9876543210', body, nowMs)),
      otherBody: problem(header, '{"n":2}'),
      stale: problem(header, body, { nowMs: nowMs + DEFAULT_SIGNATURE_TOLERANCE_MS + 1_000 }),
      ahead: problem(header, body, { nowMs: nowMs - 61_000, toleranceMs: 60_000 }),
    }).toMatchInlineSnapshot(`
      {
        "ahead": "the signature is outside the replay window (stale or replayed delivery)",
        "malformed": "malformed steward-signature header",
        "otherBody": "the signature does not match",
        "otherSecret": "the signature does not match",
        "stale": "the signature is outside the replay window (stale or replayed delivery)",
        "unsigned": "the delivery is not signed (no steward-signature header)",
      }
    `);
    expect(problem(header, body, { nowMs: nowMs + DEFAULT_SIGNATURE_TOLERANCE_MS })).toBeUndefined();
  });

  it('reads the header off node:http headers, the first of repeated ones', () => {
    expect(signatureOf({ 'steward-signature': 't=1,v1=ab' })).toBe('t=1,v1=ab');
    expect(signatureOf({ 'steward-signature': ['t=1,v1=ab', 't=2,v1=cd'] })).toBe('t=1,v1=ab');
    expect(signatureOf({})).toBeUndefined();
  });
});
