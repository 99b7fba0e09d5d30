import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AgentConfigError } from './agent.errors.js';
import { agentGaugeReaders, agentPushFromEnv } from './agent.push.js';
import { CpuUsageSampler } from './cpu-usage.sampler.js';
import { RequestWindow } from './request-window.js';

describe('agentPushFromEnv', () => {
  it('pushes by default, with the built-in rules', () => {
    expect(agentPushFromEnv({})).toEqual({});
  });

  it('turns push off with MAPEK_AGENT_PUSH=false and refuses other words', () => {
    expect(agentPushFromEnv({ MAPEK_AGENT_PUSH: 'false' })).toBe(false);
    expect(() => agentPushFromEnv({ MAPEK_AGENT_PUSH: 'no' })).toThrow(AgentConfigError);
  });

  it("reads the monitor's rules file and the interval", () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-push-'));
    const file = join(dir, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        rules: [
          { name: 'memory', metric: 'process_resident_memory_bytes', threshold: 1e9, severity: 'critical', description: 'above 1 GB' },
        ],
      }),
    );
    expect(agentPushFromEnv({ MAPEK_AGENT_RULES_FILE: file, MAPEK_AGENT_PUSH_INTERVAL_MS: '50' })).toEqual({
      rules: [
        {
          name: 'memory',
          metric: 'process_resident_memory_bytes',
          match: {},
          op: '>',
          threshold: 1e9,
          severity: 'critical',
          description: 'above 1 GB',
          forMs: 0,
        },
      ],
      intervalMs: 50,
    });
    writeFileSync(file, JSON.stringify({ rules: [{ name: 'memory' }] }));
    expect(() => agentPushFromEnv({ MAPEK_AGENT_RULES_FILE: file })).toThrow('MAPEK_AGENT_RULES_FILE');
    expect(() => agentPushFromEnv({ MAPEK_AGENT_PUSH_INTERVAL_MS: '1' })).toThrow('MAPEK_AGENT_PUSH_INTERVAL_MS');
  });
});

describe('agent gauge readers', () => {
  it('read what /metrics shows: resident memory, CPU, connections and the request window', () => {
    const window = new RequestWindow();
    window.record(100, true);
    window.record(4000, false);
    const readers = agentGaugeReaders({ window, cpu: new CpuUsageSampler(), activeConnections: () => 85, windowIntervalMs: 250 });
    const read = Object.fromEntries(readers.map((reader) => [reader.metric, reader.read()]));
    expect(read).toMatchObject({
      mapek_agent_connections_active: 85,
      mapek_agent_error_ratio: 0.5,
      mapek_agent_request_latency_p95_seconds: 4,
      mapek_agent_requests_in_window: 2,
    });
    expect(read['process_resident_memory_bytes']).toBeGreaterThan(10 * 1024 * 1024);
    expect(readers.find((reader) => reader.metric === 'mapek_agent_error_ratio')?.everyMs).toBe(250);
  });
});
