import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiRole } from '@mapek/contracts';
import { createApiKey } from '@mapek/pki';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import { startAlertmanager, type AlertmanagerServer, type PostableAlert } from './alertmanager-server.js';
import { EventSocket, type LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

type Frame = EventSocket['frames'][number];

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) calls the gateway's webhook receiver with
 * a key of the alertmanager role. Its alert fires, the loop plans a remedy that waits for an
 * operator (autonomy level `approve`, ADR 0008), and then Alertmanager resolves the alert: the plan
 * must be cancelled, its approval refused, and nothing may run.
 */
describe('an Alertmanager alert resolved while its plan waits for approval', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let socket: EventSocket;
  let alertmanager: AlertmanagerServer;

  const frame = (what: string, matches: (frame: Frame) => boolean, timeoutMs = 30_000): Promise<Frame> =>
    waitFor(() => socket.frames.find(matches), { timeoutMs, intervalMs: 100, what });

  beforeAll(async () => {
    running = await startLoopStack('alertmanager', {
      // Every plan waits for an operator; the demo app's own readings stay out of the incident.
      planner: { MAPEK_PLANNER_AUTONOMY_DEFAULT_LEVEL: 'approve' },
      analyzer: { MAPEK_ANALYZER_ANOMALY_DETECTION: 'false' },
      gateway: { MAPEK_GATEWAY_API_KEYS_RELOAD_MS: '200' },
    });
    ({ stack, loop } = running);
    const keysFile = stack.apiKeys?.keysFile;
    if (keysFile === undefined) throw new Error('the stack runs without API keys');
    // Alertmanager's key, as an operator makes it: `./mapek pki api-key create --role alertmanager`.
    const { token } = await createApiKey({ file: keysFile, name: 'alertmanager', role: ApiRole.alertmanager });
    // The gateway reloads its keys file: wait until the key is taken (a 400 for an empty payload, not a 401).
    await waitFor(
      async () =>
        (
          await loop.json(`${stack.gatewayUrl}/api/v1/alertmanager`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: '{}',
          })
        ).status === 400,
      { timeoutMs: 15_000, intervalMs: 200, what: 'the gateway to take the alertmanager key' },
    );
    socket = await EventSocket.open(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, stack.caFile, stack.apiKeys?.adminToken);
    alertmanager = await startAlertmanager(
      [
        'route:',
        '  receiver: mapek',
        "  group_by: ['alertname', 'target']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: mapek',
        '    webhook_configs:',
        `      - url: ${stack.gatewayUrl}/api/v1/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${token}`,
        ...(stack.caFile ? ['          tls_config:', `            ca_file: ${stack.caFile}`] : []),
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    socket?.close();
    await alertmanager?.stop();
    await running?.stop();
  });

  it('cancels the plan with signal_resolved, refuses its approval with a 409, and runs nothing', async () => {
    const startsAt = new Date().toISOString();
    const alert: PostableAlert = {
      labels: { alertname: 'DemoAppMemoryHigh', target: 'demo-app', severity: 'critical', metric: 'process_resident_memory_bytes' },
      annotations: { summary: 'demo-app resident memory above 400 MB' },
      startsAt,
      generatorURL: 'http://prometheus.invalid/graph',
    };
    await alertmanager.post([alert]);

    // Alertmanager calls the gateway; the alert becomes a symptom signed by the gateway, and the loop plans.
    const symptom = await frame('the alert as a symptom', (f) => f.event.type === 'symptom' && f.event.data['source'] === 'alert');
    expect(symptom.event.data).toMatchObject({
      rule: 'DemoAppMemoryHigh',
      metric: 'process_resident_memory_bytes',
      severity: 'critical',
      labels: expect.objectContaining({ target: 'demo-app' }),
    });
    const proposed = await frame('the plan for the alert', (f) => f.event.type === 'plan.proposed');
    const planId = String(proposed.event.data['planId']);
    const incidentId = proposed.event.incidentId;
    expect(proposed.event.data).toMatchObject({ cause: 'memory_leak', approval: 'manual' });
    const pending = await loop.json<{ plans: Array<{ plan: { planId: string }; status: string }> }>(
      `${stack.gatewayUrl}/api/v1/plans?status=pending`,
    );
    expect(pending.body.plans.map((record) => record.plan.planId)).toContain(planId);

    // Alertmanager resolves the alert (the same labels, ended in the past) and sends the resolution.
    await alertmanager.post([{ ...alert, endsAt: new Date(Date.now() - 500).toISOString() }]);
    const resolved = await frame('the incident resolved', (f) => f.event.type === 'incident.resolved' && f.event.incidentId === incidentId);
    expect(resolved.event.data).toMatchObject({ reason: 'signal_resolved', symptomIds: [symptom.event.id] });
    const cancelled = await frame('the plan cancelled', (f) => f.event.type === 'plan.rejected' && f.event.data['planId'] === planId);
    expect(cancelled.event.data).toMatchObject({
      rejectionCode: 'signal_resolved',
      guardrails: expect.arrayContaining([expect.objectContaining({ check: 'signal', verdict: 'hold' })]),
    });

    const approve = await loop.json<{ error: string; reason: string }>(`${stack.gatewayUrl}/api/v1/plans/${planId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approve).toEqual({
      status: 409,
      body: expect.objectContaining({ error: 'signal_resolved', reason: expect.stringContaining('resolved') }),
    });

    // Knowledge has the whole incident, up to the cancellation: closed, and not one execution.
    const incident = await waitFor(
      async () => {
        const detail = await loop.incident(incidentId ?? '');
        return detail.events.plans.some((event) => event.type === 'plan.rejected') ? detail : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'knowledge storing the cancellation' },
    );
    expect(incident).toMatchObject({ status: 'closed', planStatus: 'rejected', executionStatus: null, outcome: null });
    expect(incident.events.plans.map((event) => event.type).sort()).toEqual(['plan.proposed', 'plan.rejected']);
    expect(incident.events.executions).toEqual([]);
    expect(
      socket.frames.filter((f) => f.event.type === 'plan.approved' || f.event.type === 'execution' || f.event.type === 'decision'),
    ).toEqual([]);
  });
});
