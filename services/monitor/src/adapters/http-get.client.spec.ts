import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpGetError, get, prepareGet } from './http-get.client.js';

/** A raw TCP server whose `answer` writes what it likes for each request head it reads. */
async function rawServer(answer: (socket: Socket, request: string, index: number) => unknown) {
  const heads: string[] = [];
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    accepted.push(socket);
    socket.setNoDelay(true);
    let buffered = '';
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        heads.push(head);
        void answer(socket, head, heads.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics?x=1`), heads, connections: () => connections };
}

const servers: Server[] = [];
const accepted: Socket[] = [];
afterEach(() => {
  for (const socket of accepted.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

const answerOf = (url: URL, readBody = true, accept?: string, maxBytes = 1 << 20) =>
  get(prepareGet(url, accept), readBody, maxBytes).answer;

describe('the GET client over plain sockets', () => {
  it('writes a GET with its host, path and query, and the accept header only when asked', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    expect(await answerOf(server.url, true, 'text/plain;version=0.0.4')).toEqual({ status: 200, location: undefined, body: 'ok' });
    expect(await answerOf(server.url, false)).toEqual({ status: 200, location: undefined, body: '' });
    const [scrape, probe] = server.heads.map((head) => head.split('\r\n'));
    expect(scrape).toEqual([
      'GET /metrics?x=1 HTTP/1.1',
      `Host: ${server.url.host}`,
      'User-Agent: mapek-monitor',
      'Accept: text/plain;version=0.0.4',
    ]);
    expect(probe).toEqual(['GET /metrics?x=1 HTTP/1.1', `Host: ${server.url.host}`, 'User-Agent: mapek-monitor']);
    expect(server.connections()).toBe(1);
  });

  it('puts a chunked answer together, sent a few bytes at a time, and keeps the connection for the next GET', async () => {
    const server = await rawServer(async (socket) => {
      const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n';
      for (let at = 0; at < text.length; at += 3) {
        socket.write(text.slice(at, at + 3));
        await setImmediate();
      }
    });
    expect((await answerOf(server.url)).body).toBe('hello, world');
    expect((await answerOf(server.url)).body).toBe('hello, world');
    expect(server.connections()).toBe(1);
  });

  it('reads an answer without a length until the server closes, and does not keep that connection', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\n\r\nup 1\n'));
    expect(await answerOf(server.url)).toEqual({ status: 200, location: undefined, body: 'up 1\n' });
    expect(await answerOf(server.url)).toEqual({ status: 200, location: undefined, body: 'up 1\n' });
    expect(server.connections()).toBe(2);
  });

  it('opens a new connection after an answer that says `connection: close`', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    expect((await answerOf(server.url)).status).toBe(503);
    expect((await answerOf(server.url)).status).toBe(503);
    expect(server.connections()).toBe(2);
  });

  it('skips an informational head before the answer, and gives a redirect its location', async () => {
    const server = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 3\r\n\r\nbye',
      ),
    );
    expect(await answerOf(server.url)).toEqual({ status: 302, location: '/elsewhere', body: 'bye' });
  });

  it('sends a GET again on a new connection when a kept one closes before any byte of the answer', async () => {
    // The second request on the first connection meets a server that closed it meanwhile.
    const server = await rawServer((socket, _head, index) => {
      if (index === 1) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    expect((await answerOf(server.url)).body).toBe('ok');
    expect((await answerOf(server.url)).body).toBe('ok');
    expect(server.connections()).toBe(2);
    expect(server.heads).toHaveLength(3);
  });

  it('does not send a GET again when the connection was new, or when part of the answer had come', async () => {
    const fresh = await rawServer((socket) => socket.destroy());
    await expect(answerOf(fresh.url)).rejects.toMatchObject({ name: 'HttpGetError', code: 'unreachable' });
    expect(fresh.heads).toHaveLength(1);
    const partial = await rawServer((socket, _head, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    });
    await answerOf(partial.url);
    await expect(answerOf(partial.url)).rejects.toMatchObject({ code: 'unreachable' });
    expect(partial.heads).toHaveLength(2);
  });

  it('refuses a body past its limit, a head that is not HTTP, and a bad length, closing the connection', async () => {
    const big = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`));
    await expect(answerOf(big.url, true, undefined, 50)).rejects.toMatchObject({ code: 'too_large' });
    const garbage = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    await expect(answerOf(garbage.url)).rejects.toEqual(new HttpGetError('malformed', 'not an HTTP/1 answer: "SSH-2.0-OpenSSH_9.2"'));
    const twoLengths = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc'));
    await expect(answerOf(twoLengths.url)).rejects.toMatchObject({ code: 'malformed' });
  });

  it('closes the connection of an exchange given up (the caller’s deadline)', async () => {
    let serverSide: Socket | undefined;
    let received!: () => void;
    const asked = new Promise<void>((resolve) => (received = resolve));
    const server = await rawServer((socket) => {
      serverSide = socket;
      received();
    });
    const exchange = get(prepareGet(server.url, undefined), true, 1 << 20);
    await asked;
    exchange.abort();
    await once(serverSide as Socket, 'close');
    expect(server.heads).toHaveLength(1);
  });

  it('talks to a node:http server as the monitor’s targets are, a thousand requests on one connection', async () => {
    let connections = 0;
    const server = createHttpServer((request, response) => response.end(`${request.url}`));
    server.on('connection', () => (connections += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(`http://localhost:${(server.address() as AddressInfo).port}/a`);
    for (let round = 0; round < 1000; round += 1) expect((await answerOf(url)).body).toBe('/a');
    expect(connections).toBe(1);
    server.closeAllConnections();
    server.close();
  });

  it('fails an HTTPS GET whose handshake fails as unreachable', async () => {
    const server = createTlsServer({}, (socket) => socket.destroy());
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    await expect(answerOf(url)).rejects.toMatchObject({ code: 'unreachable' });
    server.close();
  });
});
