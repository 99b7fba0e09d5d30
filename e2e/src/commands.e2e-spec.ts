import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ApiRole, StreamName } from '@mapek/contracts';
import { createApiKey, revokeApiKey } from '@mapek/pki';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import { EventSocket, webSocketOutcome, type LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const MEMORY_THRESHOLD = 400 * 1024 * 1024;
const REASON = 'SRE on call: drop the leaked cache by hand (ticket OPS-4711)';
const PARAM_MARKER = 'param-that-must-stay-sealed';

/**
 * Manual commands on the running stack, security on: an operator's POST (authenticated by an API
 * key with the operator role) reaches the executor sealed, runs through the agent like a plan
 * step, and is verified and audited like one. Also the gateway's access control: keys, roles,
 * keys created and revoked while it runs, and the rate limit.
 */
describe('manual commands through the gateway, on the running stack', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let socket: EventSocket;

  let aliceToken: string;

  const as = (token: string | undefined): Record<string, string> => (token === undefined ? {} : { authorization: `Bearer ${token}` });

  const post = (body: unknown, token: string | undefined = aliceToken) =>
    loop.json<{ commandId?: string; eventId?: string; error?: string; reason?: string }>(`${stack.gatewayUrl}/api/v1/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as(token) },
      body: JSON.stringify(body),
    });

  const get = (path: string, token: string | undefined) =>
    loop.exchange<{ error?: string; reason?: string }>(`${stack.gatewayUrl}${path}`, {
      headers: { authorization: token === undefined ? '' : `Bearer ${token}` },
    });

  /** A key created with `mapek pki api-key create` while the gateway runs: usable once the gateway re-read the file. */
  async function newKey(name: string, role: ApiRole): Promise<{ id: string; token: string }> {
    const keysFile = stack.apiKeys?.keysFile;
    if (keysFile === undefined) throw new Error('the stack has no API keys file');
    const { id, token } = await createApiKey({ file: keysFile, name, role });
    await waitFor(async () => (await get('/api/v1/plans', token)).status === 200, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: `the gateway accepting ${name}'s new key`,
    });
    return { id, token };
  }

  beforeAll(async () => {
    running = await startLoopStack('commands', {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      // The planner only proposes: the remedy here is the operator's, not an automatic plan's.
      planner: { MAPEK_AUTO_HEALING: 'false' },
    });
    ({ stack, loop } = running);
    socket = await EventSocket.open(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, stack.caFile, stack.apiKeys?.adminToken);
    aliceToken = (await newKey('alice', ApiRole.operator)).token;
  });

  afterAll(async () => {
    socket?.close();
    await running?.stop();
  });

  it('clears an injected memory leak with POST /api/v1/commands clear_cache over HTTPS: execution and outcome on /ws, params and reason never in clear on the stream', async () => {
    expect(stack.security).toBe('on');
    expect(stack.gatewayUrl).toMatch(/^https:/);
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    await loop.waitForIncident(since, (incident) => incident.cause === 'memory_leak', 30_000, 'the memory-leak incident');

    // No actor in the body: the gateway records the key's name.
    const accepted = await post({ target: 'demo-app', action: 'clear_cache', reason: REASON, params: { marker: PARAM_MARKER } });
    expect(accepted.status).toBe(202);
    const { commandId, eventId } = accepted.body;
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    // The executor ran it as a one-step plan whose plan id is the command id, through the agent.
    const outcomeFrame = await waitFor(
      () => socket.frames.find((frame) => frame.event.type === 'outcome' && frame.event.data['planId'] === commandId),
      { timeoutMs: 30_000, intervalMs: 200, what: 'the outcome of the manual command on /ws' },
    );
    const executions = socket.frames
      .filter((frame) => frame.event.type === 'execution' && frame.event.data['planId'] === commandId)
      .map((frame) => frame.event.data);
    expect(executions.map((execution) => execution['status'])).toEqual(['in_progress', 'completed']);
    const steps = executions[1]?.['steps'] as Array<{ action: string; status: string; detail?: string }>;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ action: 'clear_cache', status: 'completed' });
    expect(steps[0]?.detail).toMatch(/dropped 5/);
    expect(outcomeFrame.event.data).toMatchObject({ planId: commandId, cause: 'unknown', actions: ['clear_cache'] });
    expect(outcomeFrame.event.data['violationsBefore']).toEqual(expect.any(Number));
    expect((await loop.demoStatus()).memory.rssBytes).toBeLessThan(MEMORY_THRESHOLD);

    // The command event itself, as JetStream stored it: audit fields in clear, the rest sealed.
    const commandFrame = socket.frames.find((frame) => frame.event.type === 'command' && frame.event.id === eventId);
    expect(commandFrame?.subject).toBe('mapek.commands.demo-app');
    // Read as the operator tooling (`cli`), which may read the stream directly.
    const nc = await connect({ servers: stack.natsUrl, tls: stack.natsTls('cli') ?? null });
    let stored;
    try {
      stored = await (await jetstreamManager(nc)).streams.getMessage(StreamName.events, { last_by_subj: 'mapek.commands.demo-app' });
    } finally {
      await nc.close();
    }
    const raw = new TextDecoder().decode(stored?.data);
    const envelope = JSON.parse(raw) as {
      id: string;
      source: string;
      data: { commandId: string; actor: string; action: string; payload: { encoding: string; sealed?: { kid: string } } };
    };
    expect(envelope).toMatchObject({
      id: eventId,
      source: 'gateway',
      data: { commandId, actor: 'alice', action: 'clear_cache', payload: { encoding: 'sealed' } },
    });
    expect(envelope.data.payload.sealed?.kid).toMatch(/^xwing:/);
    expect(raw).not.toContain(PARAM_MARKER);
    expect(raw).not.toContain('OPS-4711');
    expect(raw).not.toContain('leaked cache');
    expect(stored?.header.get('Mapek-Sig-Alg')).toBe('ML-DSA-65');

    // Knowledge stored it in the hash-chained audit trail, which still verifies; nothing was rejected.
    await waitFor(
      async () =>
        (await loop.metric(stack.serviceUrl('knowledge'), /^mapek_knowledge_events_stored_total\{type="command",result="new"/)) >= 1,
      {
        what: 'knowledge storing the command',
      },
    );
    const audit = await loop.json<{ ok: boolean }>(`${stack.gatewayUrl}/api/v1/audit/verify`);
    expect(audit.body.ok).toBe(true);
    expect(await loop.metric(stack.serviceUrl('executor'), /^mapek_events_rejected_total\{.*consumer="executor-commands"/)).toBe(0);
  });

  it('answers a bad command with 400 and a reason, and lists the endpoint in the OpenAPI document', async () => {
    const noReason = await post({ target: 'demo-app', action: 'clear_cache' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.reason).toMatch(/reason: required/);
    const unknownAction = await post({ target: 'demo-app', action: 'format_disk', reason: 'no' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.reason).toMatch(/^action:/);
    const badTarget = await post({ target: 'demo app;rm', action: 'clear_cache', reason: 'no' });
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.reason).toMatch(/^target:/);
    const bigParams = await post({ target: 'demo-app', action: 'clear_cache', reason: 'no', params: { blob: 'x'.repeat(5000) } });
    expect(bigParams.status).toBe(400);
    expect(bigParams.body.reason).toMatch(/^params: at most/);
    const docs = await loop.json<{ paths: Record<string, unknown> }>(`${stack.gatewayUrl}/docs/openapi.json`);
    expect(Object.keys(docs.body.paths)).toContain('/api/v1/commands');
  });

  it('refuses callers without a valid key (401), keeps roles apart (403), takes created and revoked keys without a restart, and limits each key (429)', async () => {
    // Open: health and metrics. Closed: everything else, the WebSocket included.
    expect((await get('/health/ready', undefined)).status).toBe(200);
    expect((await get('/api/v1/incidents', undefined)).status).toBe(401);
    expect((await get('/api/v1/incidents', 'mapek_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).body).toMatchObject({
      error: 'unknown_key',
    });
    const wsUrl = `${stack.gatewayUrl.replace(/^http/, 'ws')}/ws`;
    expect((await webSocketOutcome(wsUrl, stack.caFile, {})).code).toBe('refused');

    // A viewer reads but may not command or decide; an operator commands but may not decide.
    const viewer = await newKey('vic', ApiRole.viewer);
    expect((await get('/status', viewer.token)).status).toBe(200);
    const viewerCommand = await post({ target: 'demo-app', action: 'clear_cache', reason: 'viewers may not' }, viewer.token);
    expect(viewerCommand.status).toBe(403);
    expect(viewerCommand.body.reason).toMatch(/role viewer of vic may not command/);
    const operatorDecision = await loop.json<{ error?: string }>(
      `${stack.gatewayUrl}/api/v1/plans/01a211f1-98a7-7763-be65-602fbd536fa4/approve`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...as(aliceToken) },
        body: '{}',
      },
    );
    expect(operatorDecision.status).toBe(403);
    // A key acts as its own name only.
    const impersonation = await post({ target: 'demo-app', action: 'clear_cache', reason: 'as someone else', actor: 'bob', dryRun: true });
    expect(impersonation.status).toBe(400);
    expect(impersonation.body.reason).toMatch(/acts as alice, not bob/);

    // Revoked while the gateway runs: refused within the reload interval, no restart.
    await revokeApiKey({ file: stack.apiKeys?.keysFile ?? '', id: viewer.id });
    await waitFor(async () => (await get('/status', viewer.token)).body.error === 'revoked_key' || undefined, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'the revoked key refused',
    });

    // One key's burst (120 by default) is spent, the next request waits: 429 with Retry-After.
    const hasty = await newKey('hasty', ApiRole.viewer);
    const answers = await Promise.all(Array.from({ length: 200 }, () => get('/api/v1/plans?status=pending', hasty.token)));
    expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThan(0);
    expect(answers.find((answer) => answer.status === 429)?.body).toMatchObject({ error: 'rate_limited' });
    // Other keys are not slowed by it.
    expect((await get('/api/v1/plans', aliceToken)).status).toBe(200);

    for (const reason of ['missing_credentials', 'unknown_key', 'forbidden', 'revoked_key', 'rate_limited']) {
      expect(await loop.metric(stack.gatewayUrl, new RegExp(`^mapek_gateway_requests_denied_total\\{reason="${reason}"`))).toBeGreaterThan(
        0,
      );
    }
  });

  it('reuses an incident list for a moment, per role, says so in its headers, and still checks every request', async () => {
    const reader = await newKey('rita', ApiRole.viewer);
    // Concurrent identical lists share queries to knowledge (joined in flight, or stored for 250 ms).
    const together = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/incidents?limit=7', aliceToken)));
    expect(together.every((answer) => answer.status === 200)).toBe(true);
    const statuses = together.map((answer) => answer.headers['cache-status'] ?? '');
    expect(statuses.every((status) => /^mapek-gateway; (hit|fwd=uri-miss; (stored|collapsed))$/.test(status))).toBe(true);
    expect(statuses.filter((status) => status.endsWith('stored')).length).toBeLessThan(together.length);
    for (const answer of together) {
      expect(answer.headers['cache-control']).toBe('private, max-age=0'); // 250 ms, in whole seconds
      expect(answer.headers['age']).toBe('0');
    }
    // Another role is another view: its first answer is its own, not the operator's stored one.
    expect((await get('/api/v1/incidents?limit=7', reader.token)).headers['cache-status']).not.toMatch(/hit/);
    // Refusals and bad input are as before, whatever is stored.
    expect((await get('/api/v1/incidents?limit=7', undefined)).status).toBe(401);
    expect((await get('/api/v1/incidents?limit=7', 'mapek_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    expect((await get('/api/v1/incidents?limit=0', aliceToken)).status).toBe(400);
    expect((await get('/api/v1/incidents?limit=7&order=asc', aliceToken)).status).toBe(400);
    // Other routes are not cached.
    expect((await get('/api/v1/plans', aliceToken)).headers['cache-control']).toBe('no-store');
    expect(await loop.metric(stack.gatewayUrl, /^mapek_gateway_list_cache_answers_total\{source="(hit|shared)"/)).toBeGreaterThan(0);
  });
});
