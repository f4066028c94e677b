/**
 * The HTTP endpoint a node takes forwarded messages on. A node with a
 * `forwardSecret` takes only requests signed with it (`src/http/signature.ts`):
 * any other is answered 401 with `ERR_UNAUTHORIZED` before its body is parsed.
 * Then each body is validated before anything is delivered; a malformed one
 * is answered 400 with `ERR_INVALID_MESSAGE`. A refused request changes nothing.
 * @internal
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJsonBytes, readRawBody, signatureOf, signatureProblem } from '../http/index.js';
import { UnauthorizedError } from './errors.js';
import { FORWARD_PATH, forwardRequest, toWire, type ForwardAuth, type ForwardRequest, type ForwardResponse } from './forward-protocol.js';

const MAX_BODY = 1 << 20;

/** Starts the endpoint on `host:port` (0: any free port); resolves with the server and its `http://host:port` address. @internal */
export async function listenForForwards(
  host: string,
  port: number,
  auth: ForwardAuth,
  serve: (request: ForwardRequest) => Promise<ForwardResponse>,
): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: ForwardResponse): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const invalid = (status: number, message: string): void => answer(status, { outcome: 'error', error: { name: 'InvalidMessageError', code: 'ERR_INVALID_MESSAGE', message } });
    if (req.method !== 'POST' || req.url !== FORWARD_PATH) return invalid(404, `Only POST ${FORWARD_PATH} is served here.`);
    void readRawBody(req, MAX_BODY).then(async (read) => {
      if (!read.ok && read.reason === 'aborted') return void res.destroy();
      // Too large to read is refused unread, signed or not: a signature cannot be checked on bytes never read.
      if (!read.ok) return invalid(400, `Forwarded message refused: larger than ${MAX_BODY} bytes.`);
      const problem = auth.secret === undefined ? undefined : signatureProblem(auth.secret, signatureOf(req.headers), read.bytes, { nowMs: auth.clock.now() });
      if (problem) return answer(401, { outcome: 'error', error: toWire(new UnauthorizedError(`Forwarded message refused: ${problem}.`)) });
      const json = parseJsonBytes(read.bytes);
      const parsed = json.ok ? forwardRequest.safeParse(json.value) : undefined;
      if (!parsed?.success) return invalid(400, `Forwarded message refused: ${parsed?.error.issues[0]?.message ?? 'not JSON'}.`);
      answer(200, await serve(parsed.data));
    }).catch(() => res.destroy()); // serve answers its own errors; this is a broken connection
  });
  // Longer than the client's keep-alive, so the client always closes an idle connection first (never a request on a closing socket).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, address: `http://${host}:${bound}` };
}
