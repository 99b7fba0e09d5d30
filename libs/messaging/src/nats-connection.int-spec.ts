import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NatsClientLiveness } from '@mapek/contracts';
import { createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { connectNats, type NatsConnection } from './nats-connection.js';

/**
 * A TCP relay to a NATS server whose open connections can go silent: they stop passing bytes but
 * stay open, as connections to a server whose host lost power (or whose container was killed with
 * its network) do. No FIN or RST reaches the client, so only its own pings can tell it the server
 * is gone. Connections made afterwards pass again, as to a server that came back.
 */
async function silenceableRelay(port: number): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  const silenced = new WeakSet<Socket>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => void (silenced.has(client) || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (silenced.has(client) || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `nats://127.0.0.1:${(server.address() as AddressInfo).port}`,
    silence: () => {
      for (const socket of sockets) silenced.add(socket);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a NATS connection whose server goes silent', () => {
  let server: NatsServerProcess;
  let relay: Awaited<ReturnType<typeof silenceableRelay>>;
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    server = await startNatsServer();
    relay = await silenceableRelay(server.port);
  });

  afterAll(async () => {
    await nc?.close();
    await relay?.close();
    await server?.stop();
  });

  it('notices within a few ping intervals and connects again, where the client’s defaults took minutes', async () => {
    nc = await connectNats({ servers: relay.url, name: 'liveness-test', logger: createLogger('test', 'silent') });
    const statuses: Array<{ type: string; at: number }> = [];
    void (async () => {
      for await (const status of nc.status()) statuses.push({ type: status.type, at: Date.now() });
    })();

    const silencedAt = Date.now();
    relay.silence();
    const reconnected = await waitFor(() => statuses.find((status) => status.type === 'reconnect'), {
      timeoutMs: NatsClientLiveness.pingInterval * (NatsClientLiveness.maxPingOut + 4),
      intervalMs: 100,
      what: 'a reconnect',
    });
    expect(statuses.some((status) => status.type === 'disconnect')).toBe(true);
    expect(reconnected.at - silencedAt).toBeLessThan(NatsClientLiveness.pingInterval * (NatsClientLiveness.maxPingOut + 2));
    // The connection works again: a request-reply round trip over the new connection.
    const echo = nc.subscribe('liveness.echo', {
      callback: (_error, msg) => {
        msg.respond(msg.data);
      },
    });
    await expect(nc.request('liveness.echo', 'ping', { timeout: 5000 }).then((reply) => reply.string())).resolves.toBe('ping');
    echo.unsubscribe();
  }, 60_000);
});
