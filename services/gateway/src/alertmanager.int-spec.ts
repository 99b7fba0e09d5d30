import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ApiRole, StreamName, apiKeySecretDigest, newApiKey, type ApiKeysFileV1 } from '@mapek/contracts';
import { freePort, startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { alertResolutionId, alertSymptomId } from './domain/alertmanager-webhook.js';

const gatewayMain = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.bundle.mjs');

/** An Alertmanager v4 webhook payload with one alert. */
function webhook(
  status: 'firing' | 'resolved',
  alert: { fingerprint: string; startsAt: string; target?: string; labels?: Record<string, string> },
): Record<string, unknown> {
  const labels: Record<string, string> = {
    alertname: 'HighMemoryUsage',
    severity: 'critical',
    ...(alert.target ? { target: alert.target } : {}),
    ...alert.labels,
  };
  return {
    version: '4',
    groupKey: '{}:{alertname="HighMemoryUsage"}',
    truncatedAlerts: 0,
    status,
    receiver: 'mapek',
    groupLabels: { alertname: 'HighMemoryUsage' },
    commonLabels: labels,
    commonAnnotations: { summary: 'memory above 400 MB' },
    externalURL: 'http://alertmanager.invalid:9093',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'memory above 400 MB' },
        startsAt: alert.startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: 'http://prometheus.invalid:9090/graph',
        fingerprint: alert.fingerprint,
      },
    ],
  };
}

/** Starts the built gateway as its own process on a free port and resolves once it listens. */
async function startGateway(env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [gatewayMain], {
    env: { PATH: process.env.PATH ?? '', MAPEK_HTTP_PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}: ${output}`);
        return (await fetch(`${url}/health/live`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the gateway to listen' },
    );
  } catch (error) {
    await stopGateway(child);
    throw error;
  }
  return { url, process: child };
}

async function stopGateway(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** An API keys file with one key of each role given; the tokens by role. */
async function writeApiKeys(file: string, roles: readonly ApiRole[]): Promise<Partial<Record<ApiRole, string>>> {
  const tokens: Partial<Record<ApiRole, string>> = {};
  const keys: ApiKeysFileV1 = { version: 1, keys: [] };
  for (const role of roles) {
    const key = newApiKey();
    tokens[role] = key.token;
    keys.keys.push({
      id: key.id,
      name: `${role}-key`,
      role,
      secretSha256: apiKeySecretDigest(key.secret),
      createdAt: new Date().toISOString(),
    });
  }
  await writeFile(file, JSON.stringify(keys));
  return tokens;
}

/**
 * The gateway as its own process (built dist), with an API keys file, against a real nats-server:
 * Alertmanager's webhook over real HTTP, authentication and role, validation, and one event per
 * alert however often it is sent.
 */
describe("the gateway's Alertmanager webhook receiver", () => {
  let nats: NatsServerProcess;
  let dir: string;
  let gateway: ChildProcess | undefined;
  let url: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let tokens: Partial<Record<ApiRole, string>> = {};

  /** `token` null: no Authorization header; undefined: the alertmanager key. */
  const post = async (body: unknown, token?: string | null): Promise<{ status: number; body: Record<string, unknown> }> => {
    const bearer = token === null ? undefined : (token ?? tokens.alertmanager);
    const response = await fetch(`${url}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Messages the event stream holds per subject. */
  const stored = async (): Promise<Record<string, number>> => {
    const info = await jsm.streams.info(StreamName.events, { subjects_filter: '>' });
    return info.state.subjects ?? {};
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'mapek-gateway-alerts-'));
    tokens = await writeApiKeys(join(dir, 'api-keys.json'), [ApiRole.alertmanager, ApiRole.viewer]);
    ({ url, process: gateway } = await startGateway({ NATS_URL: nats.url, MAPEK_GATEWAY_API_KEYS_FILE: join(dir, 'api-keys.json') }));
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await stopGateway(gateway);
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a caller without a key (401) and a key of another role (403), and gives the alertmanager key nothing else', async () => {
    const alert = webhook('firing', { fingerprint: 'aa00000000000001', startsAt: new Date().toISOString(), target: 'demo-app' });
    expect((await post(alert, null)).status).toBe(401);
    expect(await post(alert, tokens.viewer)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const read = await fetch(`${url}/api/v1/plans`, { headers: { authorization: `Bearer ${tokens.alertmanager ?? ''}` } });
    expect(read.status).toBe(403);
    expect(await stored()).toEqual({});
  });

  it('refuses a bad payload with a 400 and its reason, and publishes nothing', async () => {
    const good = webhook('firing', { fingerprint: 'aa00000000000002', startsAt: new Date().toISOString(), target: 'demo-app' });
    expect(await post({ ...good, version: '3' })).toMatchObject({
      status: 400,
      body: { error: 'bad_request', reason: expect.stringContaining('version') },
    });
    expect(await post({ ...good, alerts: [{ status: 'firing' }] })).toMatchObject({
      status: 400,
      body: { reason: expect.stringContaining('alerts.0.') },
    });
    const misrouted = webhook('firing', { fingerprint: 'aa00000000000003', startsAt: new Date().toISOString() });
    expect(await post(misrouted)).toMatchObject({
      status: 400,
      body: { reason: 'alerts.0.labels: no target label naming the target (sources.alertmanager.targetLabel)' },
    });
    expect(await stored()).toEqual({});
  });

  it('turns a firing alert into one symptom however often Alertmanager sends it, and its resolution into one alert.resolved', async () => {
    const alert = { fingerprint: 'aa00000000000004', startsAt: new Date(Date.now() - 1000).toISOString(), target: 'demo-app' };
    const symptomId = alertSymptomId(alert.fingerprint, alert.startsAt);
    expect(await post(webhook('firing', alert))).toEqual({
      status: 200,
      body: { taken: 1, duplicates: 0, symptomIds: [symptomId], resolutionIds: [] },
    });
    // Alertmanager's repeat: the gateway remembers the fingerprint, so nothing is published again.
    expect(await post(webhook('firing', alert))).toEqual({
      status: 200,
      body: { taken: 0, duplicates: 1, symptomIds: [], resolutionIds: [] },
    });
    expect(await stored()).toEqual({ 'mapek.symptoms.demo-app': 1 });
    const symptom = await jsm.streams.getMessage(StreamName.events, { last_by_subj: 'mapek.symptoms.demo-app' });
    expect(symptom?.json()).toMatchObject({
      id: symptomId,
      type: 'symptom',
      source: 'gateway',
      target: 'demo-app',
      data: { source: 'alert', rule: 'HighMemoryUsage', metric: 'HighMemoryUsage', severity: 'critical' },
    });

    const resolutionId = alertResolutionId(alert.fingerprint, alert.startsAt);
    expect(await post(webhook('resolved', alert))).toEqual({
      status: 200,
      body: { taken: 1, duplicates: 0, symptomIds: [], resolutionIds: [resolutionId] },
    });
    expect(await post(webhook('resolved', alert))).toMatchObject({ status: 200, body: { taken: 0, duplicates: 1 } });
    // A late copy of the firing does not bring the resolved alert back.
    expect(await post(webhook('firing', alert))).toMatchObject({ status: 200, body: { taken: 0, duplicates: 1 } });
    expect(await stored()).toEqual({ 'mapek.symptoms.demo-app': 1, 'mapek.alerts.demo-app': 1 });
    const resolution = await jsm.streams.getMessage(StreamName.events, { last_by_subj: 'mapek.alerts.demo-app' });
    expect(resolution?.json()).toMatchObject({
      id: resolutionId,
      type: 'alert.resolved',
      causationId: symptomId,
      data: { fingerprint: alert.fingerprint, symptomId },
    });

    // The same label set firing again later is a new symptom.
    const again = { ...alert, startsAt: new Date().toISOString() };
    expect(await post(webhook('firing', again))).toMatchObject({
      status: 200,
      body: { taken: 1, symptomIds: [alertSymptomId(alert.fingerprint, again.startsAt)] },
    });
    expect(await stored()).toEqual({ 'mapek.symptoms.demo-app': 2, 'mapek.alerts.demo-app': 1 });
  });
});

/**
 * With a configuration file the gateway takes alerts only for the file's targets, in the label the
 * file names, and only while the file turns the source on; a changed file is followed.
 */
describe('the Alertmanager webhook receiver under a configuration file', () => {
  let nats: NatsServerProcess;
  let dir: string;
  let gateway: ChildProcess | undefined;
  let url: string;
  let tokens: Partial<Record<ApiRole, string>>;

  const post = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${url}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.alertmanager ?? ''}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const alert = (labels: Record<string, string>) =>
    webhook('firing', { fingerprint: 'bb00000000000001', startsAt: new Date().toISOString(), labels });

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'mapek-gateway-alerts-config-'));
    tokens = await writeApiKeys(join(dir, 'api-keys.json'), [ApiRole.alertmanager, ApiRole.viewer]);
    await writeFile(
      join(dir, 'mapek.yaml'),
      ['version: 1', 'sources:', '  alertmanager:', '    targetLabel: service', 'targets:', '  - name: billing', ''].join('\n'),
    );
    ({ url, process: gateway } = await startGateway({
      NATS_URL: nats.url,
      MAPEK_GATEWAY_API_KEYS_FILE: join(dir, 'api-keys.json'),
      MAPEK_CONFIG_FILE: join(dir, 'mapek.yaml'),
      MAPEK_CONFIG_RELOAD_MS: '100',
    }));
  }, 60_000);

  afterAll(async () => {
    await stopGateway(gateway);
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes an alert for a configured target in the configured label, refuses another target, and stops when the file turns the source off', async () => {
    expect(await post(alert({ service: 'billing' }))).toMatchObject({ status: 200, body: { taken: 1 } });
    expect(await post(alert({ service: 'demo-app' }))).toMatchObject({
      status: 400,
      body: { reason: 'alerts.0.labels.service: demo-app is not a configured target' },
    });
    expect(await post(alert({ target: 'billing' }))).toMatchObject({
      status: 400,
      body: { reason: expect.stringContaining('no service label') },
    });

    await writeFile(join(dir, 'mapek.yaml'), ['version: 1', 'targets:', '  - name: billing', ''].join('\n'));
    const status = async () =>
      (await (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${tokens.viewer ?? ''}` } })).json()) as {
        configuration?: { loads: number };
      };
    await waitFor(async () => ((await status()).configuration?.loads ?? 0) >= 2, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the gateway to reload the configuration file',
    });
    expect(await post(alert({ service: 'billing' }))).toMatchObject({ status: 403, body: { error: 'alertmanager_disabled' } });
  });
});
