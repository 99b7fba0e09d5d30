import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ApiRole, StreamName, SubjectKind, parseEnvelope, subjectWildcard, type Envelope } from '@mapek/contracts';
import { createApiKey } from '@mapek/pki';
import { DEFAULT_SERVICES, ServiceName, startStack, type Stack } from '@mapek/stack';
import { closedPort, waitFor } from '@mapek/testing';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Heartbeats through the secured stack: a job posts them to the gateway with a key of role
 * `heartbeat` (HTTPS, API key), the gateway signs and stores them on the telemetry stream, and the
 * monitor (its own process, reading them under its NATS permissions and checking the gateway's
 * signature) raises a heartbeat symptom while the target is silent and none while it reports in.
 */
describe('heartbeats of a target declared only in the configuration file', () => {
  let dataDir: string;
  let stack: Stack;
  let nc: NatsConnection;
  let feed: ConsumerMessages;
  let heartbeatToken: string;
  const symptoms: Envelope<'symptom'>[] = [];

  const call = (method: string, path: string, token: string, body?: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, stack.gatewayUrl);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const outgoing = request(
        url,
        {
          method,
          ca: readFileSync(stack.caFile ?? '', 'utf8'),
          headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });

  const of = (target: string, rule: string, after = 0) =>
    symptoms.filter((event) => event.target === target && event.data.rule === rule && Date.parse(event.data.observedAt) > after);
  /** The ticker's probe fails at every tick: its symptoms mark the monitor's ticks. */
  const ticksAfter = (after: number, ticks: number) =>
    waitFor(() => of('ticker', 'health-tcp', after).length >= ticks && of('ticker', 'health-tcp', after), {
      timeoutMs: 15_000,
      what: `${ticks} ticks`,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-heartbeats-'));
    const file = join(dataDir, 'mapek.yaml');
    await writeFile(
      file,
      `version: 1\ntargets:\n  - { name: nightly-report, heartbeat: { timeoutMs: 1500 } }\n  - { name: ticker, probes: [{ kind: tcp, host: 127.0.0.1, port: ${await closedPort()} }] }\n`,
    );
    const services = DEFAULT_SERVICES.filter((service) => service.name === ServiceName.monitor || service.name === ServiceName.gateway);
    stack = await startStack({
      dataDir,
      configFile: file,
      services,
      withoutDatabase: true,
      anyFreePort: true,
      output: null,
      serviceEnv: {
        [ServiceName.monitor]: { MAPEK_SCRAPE_INTERVAL_MS: '200', MAPEK_MONITOR_PROBE_FAILURES: '1' },
        [ServiceName.gateway]: { MAPEK_GATEWAY_API_KEYS_RELOAD_MS: '200' },
      },
    });
    nc = await connect(stack.natsConnectOptions('cli'));
    const reader = await jetstream(nc).consumers.get(StreamName.events, {
      filter_subjects: subjectWildcard(SubjectKind.symptoms, 'mapek'),
      deliver_policy: DeliverPolicy.All,
    });
    feed = await reader.consume();
    void (async () => {
      for await (const msg of feed) {
        const parsed = parseEnvelope(msg.data);
        if (parsed.ok && parsed.envelope.type === 'symptom') symptoms.push(parsed.envelope as Envelope<'symptom'>);
      }
    })();
    if (stack.apiKeys === undefined) throw new Error('the secured stack has no API keys file');
    heartbeatToken = (await createApiKey({ file: stack.apiKeys.keysFile, name: 'nightly-cron', role: ApiRole.heartbeat })).token;
  }, 120_000);

  afterAll(async () => {
    feed?.stop();
    await nc?.close();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('raises a heartbeat symptom while the target is silent, none while it reports in, and one again when it stops', async () => {
    const [silent] = await waitFor(() => of('nightly-report', 'heartbeat').length > 0 && of('nightly-report', 'heartbeat'), {
      timeoutMs: 20_000,
      what: 'a heartbeat symptom',
    });
    expect(silent).toMatchObject({
      source: 'monitor',
      data: { source: 'health', metric: 'heartbeat_silence_seconds', threshold: 1.5, severity: 'critical' },
    });

    // The gateway takes the new key once it reloads its keys file.
    const first = await waitFor(
      async () => {
        const answer = await call('POST', '/api/v1/heartbeats/nightly-report', heartbeatToken, { uptimeSeconds: 5 });
        return answer.status !== 401 && answer;
      },
      { what: 'the gateway to take the heartbeat key' },
    );
    expect(first).toMatchObject({ status: 202, body: { target: 'nightly-report' } });
    const monitorStatus = `${stack.serviceUrl(ServiceName.monitor)}/status`;
    await waitFor(
      async () =>
        ((await (await fetch(monitorStatus)).json()) as { heartbeats: Record<string, string | null> }).heartbeats['nightly-report'],
      { what: 'the monitor to see the heartbeat' },
    );
    // Keep reporting, well within the timeout, for two ticks of the monitor after the first heartbeat
    // was seen: however slow the ticks, the job is never silent for its timeout meanwhile.
    const statuses: number[] = [];
    const reporting = setInterval(() => {
      void call('POST', '/api/v1/heartbeats/nightly-report', heartbeatToken).then(
        (answer) => statuses.push(answer.status),
        () => statuses.push(0),
      );
    }, 300);
    try {
      const ticks = await ticksAfter(Date.now(), 2);
      expect(of('nightly-report', 'heartbeat', Date.parse(ticks[0]!.data.observedAt))).toEqual([]);
    } finally {
      clearInterval(reporting);
    }
    expect(statuses.every((status) => status === 202)).toBe(true);

    const stopped = Date.now();
    await waitFor(() => of('nightly-report', 'heartbeat', stopped).length > 0, {
      timeoutMs: 20_000,
      what: 'the silence to be reported again',
    });
  });

  it('lets the heartbeat key post heartbeats and nothing else, and refuses a target the file does not declare', async () => {
    expect((await call('GET', '/api/v1/incidents', heartbeatToken)).status).toBe(403);
    expect((await call('POST', '/api/v1/heartbeats/billing', heartbeatToken)).status).toBe(404);
    expect((await call('POST', '/api/v1/heartbeats/nightly-report', heartbeatToken, { status: 'fine' })).status).toBe(400);
    expect(
      (await call('POST', '/api/v1/heartbeats/nightly-report', 'mapek_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))
        .status,
    ).toBe(401);
  });
});
