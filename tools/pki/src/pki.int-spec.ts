import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEventSigner,
  createEventVerifier,
  createPayloadSealer,
  loadPqcBackend,
  loadServiceIdentity,
  loadTrustStore,
  type PqcBackend,
  pqcTlsClientOptions,
} from '@mapek/pqc';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inboxOptionsOf } from './nats-permissions.js';
import { defaultPkiOptions, initPki, type PkiOptions, rotateIdentity } from './pki.commands.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts the nats-server on PATH (the pinned one, see scripts/toolchain.sh) and resolves once it logs "Server is ready". */
async function startNatsServer(config: string): Promise<ChildProcess> {
  const child = spawn('nats-server', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.once('exit', (code) => reject(new Error(`nats-server exited (${String(code)}): ${log}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('Server is ready')) resolve();
    });
  });
  return child;
}

describe('mapek pki against a real nats-server', () => {
  let dir: string;
  let options: PkiOptions;
  let server: ChildProcess;
  let url: string;
  let backend: PqcBackend;
  const connections: NatsConnection[] = [];

  const tlsFor = async (name: string) => {
    const [cert, key, ca] = await Promise.all(
      ['tls.crt', 'tls.key'].map((f) => readFile(path.join(dir, name, f), 'utf8')).concat(readFile(path.join(dir, 'ca.crt'), 'utf8')),
    );
    return pqcTlsClientOptions({ cert: cert ?? '', key: key ?? '', ca: ca ?? '' }) as { cert: string; key: string; ca: string };
  };
  const connectAs = async (name: string) => {
    const nc = await connect({ servers: url, tls: await tlsFor(name), reconnect: false, name, ...inboxOptionsOf(name) });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapek-pki-'));
    const port = await freePort();
    url = `127.0.0.1:${port}`;
    options = { ...defaultPkiOptions, out: dir, natsListen: url, trustDomain: 'mapek.test', jetStreamDir: path.join(dir, 'js') };
    await initPki(options);
    server = await startNatsServer(path.join(dir, 'nats', 'nats-server.conf'));
    backend = await loadPqcBackend();
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a client without a certificate', async () => {
    const ca = await readFile(path.join(dir, 'ca.crt'), 'utf8');
    await expect(connect({ servers: url, tls: { ca }, reconnect: false, timeout: 5_000 })).rejects.toThrow();
  });

  it('maps the certificate to its identity and refuses the analyzer publishing an approved plan', async () => {
    const analyzer = await connectAs('analyzer');
    const statuses = analyzer.status();
    analyzer.publish('mapek.plans.approved.checkout', 'forged approval');
    await analyzer.flush();
    for await (const status of statuses) {
      if (status.type === 'error') {
        expect(status.error.message).toContain('Permissions Violation for Publish to "mapek.plans.approved.checkout"');
        break;
      }
    }
  });

  it('lets the planner publish an approved plan, which a reader receives', async () => {
    const reader = await connectAs('cli');
    const subscription = reader.subscribe('mapek.plans.approved.>', { max: 1 });
    await reader.flush();
    const planner = await connectAs('planner');
    planner.publish('mapek.plans.approved.checkout', 'approved');
    for await (const message of subscription) {
      expect(message.subject).toBe('mapek.plans.approved.checkout');
      expect(message.string()).toBe('approved');
    }
  });

  it('lets the executor actuate the agent by request-reply, and nobody else publish actuations', async () => {
    const agent = await connectAs('agent');
    const requests = agent.subscribe('mapek.actuate.>');
    void (async () => {
      for await (const request of requests) request.respond(`done: ${request.string()}`);
    })();
    await agent.flush();
    const executor = await connectAs('executor');
    const reply = await executor.request('mapek.actuate.checkout', 'restart', { timeout: 5_000 });
    expect(reply.string()).toBe('done: restart');

    const gateway = await connectAs('gateway');
    const statuses = gateway.status();
    gateway.publish('mapek.actuate.checkout', 'sneaky');
    await gateway.flush();
    for await (const status of statuses) {
      if (status.type === 'error') {
        expect(status.error.message).toContain('Permissions Violation for Publish to "mapek.actuate.checkout"');
        break;
      }
    }
  });

  it('issues identities whose signed events verify against the signed trust bundle', async () => {
    const planner = await loadServiceIdentity(dir, 'planner');
    const trust = await loadTrustStore(backend, dir);
    const signer = createEventSigner({ backend, key: planner.signingKey() });
    const verifier = createEventVerifier({ backend, trust, policy: { 'plan.approved': ['planner'] } });
    const envelope = {
      id: 'e-1',
      type: 'plan.approved',
      version: 1,
      source: 'planner',
      time: new Date().toISOString(),
      target: 'checkout',
      data: {},
    };
    expect(verifier.verify('mapek.plans.approved.checkout', signer.sign('mapek.plans.approved.checkout', envelope))).toMatchObject({
      ok: true,
    });
  });

  it('keeps the old keys valid during a rotation overlap', async () => {
    const before = await loadServiceIdentity(dir, 'agent');
    const oldSigningKey = before.signingKey();
    const oldRecipient = (await loadTrustStore(backend, dir)).recipientKey('agent', Date.now());
    if (!oldRecipient) throw new Error('agent has no recipient key');
    const sealer = createPayloadSealer(backend);
    const binding = { subject: 'mapek.actuate.checkout', eventId: 'e-2' };
    const sealedToOld = sealer.seal('restart', oldRecipient, binding);

    await rotateIdentity(options, 'agent', 24);
    const after = await loadServiceIdentity(dir, 'agent');
    const trust = await loadTrustStore(backend, dir);
    expect(after.signingKey().kid).not.toBe(oldSigningKey.kid);
    expect(trust.verificationKey('agent', oldSigningKey.kid, Date.now())).toBeDefined();
    expect(trust.verificationKey('agent', oldSigningKey.kid, Date.now() + 25 * 3_600_000)).toBeUndefined();
    expect(trust.recipientKey('agent', Date.now())?.kid).not.toBe(oldRecipient.kid);
    const oldSecret = after.kemSecretKey(oldRecipient.kid);
    if (!oldSecret) throw new Error('old KEM key dropped too early');
    expect(Buffer.from(sealer.open(sealedToOld, oldSecret, binding)).toString()).toBe('restart');
    // The rotated certificate still maps to the same NATS user.
    const agent = await connectAs('agent');
    expect(agent.info?.tls_required).toBe(true);
  });
});
