/** The loopback listener every steward HTTP surface serves on: a port of its own, a refusal for a taken one, and a close that ends open sockets. */
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { listenLocal, sendJson, type LocalListener } from '../../src/http/index.js';

const servers: LocalListener[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const hello = listenLocal.bind(null, (_req, res) => sendJson(res, 200, { hello: 'world' }));

describe('listenLocal', () => {
  it('serves on 127.0.0.1 on a free port', async () => {
    const server = await hello();
    servers.push(server);
    expect(server.port).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).json()).toEqual({ hello: 'world' });
  });

  it('rejects with the listen error when the port is taken', async () => {
    const first = await hello();
    servers.push(first);
    await expect(hello({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('ends a connection that never sent a request when it closes, and closing twice is one close', async () => {
    const server = await hello();
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    const ended = once(socket, 'close');
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing; // server.close() alone would wait for this idle socket
    await ended;
    expect(socket.destroyed).toBe(true);
  });
});
