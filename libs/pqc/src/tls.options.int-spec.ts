import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { negotiatedGroup, pqcTlsClientOptions, pqcTlsServerOptions } from './tls.options.js';

const run = promisify(execFile);

// Certificates come from Debian's openssl CLI (Node cannot issue X.509), without a shell.
async function issueCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-subj',
    '/CN=test ca',
    '-days',
    '1',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  for (const [name, san, eku] of [
    ['server', 'DNS:localhost,IP:127.0.0.1', 'serverAuth'],
    ['client', 'URI:spiffe://mapek.test/planner', 'clientAuth'],
  ] as const) {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      `extendedKeyUsage=${eku}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
    ]);
  }
  const read = (name: string) => readFile(file(name), 'utf8');
  return {
    ca: await read('ca.crt'),
    server: { cert: await read('server.crt'), key: await read('server.key') },
    client: { cert: await read('client.crt'), key: await read('client.key') },
  };
}

describe('PQC TLS options over loopback', () => {
  let dir: string;
  let certs: Awaited<ReturnType<typeof issueCertificates>>;
  let server: tls.Server;
  let port: number;
  const peers: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pqc-tls-'));
    certs = await issueCertificates(dir);
    server = tls.createServer(pqcTlsServerOptions({ ...certs.server, ca: certs.ca }), (socket) => {
      const peer = socket.getPeerCertificate();
      peers.push(peer.subjectaltname ?? '');
      socket.end('hello');
    });
    // Handshake failures are expected in one test; keep them from surfacing as unhandled errors.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  function connect(options: tls.ConnectionOptions): Promise<{ group: string | undefined; data: string }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ ...options, host: '127.0.0.1', port, servername: 'localhost' });
      let data = '';
      let group: string | undefined;
      socket.on('secureConnect', () => {
        group = negotiatedGroup(socket);
      });
      socket.on('data', (chunk: Buffer) => {
        data += chunk.toString('utf8');
      });
      socket.on('end', () => resolve({ group, data }));
      socket.on('error', reject);
    });
  }

  it('negotiates the hybrid X25519MLKEM768 group between two endpoints using the options', async () => {
    const result = await connect(pqcTlsClientOptions({ ...certs.client, ca: certs.ca }));
    expect(result).toEqual({ group: 'X25519MLKEM768', data: 'hello' });
    expect(peers.at(-1)).toContain('URI:spiffe://mapek.test/planner');
  });

  it('falls back to X25519 with a client that does not offer the hybrid group', async () => {
    const classical = { ...pqcTlsClientOptions({ ...certs.client, ca: certs.ca }), ecdhCurve: 'X25519:P-256' };
    expect(await connect(classical)).toEqual({ group: 'X25519', data: 'hello' });
  });

  it('refuses a client without a certificate', async () => {
    await expect(connect(pqcTlsClientOptions({ ca: certs.ca }))).rejects.toThrow();
  });
});
