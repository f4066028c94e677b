/**
 * Serving a node:http listener on a loopback port: the listen (its error,
 * such as a port in use, rejects), the port it got, and a close that ends
 * idle keep-alive sockets too, so tests and shutdowns never wait for them
 * to time out.
 * @internal
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where {@link listenLocal} listens. @internal */
export interface ListenOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default `127.0.0.1`: only this machine can connect. */
  readonly host?: string;
}

/** A listening server: its port, and how to stop it. @internal */
export interface LocalListener {
  readonly port: number;
  /** Stops listening and ends every open connection; safe to call twice. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (or `host`) on `port` (default: a free one). @internal */
export async function listenLocal(listener: RequestListener, options: ListenOptions = {}): Promise<LocalListener> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() alone waits for keep-alive sockets to time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
