import { afterEach, describe, expect, it } from '@jest/globals';
import { ActionType } from '@mapek/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { type Agent, createAgent } from './agent.js';
import { AgentConfigError } from './agent.errors.js';
import { AgentMetricName } from './agent.metrics.js';

let agent: Agent | undefined;

afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

describe('createAgent without NATS', () => {
  it('serves the gauges the monitor rules read, and answers no actuation', async () => {
    agent = await createAgent({ target: 'orders-api' });
    expect(agent.actuating).toBe(false);
    expect(agent.subject).toBe('mapek.actuate.orders-api');
    agent.recordRequest(120, true);
    agent.recordRequest(4000, false);
    agent.setActiveConnections(85);
    const text = await agent.metricsText();
    expect(text).toContain(`${AgentMetricName.errorRatio} 0.5`);
    expect(text).toContain(`${AgentMetricName.requestLatencyP95} 4`);
    expect(text).toContain(`${AgentMetricName.connectionsActive} 85`);
    expect(text).toContain(`${AgentMetricName.requestsInWindow} 2`);
    expect(text).toMatch(new RegExp(`^${AgentMetricName.cpuPercent} [0-9.e+-]+$`, 'm'));
    expect(text).toMatch(new RegExp(`^${AgentMetricName.residentMemory} \\d+`, 'm'));
  });

  it('puts its metrics on a given registry and takes them off again on close', async () => {
    const registry = new Registry();
    agent = await createAgent({ target: 'orders-api', registry, defaultMetrics: false });
    expect(registry.getSingleMetric(AgentMetricName.errorRatio)).toBeDefined();
    expect(registry.getSingleMetric(AgentMetricName.residentMemory)).toBeUndefined();
    await agent.close();
    agent = undefined;
    expect(registry.getSingleMetric(AgentMetricName.errorRatio)).toBeUndefined();
  });

  it('comes with collect_garbage and takes more remedies', async () => {
    agent = await createAgent({ target: 'orders-api' });
    agent.registerRemedy(ActionType.clearCache, () => ({ detail: 'ok' }));
    expect(agent.remedies()).toEqual([ActionType.collectGarbage, ActionType.clearCache]);
  });

  it('answers collect_garbage with remedy_failed when gc is not exposed', async () => {
    agent = await createAgent({ target: 'orders-api' });
    const request = {
      requestId: '0190a6e2-7c1d-7b3e-8f00-0000000000aa',
      planId: '0190a6e2-7c1d-7b3e-8f00-0000000000bb',
      step: 0,
      action: 'collect_garbage',
      params: {},
      rollback: false,
    };
    const reply = await agent.handleActuation({
      subject: agent.subject,
      data: new TextEncoder().encode(JSON.stringify(request)),
      header: () => undefined,
    });
    if (typeof globalThis.gc === 'function') expect(reply).toMatchObject({ ok: true });
    else expect(reply).toMatchObject({ ok: false, errorCode: 'remedy_failed' });
  });

  it.each([
    [{ target: 'orders api' }, 'invalid target'],
    [{ target: '' }, 'invalid target'],
  ])('refuses bad options %j with an AgentConfigError', async (options, message) => {
    await expect(createAgent(options)).rejects.toThrow(AgentConfigError);
    await expect(createAgent(options)).rejects.toThrow(message);
  });

  it('refuses both a NATS URL and a connection', async () => {
    // The options are refused before the connection is touched, so an empty stand-in will do.
    const natsConnection = {} as NatsConnection;
    await expect(createAgent({ target: 'x', natsUrl: 'nats://127.0.0.1:1', natsConnection })).rejects.toThrow('not both');
  });
});
