import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createHttpSubmitter,
  type JobStatus,
  type SubmitAccepted,
  type SubmitRequest,
  type Submitter,
} from '../../../../src/actors/cook/service/index.js';
import { job, rejectionOf, startRawServer, type Closable } from './helpers.js';

describe('HTTP submitter', () => {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });

  /** A service that answers every request with `status` and `body`. */
  async function answering(status: number, body: string) {
    const server = await startRawServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    open.push(server);
    return createHttpSubmitter({ baseUrl: server.url, timeoutMs: 5_000 });
  }

  it('times out against a service that never answers: ERR_SUBMIT_FAILED / ERR_QUERY_FAILED', async () => {
    const server = await startRawServer((req) => void req.resume());
    open.push(server);
    const submitter = createHttpSubmitter({ baseUrl: server.url, timeoutMs: 50 });
    const submit = await rejectionOf(submitter.submit(job('job-1')));
    expect(submit).toMatchObject({ name: 'SubmitFailedError', code: 'ERR_SUBMIT_FAILED', jobId: 'job-1', status: undefined });
    expect(submit.message).toMatchInlineSnapshot(`"submit of job 'job-1' failed: no answer within 50 ms"`);
    expect((submit.cause as Error).name).toBe('TimeoutError');
    const query = await rejectionOf(submitter.query('job-1'));
    expect(query.message).toMatchInlineSnapshot(`"query of job 'job-1' failed: no answer within 50 ms"`);
  });

  it('bounds the body read too: headers sent, body never finished', async () => {
    const server = await startRawServer((req, res) => {
      req.resume();
      res.writeHead(202, { 'content-type': 'application/json' });
      res.write('{"jobId":');
    });
    open.push(server);
    const err = await rejectionOf(createHttpSubmitter({ baseUrl: server.url, timeoutMs: 50 }).submit(job('job-1')));
    expect(err).toMatchObject({ code: 'ERR_SUBMIT_FAILED' });
  });

  it('rejects a non-2xx answer with its status and the service error code', async () => {
    const submitter = await answering(502, JSON.stringify({ error: { code: 'ERR_UPSTREAM' } }));
    const err = await rejectionOf(submitter.submit(job('job-1')));
    expect(err).toMatchObject({ code: 'ERR_SUBMIT_FAILED', status: 502 });
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-1' failed: HTTP 502 (ERR_UPSTREAM)"`);
    expect((await rejectionOf(submitter.query('job-1'))).message).toMatchInlineSnapshot(`"query of job 'job-1' failed: HTTP 502 (ERR_UPSTREAM)"`);
  });

  it('rejects a network error (nothing listening) with ERR_SUBMIT_FAILED', async () => {
    const server = await startRawServer(() => {});
    await server.close();
    const err = await rejectionOf(createHttpSubmitter({ baseUrl: server.url }).submit(job('job-1')));
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-1' failed: network error (ECONNREFUSED)"`);
  });

  it('rejects a junk 2xx body with ERR_INVALID_RESPONSE', async () => {
    const submitter = await answering(202, '<html>hello</html>');
    const err = await rejectionOf(submitter.submit(job('job-1')));
    expect(err).toMatchObject({ name: 'InvalidResponseError', code: 'ERR_INVALID_RESPONSE', status: 202, jobId: 'job-1' });
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-1': HTTP 202 answer is not JSON"`);
  });

  it('rejects a 2xx body that does not match the schema with ERR_INVALID_RESPONSE and the issues', async () => {
    const submitter = await answering(200, JSON.stringify({ jobId: 'job-1', status: 'done' }));
    const err = await rejectionOf(submitter.query('job-1'));
    expect(err.code).toBe('ERR_INVALID_RESPONSE');
    expect(err.message).toMatchInlineSnapshot(
      `"query of job 'job-1': invalid answer: status: Invalid option: expected one of "queued"|"running"|"succeeded"|"failed""`,
    );
    expect(err.issues).toEqual([expect.objectContaining({ path: ['status'], code: 'invalid_value' })]);
  });

  it('rejects an answer about another job with ERR_INVALID_RESPONSE', async () => {
    const submitter = await answering(202, JSON.stringify({ jobId: 'job-2', status: 'queued' }));
    const err = await rejectionOf(submitter.submit(job('job-1')));
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-1': answer is about job 'job-2'"`);
  });

  it('resolves a 404 query to undefined and encodes the job id in the path', async () => {
    const paths: string[] = [];
    const server = await startRawServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(404).end();
    });
    open.push(server);
    expect(await createHttpSubmitter({ baseUrl: `${server.url}/` }).query('job/1 ?')).toBeUndefined();
    expect(paths).toEqual(['/jobs/job%2F1%20%3F']);
  });

  it('refuses a malformed request before sending it, with ERR_INVALID_MESSAGE', async () => {
    const submitter = createHttpSubmitter({ baseUrl: 'http://127.0.0.1:9' });
    const err = await rejectionOf(submitter.submit({ ...job('job-1'), pieceIndex: 1.5, webhookUrl: 'ftp://x' }));
    expect(err.message).toMatchInlineSnapshot(
      `"invalid submit request for job 'job-1': pieceIndex: Invalid input: expected int, received number; webhookUrl: webhookUrl must be an http(s) URL"`,
    );
  });

  it('refuses unusable options with ERR_INVALID_CONFIG', () => {
    expect(() => createHttpSubmitter({ baseUrl: 'not a url' })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: baseUrl must be an http(s) URL, got 'not a url']`,
    );
    expect(() => createHttpSubmitter({ baseUrl: 'http://x', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('types: any object with submit and query is a Submitter', () => {
    expectTypeOf(createHttpSubmitter).returns.toEqualTypeOf<Submitter>();
    expectTypeOf<Submitter['submit']>().parameter(0).toEqualTypeOf<SubmitRequest>();
    expectTypeOf<Submitter['submit']>().returns.resolves.toEqualTypeOf<SubmitAccepted>();
    expectTypeOf<Submitter['query']>().returns.resolves.toEqualTypeOf<JobStatus | undefined>();
    expectTypeOf<JobStatus['status']>().toEqualTypeOf<'queued' | 'running' | 'succeeded' | 'failed'>();
    const fake: Submitter = { submit: async (j) => ({ jobId: j.jobId, status: 'queued' }), query: async () => undefined };
    expectTypeOf(fake).toMatchTypeOf<Submitter>();
  });
});
