import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { Header, StreamName, newEventId, subjects, type Envelope } from '@mapek/contracts';
import {
  JetStreamEventConsumer,
  JetStreamPublisher,
  TransientHandlerError,
  createEnvelopeSigner,
  createEnvelopeVerifier,
} from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import {
  loadPqcBackend,
  loadServiceIdentity,
  loadTrustStore,
  signatureToHeaders,
  createEventSigner,
  type PqcBackend,
  type ServiceIdentity,
} from '@mapek/pqc';
import { symptomEnvelope, waitFor } from '@mapek/testing';
import { type NatsServer, identityConnectOptions, natsClientTls, provisionNats } from '@mapek/stack';
import { startSecureNatsServer } from './secure-nats.fixture.js';

const prefix = 'mapek';
const logger = createLogger('test', 'silent');
const target = 'secure';

function symptomData(value: number) {
  return {
    source: 'threshold' as const,
    rule: 'memory',
    severity: 'critical' as const,
    metric: 'process_resident_memory_bytes',
    value,
    threshold: 400,
    labels: {},
    description: 'memory above threshold',
    observedAt: new Date().toISOString(),
  };
}

/**
 * The security of the event path against a real nats-server configured by the tooling (the
 * stack's credentials: tools/pki CA, identities, verify_and_map, per-identity permissions).
 */
describe('signed events and mTLS against a nats-server configured by mapek pki', () => {
  let dataDir: string;
  let certsDir: string;
  let server: NatsServer;
  let backend: PqcBackend;
  let identities: Record<'monitor' | 'planner' | 'analyzer', ServiceIdentity>;
  let consumerConnection: NatsConnection;
  let monitorConnection: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let monitorJs: JetStreamClient;
  let metrics: ServiceMetrics;
  let consumer: JetStreamEventConsumer;
  const handled: string[] = [];
  let failFirstDeliveryOf: string | undefined;
  const connections: NatsConnection[] = [];

  const connectAs = async (identity: string) => {
    const nc = await connect({ ...identityConnectOptions(server.url, certsDir, identity), reconnect: false, name: identity });
    connections.push(nc);
    return nc;
  };

  const rejectedCount = async (reason: string) => {
    const line = (await metrics.text())
      .split('\n')
      .find((l) => l.startsWith(`mapek_events_rejected_total{reason="${reason}",consumer="secure-test"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  const lastDeadLetterReason = async () => {
    const stored = await jsm.streams.getMessage(StreamName.deadLetter, { last_by_subj: subjects.deadLetter('secure-test', prefix) });
    return stored?.header.get(Header.rejectReason);
  };

  /**
   * Publishes raw bytes with the given signature headers, as a compromised or replaying sender
   * would; `msgId` is the Nats-Msg-Id (mapek's publishers use the event id).
   */
  const publishRaw = async (body: Uint8Array | string, signature: Record<string, string>, msgId: string) => {
    const headers = natsHeaders();
    for (const [name, value] of Object.entries(signature)) headers.set(name, value);
    return monitorJs.publish(subjects.symptoms(target, prefix), body, { msgID: msgId, headers });
  };

  const signedBy = (identity: ServiceIdentity, envelope: Envelope) =>
    signatureToHeaders(
      createEventSigner({ backend, key: identity.signingKey() }).sign(subjects.symptoms(target, prefix), envelope).signature,
    );

  const envelope = (overrides: Partial<Envelope> = {}): Envelope => ({ ...symptomEnvelope(target, symptomData(500)), ...overrides });

  /** A genuine event after the bad one: once it is handled, the bad one has been dealt with (one at a time, in order). */
  const genuineAfter = async () => {
    const good = envelope();
    await publishRaw(JSON.stringify(good), signedBy(identities.monitor, good), good.id);
    await waitFor(() => handled.includes(good.id), { what: 'the genuine event after the bad one' });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-secure-'));
    ({ server, certsDir } = await startSecureNatsServer(dataDir, prefix));
    backend = await loadPqcBackend();
    identities = {
      monitor: await loadServiceIdentity(certsDir, 'monitor'),
      planner: await loadServiceIdentity(certsDir, 'planner'),
      analyzer: await loadServiceIdentity(certsDir, 'analyzer'),
    };
    const trust = await loadTrustStore(backend, certsDir);

    // The administrator provisions the streams and buckets; the test's consumer (durable
    // `secure-test`, which no service owns) runs as the administrator too.
    await provisionNats({ natsUrl: server.url, prefix, replicas: 1, tls: natsClientTls(certsDir, 'cli') });
    consumerConnection = await connectAs('cli');
    jsm = await jetstreamManager(consumerConnection);
    js = jetstream(consumerConnection);
    monitorConnection = await connectAs('monitor');
    monitorJs = jetstream(monitorConnection);
    metrics = new ServiceMetrics('test');
    consumer = new JetStreamEventConsumer({
      nc: consumerConnection,
      js,
      jsm,
      prefix,
      metrics,
      logger,
      stream: StreamName.events,
      durable: 'secure-test',
      filterSubjects: [subjects.symptoms(target, prefix)],
      retryDelaysMs: [50],
      verifier: createEnvelopeVerifier({ backend, trust }),
      handlers: {
        symptom: (event) => {
          if (event.id === failFirstDeliveryOf) {
            failFirstDeliveryOf = undefined;
            return Promise.reject(new TransientHandlerError('busy', 'first delivery fails'));
          }
          handled.push(event.id);
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.process.stop('SIGTERM', 5000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a client without a certificate', async () => {
    await expect(connect({ servers: server.url, reconnect: false, timeout: 2000 })).rejects.toThrow();
  });

  it("does not let the analyzer's identity publish on mapek.plans.approved.>", async () => {
    const analyzer = jetstream(await connectAs('analyzer'));
    await expect(analyzer.publish(subjects.plansApproved('checkout', prefix), '{}', { timeout: 2000 })).rejects.toThrow();
  });

  it('lets the planner write its KV bucket but not the analyzer', async () => {
    const planner = jetstream(await connectAs('planner'));
    await expect(planner.publish('$KV.mapek_plans.plan.x', '{}', { timeout: 2000 })).resolves.toMatchObject({ stream: 'KV_mapek_plans' });
    const analyzer = jetstream(await connectAs('analyzer'));
    await expect(analyzer.publish('$KV.mapek_plans.plan.x', '{}', { timeout: 2000 })).rejects.toThrow();
  });

  it('hands an event signed by its publisher (through the publisher hook) to the handler', async () => {
    const publisher = new JetStreamPublisher({
      js: monitorJs,
      prefix,
      source: 'monitor',
      signer: createEnvelopeSigner({ backend, identity: identities.monitor }),
    });
    const sent = await publisher.publish('symptom', { target, data: symptomData(600) });
    await waitFor(() => handled.includes(sent.id), { what: 'the signed event handled' });
  });

  it("rejects an event signed with a key that is not its source's as unknown_key, dead-letters it and never handles it", async () => {
    const forged = envelope();
    await publishRaw(JSON.stringify(forged), signedBy(identities.planner, forged), forged.id);
    await genuineAfter();
    expect(handled).not.toContain(forged.id);
    expect(await rejectedCount('unknown_key')).toBe(1);
    expect(await lastDeadLetterReason()).toBe('unknown_key');
  });

  it('rejects an event with one tampered byte as bad_signature', async () => {
    const genuine = envelope();
    const signature = signedBy(identities.monitor, genuine);
    const tampered = JSON.stringify(genuine).replace('"value":500', '"value":501');
    await publishRaw(tampered, signature, genuine.id);
    await genuineAfter();
    expect(handled).not.toContain(genuine.id);
    expect(await rejectedCount('bad_signature')).toBe(1);
    expect(await lastDeadLetterReason()).toBe('bad_signature');
  });

  it('rejects an event from a source the registry does not list for its type as not_authorized', async () => {
    const fromPlanner = envelope({ source: 'planner' });
    await publishRaw(JSON.stringify(fromPlanner), signedBy(identities.planner, fromPlanner), fromPlanner.id);
    await genuineAfter();
    expect(handled).not.toContain(fromPlanner.id);
    expect(await rejectedCount('not_authorized')).toBe(1);
    expect(await lastDeadLetterReason()).toBe('not_authorized');
  });

  it('drops a copy re-published under its own Nats-Msg-Id in the stream itself (JetStream dedupe): it is never delivered', async () => {
    const original = envelope();
    const signature = signedBy(identities.monitor, original);
    await publishRaw(JSON.stringify(original), signature, original.id);
    const copy = await publishRaw(JSON.stringify(original), signature, original.id);
    expect(copy.duplicate).toBe(true);
    await genuineAfter();
    expect(handled.filter((id) => id === original.id)).toHaveLength(1);
  });

  it('rejects a replayed event stored under another Nats-Msg-Id as replay, after handling the original once', async () => {
    const original = envelope();
    const signature = signedBy(identities.monitor, original);
    await publishRaw(JSON.stringify(original), signature, original.id);
    await waitFor(() => handled.includes(original.id), { what: 'the original' });
    // The same bytes again under another Nats-Msg-Id, so the stream stores a second copy.
    await publishRaw(JSON.stringify(original), signature, newEventId());
    await genuineAfter();
    expect(handled.filter((id) => id === original.id)).toHaveLength(1);
    expect(await rejectedCount('replay')).toBe(1);
    expect(await lastDeadLetterReason()).toBe('replay');
  });

  it('rejects a copy under another Nats-Msg-Id even where the original was never seen (another replica, a restart)', async () => {
    const captured = envelope();
    await publishRaw(JSON.stringify(captured), signedBy(identities.monitor, captured), newEventId());
    await genuineAfter();
    expect(handled).not.toContain(captured.id);
    expect(await rejectedCount('replay')).toBe(2);
    expect(await lastDeadLetterReason()).toBe('replay');
  });

  it('rejects an event whose time is outside the skew of when the stream stored it as stale', async () => {
    const old = envelope({ time: new Date(Date.now() - 5 * 60_000).toISOString() });
    await publishRaw(JSON.stringify(old), signedBy(identities.monitor, old), old.id);
    await genuineAfter();
    expect(handled).not.toContain(old.id);
    expect(await rejectedCount('stale')).toBe(1);
    expect(await lastDeadLetterReason()).toBe('stale');
  });

  it('accepts a JetStream redelivery of the same message (not a replay) after a handler failure', async () => {
    const retried = envelope();
    failFirstDeliveryOf = retried.id;
    await publishRaw(JSON.stringify(retried), signedBy(identities.monitor, retried), retried.id);
    await waitFor(() => handled.includes(retried.id), { what: 'the redelivered event handled' });
    expect(await rejectedCount('replay')).toBe(2);
  });
});
