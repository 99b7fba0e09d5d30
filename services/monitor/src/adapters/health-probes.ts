import { createConnection } from 'node:net';
import { connect as connectNats } from '@nats-io/transport-node';
import pg from 'pg';
import type { Probe } from '@mapek/contracts';
import { probeHttp } from './http-scraper.js';

/** What one probe found: up or not, and a short reason for the symptom's description. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Opens a TCP connection and closes it: up when the port accepts within the timeout. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `no connection within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true, detail: 'connected' }));
    socket.once('error', (error) => done({ ok: false, detail: error.message }));
  });
}

/** Runs `select 1` on a fresh connection; the password comes from the environment, never from the file. */
export async function probePostgres(url: string, password: string | undefined, timeoutMs: number): Promise<ProbeResult> {
  const client = new pg.Client({
    connectionString: url,
    ...(password !== undefined ? { password } : {}),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'mapek-monitor',
  });
  // A server that goes away mid-probe emits an error on the client, which must not crash the monitor.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ one: number }>('select 1 as one');
    return result.rows[0]?.one === 1 ? { ok: true, detail: 'select 1' } : { ok: false, detail: 'select 1 answered no row' };
  } catch (error) {
    return { ok: false, detail: message(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects and flushes (a PING answered by a PONG): up when the server answers within the timeout. */
export async function probeNats(url: string, timeoutMs: number): Promise<ProbeResult> {
  let connection: Awaited<ReturnType<typeof connectNats>> | undefined;
  try {
    connection = await connectNats({
      servers: url,
      timeout: timeoutMs,
      reconnect: false,
      name: 'mapek-monitor-probe',
      ...(url.startsWith('tls://') ? { tls: {} } : {}),
    });
    await Promise.race([
      connection.flush(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, detail: 'PING answered' };
  } catch (error) {
    return { ok: false, detail: message(error) };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Runs one probe of the configuration file's kinds. */
export function runProbe(probe: Probe, timeoutMs: number, environment: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  switch (probe.kind) {
    case 'http':
      return probeHttp(probe.url, timeoutMs, probe.expectStatus);
    case 'tcp':
      return probeTcp(probe.host, probe.port, timeoutMs);
    case 'postgres':
      return probePostgres(probe.url, probe.passwordEnv !== undefined ? environment[probe.passwordEnv] : undefined, timeoutMs);
    case 'nats':
      return probeNats(probe.url, timeoutMs);
  }
}
