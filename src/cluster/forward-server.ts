/**
 * The HTTP endpoint a node takes forwarded messages on (loopback or a
 * private network: it trusts its peers as the database does). Each request
 * body is validated before anything is delivered; a malformed one is
 * answered 400 with `ERR_INVALID_MESSAGE` and changes nothing.
 * @internal
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    void readBody(req).then(async (text) => {
      const parsed = text === undefined ? undefined : forwardRequest.safeParse(safeJson(text));
      if (!parsed?.success) {
        const why = text === undefined ? `larger than ${MAX_BODY} bytes` : (parsed?.error.issues[0]?.message ?? 'malformed');
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

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
