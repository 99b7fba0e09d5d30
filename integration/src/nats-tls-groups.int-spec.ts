import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { MIN_NATS_SERVER_VERSION, isSupportedNatsServer } from '@mapek/messaging';
import { type NatsServer, natsClientTls } from '@mapek/stack';
import { startSecureNatsServer } from './secure-nats.fixture.js';

/** The fields of nats-server's INFO this test reads. */
interface ServerInfo {
  readonly version: string;
  readonly tls_required?: boolean;
  readonly tls_verify?: boolean;
}

/** What one TLS upgrade of a NATS client connection negotiated, or how it failed. */
type Handshake =
  | {
      readonly ok: true;
      readonly info: ServerInfo;
      readonly protocol: string | null;
      readonly group: object | undefined;
      readonly pong: boolean;
    }
  | { readonly ok: false; readonly info: ServerInfo; readonly error: string };

/** Reads one CRLF-terminated line from a socket, keeping nothing past it (the TLS handshake starts there). */
function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      resolve(buffered.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/**
 * Connects as a NATS client does: TCP, the server's INFO in clear, then the TLS upgrade on the same
 * socket, and, once upgraded, CONNECT + PING to see the server take the session (the client
 * certificate mapped to its identity). Reports the key-exchange group Node saw negotiated.
 */
async function natsHandshake(port: number, tls: ConnectionOptions): Promise<Handshake> {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  const line = await readLine(socket);
  if (!line.startsWith('INFO ')) throw new Error(`expected INFO, got ${line.slice(0, 80)}`);
  const info = JSON.parse(line.slice('INFO '.length)) as ServerInfo;
  return new Promise((resolve) => {
    const secure = tlsConnect({ ...tls, socket, servername: 'localhost' });
    secure.once('error', (error: Error) => {
      secure.destroy();
      resolve({ ok: false, info, error: error.message });
    });
    secure.once('secureConnect', () => {
      const negotiated = { protocol: secure.getProtocol(), group: secure.getEphemeralKeyInfo() ?? undefined };
      let replies = '';
      secure.on('data', (chunk: Buffer) => {
        replies += chunk.toString('latin1');
        if (!replies.includes('PONG') && !replies.includes('-ERR')) return;
        secure.destroy();
        resolve({ ok: true, info, ...negotiated, pong: replies.includes('PONG') });
      });
      secure.write('CONNECT {"verbose":false,"pedantic":false,"tls_required":true,"name":"tls-groups"}\r\nPING\r\n');
    });
  });
}

/**
 * The post-quantum link to NATS, against the nats-server the stack runs with security on (config
 * from tools/pki's credentials, included in the stack's own): nats-server 2.12+ built with Go 1.25+
 * puts the hybrid X25519MLKEM768 first in its key-exchange preferences, and mapek's clients offer it
 * first (libs/pqc `PQC_TLS_GROUPS`), so that is what the client port negotiates.
 */
describe('the key exchange of the stack nats-server client port', () => {
  let dataDir: string;
  let certsDir: string;
  let server: NatsServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-tls-groups-'));
    ({ server, certsDir } = await startSecureNatsServer(dataDir, 'mapek'));
  });

  afterAll(async () => {
    await server?.process.stop('SIGTERM', 5000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A client with the `cli` identity, offering only the given groups. */
  const offering = (groups: string): ConnectionOptions => {
    const identity = natsClientTls(certsDir, 'cli');
    return { ca: identity.ca, cert: identity.cert, key: identity.key, minVersion: 'TLSv1.3', rejectUnauthorized: true, ecdhCurve: groups };
  };

  it(`is nats-server ${MIN_NATS_SERVER_VERSION} or newer and requires TLS with client certificates`, async () => {
    const handshake = await natsHandshake(server.port, natsClientTls(certsDir, 'cli'));
    expect(isSupportedNatsServer(handshake.info.version)).toBe(true);
    expect(handshake.info).toMatchObject({ tls_required: true, tls_verify: true });
  });

  it('negotiates X25519MLKEM768 in TLS 1.3 with the TLS options every mapek service connects with', async () => {
    const handshake = await natsHandshake(server.port, natsClientTls(certsDir, 'cli'));
    expect(handshake).toMatchObject({ ok: true, protocol: 'TLSv1.3', group: { type: 'TLSGroup', name: 'X25519MLKEM768' }, pong: true });
  });

  it('accepts a client that offers only X25519MLKEM768', async () => {
    const handshake = await natsHandshake(server.port, offering('X25519MLKEM768'));
    expect(handshake).toMatchObject({ ok: true, group: { name: 'X25519MLKEM768' }, pong: true });
  });

  it('chooses X25519MLKEM768 over a classical group the client lists first', async () => {
    // The client sends a key share for X25519 only; the server asks for the hybrid one instead (HelloRetryRequest).
    const handshake = await natsHandshake(server.port, offering('X25519:X25519MLKEM768'));
    expect(handshake).toMatchObject({ ok: true, group: { name: 'X25519MLKEM768' }, pong: true });
  });

  it('still serves a classical-only client with X25519, and refuses one offering no group it accepts', async () => {
    expect(await natsHandshake(server.port, offering('X25519'))).toMatchObject({ ok: true, group: { name: 'X25519' }, pong: true });
    const refused = await natsHandshake(server.port, offering('X448'));
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/handshake failure/) });
  });

  it('runs from the config the stack writes, which includes the one tools/pki generates', async () => {
    const config = await readFile(join(dataDir, 'nats-server.conf'), 'utf8');
    expect(config).toMatch(/^include "certs\/nats\/nats-server\.conf"$/m);
    expect(config).toMatch(/store_dir: ".*\/nats"/);
  });
});
