/**
 * The HTTP endpoint a node takes forwarded messages on (loopback or a
 * private network: it trusts its peers as the database does). Each request
 * body is validated before anything is delivered; a malformed one is
 * answered 400 with `ERR_INVALID_MESSAGE` and changes nothing.
 * @internal
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody } from '../http/index.js';
import { FORWARD_PATH, forwardRequest, type ForwardRequest, type ForwardResponse } from './forward-protocol.js';

const MAX_BODY = 1 << 20;

/** Starts the endpoint on `host:port` (0: any free port); resolves with the server and its `http://host:port` address. @internal */
export async function listenForForwards(host: string, port: number, serve: (request: ForwardRequest) => Promise<ForwardResponse>): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: ForwardResponse): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== FORWARD_PATH) {
      answer(404, { outcome: 'error', error: { name: 'InvalidMessageError', code: 'ERR_INVALID_MESSAGE', message: `Only POST ${FORWARD_PATH} is served here.` } });
      return;
    }
    void readJsonBody(req, MAX_BODY).then(async (read) => {
      if (!read.ok && read.reason === 'aborted') return void res.destroy();
      const parsed = read.ok ? forwardRequest.safeParse(read.value) : undefined;
      if (!parsed?.success) {
        const why = !read.ok && read.reason === 'too-large' ? `larger than ${MAX_BODY} bytes` : (parsed?.error.issues[0]?.message ?? 'not JSON');
        answer(400, { outcome: 'error', error: { name: 'InvalidMessageError', code: 'ERR_INVALID_MESSAGE', message: `Forwarded message refused: ${why}.` } });
        return;
      }
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
