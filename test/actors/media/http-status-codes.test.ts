/**
 * An HTTP answer's status picks the error's stable code, so a queue's
 * never-retry codes can tell a client error from a server error: 403 (sent
 * back to the extractor) and 404 have their own, other 4xx share one, 5xx
 * share one and are the only retryable ones.
 */
import { describe, expect, it } from 'vitest';
import { HttpStatusError } from '../../../src/actors/media/index.js';
import { httpStatusError } from '../../../src/actors/media/errors.js';

describe('httpStatusError', () => {
  it.each([
    [403, 'ERR_MEDIA_HTTP_FORBIDDEN', 'HttpForbiddenError', false],
    [404, 'ERR_MEDIA_HTTP_NOT_FOUND', 'HttpNotFoundError', false],
    [400, 'ERR_MEDIA_HTTP_CLIENT', 'HttpClientError', false],
    [410, 'ERR_MEDIA_HTTP_CLIENT', 'HttpClientError', false],
    [429, 'ERR_MEDIA_HTTP_CLIENT', 'HttpClientError', false],
    [500, 'ERR_MEDIA_HTTP_SERVER', 'HttpServerError', true],
    [503, 'ERR_MEDIA_HTTP_SERVER', 'HttpServerError', true],
    [599, 'ERR_MEDIA_HTTP_SERVER', 'HttpServerError', true],
    [304, 'ERR_MEDIA_HTTP_STATUS', 'HttpUnexpectedStatusError', false],
    [101, 'ERR_MEDIA_HTTP_STATUS', 'HttpUnexpectedStatusError', false],
  ])('%i answers %s (%s), retryable %s', (status, code, name, retryable) => {
    const error = httpStatusError(status, 'https://cdn.example/v.mp4?sig=secret');
    expect(error).toBeInstanceOf(HttpStatusError);
    expect({ code: error.code, name: error.name, status: error.status, retryable: error.retryable }).toEqual({ code, name, status, retryable });
    expect(error.message).toBe(`GET https://cdn.example/v.mp4?… answered ${status}`);
  });
});
