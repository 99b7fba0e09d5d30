import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { createAgent, type Agent } from '@mapek/agent';
import { ActionType, ActuationErrorCode, actuationReplyV1Schema, inboxPrefixOf, subjects, type ActuationReplyV1 } from '@mapek/contracts';
import {
  createPayloadSealer,
  createRequestSealer,
  loadPqcBackend,
  loadServiceIdentity,
  loadTrustStore,
  SealedRequestType,
  type SealedRequest,
} from '@mapek/pqc';
import { type NatsServer, natsClientTls } from '@mapek/stack';
import { startSecureNatsServer } from './secure-nats.fixture.js';

const target = 'shop';
const subject = subjects.actuate(target, 'mapek');

/**
 * Actuation with security on, against a nats-server configured by the tooling: the agent
 * connects with its certificate and runs only requests signed by the executor and sealed to it.
 */
describe('sealed actuation between the executor and an agent', () => {
  let dataDir: string;
  let certsDir: string;
  let server: NatsServer;
  let agent: Agent;
  let executor: NatsConnection;
  let sealAs: (identity: 'executor' | 'gateway') => (payload: string) => SealedRequest;
  let remedyRuns = 0;

  const actuation = () =>
    JSON.stringify({ requestId: randomUUID(), planId: randomUUID(), step: 0, action: ActionType.clearCache, params: {}, rollback: false });

  const send = async (body: Uint8Array | string, signature?: Record<string, string>): Promise<ActuationReplyV1> => {
    const headers = natsHeaders();
    for (const [name, value] of Object.entries(signature ?? {})) headers.set(name, value);
    const reply = await executor.request(subject, body, { timeout: 5000, headers });
    return actuationReplyV1Schema.parse(reply.json());
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-actuation-'));
    ({ server, certsDir } = await startSecureNatsServer(dataDir, 'mapek'));
    agent = await createAgent({ target, natsUrl: server.url, defaultMetrics: false, security: { identityDir: certsDir } });
    agent.registerRemedy(ActionType.clearCache, () => {
      remedyRuns += 1;
      return { detail: 'cleared' };
    });
    executor = await connect({
      servers: server.url,
      tls: natsClientTls(certsDir, 'executor'),
      reconnect: false,
      inboxPrefix: inboxPrefixOf('executor'),
    });
    const backend = await loadPqcBackend();
    const trust = await loadTrustStore(backend, certsDir);
    const sealer = createPayloadSealer(backend);
    const identities = {
      executor: await loadServiceIdentity(certsDir, 'executor'),
      gateway: await loadServiceIdentity(certsDir, 'gateway'),
    };
    sealAs = (identity) => {
      const seal = createRequestSealer({ backend, identity: identities[identity], trust, sealer });
      return (payload) => seal({ subject, recipient: 'agent', target, type: SealedRequestType.actuation, payload });
    };
  });

  afterAll(async () => {
    await executor?.close();
    await agent?.close();
    await server?.process.stop('SIGTERM', 5000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs a request the executor signed and sealed to the agent', async () => {
    const sealed = sealAs('executor')(actuation());
    const before = remedyRuns;
    await expect(send(sealed.body, sealed.headers)).resolves.toMatchObject({ ok: true, detail: 'cleared' });
    expect(remedyRuns).toBe(before + 1);
  });

  it('refuses a plain, unsigned request without running anything', async () => {
    const before = remedyRuns;
    await expect(send(actuation())).resolves.toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(remedyRuns).toBe(before);
  });

  it('refuses a request signed by an identity other than the executor (not_authorized)', async () => {
    const sealed = sealAs('gateway')(actuation());
    const before = remedyRuns;
    const reply = await send(sealed.body, sealed.headers);
    expect(reply).toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(reply.detail).toContain('not_authorized');
    expect(remedyRuns).toBe(before);
  });

  it('refuses the same sealed message sent twice (replay)', async () => {
    const sealed = sealAs('executor')(actuation());
    await send(sealed.body, sealed.headers);
    const before = remedyRuns;
    const reply = await send(sealed.body, sealed.headers);
    expect(reply).toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(reply.detail).toContain('replay');
    expect(remedyRuns).toBe(before);
  });

  it('refuses a sealed request whose ciphertext was tampered with', async () => {
    const sealed = sealAs('executor')(actuation());
    const envelope = JSON.parse(new TextDecoder().decode(sealed.body)) as { data: { ciphertext: string } };
    const flipped = envelope.data.ciphertext.startsWith('A')
      ? `B${envelope.data.ciphertext.slice(1)}`
      : `A${envelope.data.ciphertext.slice(1)}`;
    const tampered = JSON.stringify({ ...envelope, data: { ...envelope.data, ciphertext: flipped } });
    const before = remedyRuns;
    await expect(send(tampered, sealed.headers)).resolves.toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(remedyRuns).toBe(before);
  });
});
