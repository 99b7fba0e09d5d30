import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_SERVICES, ServiceName, certsDirOf, startStack, type Stack } from '@mapek/stack';
import { LoopClient } from './loop-client.js';

const BURST = 8;

describe('the rate limit shared by two gateway replicas', () => {
  let dataDir: string;
  let stack: Stack;
  let first: LoopClient;
  let second: LoopClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-e2e-rate-'));
    const gateway = DEFAULT_SERVICES.find((service) => service.name === ServiceName.gateway);
    if (!gateway) throw new Error('no gateway in the stack');
    // No demo app here (the client's demo URL is never used).
    // A second gateway process on a port of its own, as a replica: the gateway's identity and API
    // keys (the stack writes them under <dataDir>/certs), so the same NATS user and buckets.
    const replica = { ...gateway, name: 'gateway-2', port: 0 };
    // A slow refill (1 per minute) so that the test sees the burst and nothing else.
    const limits = { MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE: '1', MAPEK_GATEWAY_RATE_LIMIT_BURST: String(BURST) };
    const asGateway = { MAPEK_IDENTITY: ServiceName.gateway, MAPEK_GATEWAY_API_KEYS_FILE: join(certsDirOf(dataDir), 'api-keys.json') };
    stack = await startStack({
      dataDir,
      withoutDatabase: true,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      services: [gateway, replica],
      serviceEnv: { gateway: limits, 'gateway-2': { ...limits, ...asGateway } },
    });
    const token = stack.apiKeys?.adminToken;
    first = new LoopClient(stack.serviceUrl('gateway'), 'http://127.0.0.1:1', stack.caFile, token);
    second = new LoopClient(stack.serviceUrl('gateway-2'), 'http://127.0.0.1:1', stack.caFile, token);
  });

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('grants one key its burst once across both replicas, not once per replica', async () => {
    expect(first.gatewayUrl).not.toBe(second.gatewayUrl);
    const statuses: number[] = [];
    // Alternate between the replicas, as a load balancer would.
    for (let request = 0; request < 2 * BURST; request++) {
      const client = request % 2 === 0 ? first : second;
      statuses.push((await client.json(`${client.gatewayUrl}/api/v1/session`)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(BURST);
    expect(statuses.slice(0, BURST).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(BURST).every((status) => status === 429)).toBe(true);
    const refused = await second.json<{ error: string }>(`${second.gatewayUrl}/api/v1/session`);
    expect(refused).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    // Both replicas counted in KV the whole time: neither fell back to its own count.
    for (const client of [first, second])
      expect(await client.metric(client.gatewayUrl, /^mapek_gateway_rate_limit_fallbacks_total/)).toBe(0);
  });
});
