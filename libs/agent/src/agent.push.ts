import { readFileSync } from 'node:fs';
import { ruleFileSchema, type ThresholdRule } from '@mapek/contracts';
import { AgentConfigError } from './agent.errors.js';
import { AgentMetricName } from './agent.metrics.js';
import type { CpuUsageSampler } from './cpu-usage.sampler.js';
import type { RequestWindow, RequestWindowSnapshot } from './request-window.js';
import type { GaugeReader } from './threshold.watcher.js';

/**
 * Push: the agent applies the monitor's threshold rules to its own gauges and publishes a
 * crossing as a signed `symptom` the moment it sees it, instead of waiting for the next scrape.
 */
export interface AgentPushOptions {
  /**
   * The rules to watch: the monitor's rules (libs/contracts `defaultThresholdRules` unless the
   * monitor runs with a rules file, whose rules belong here too). Rules on metrics the agent has
   * no gauge for, or on labels, are left to the monitor.
   */
  readonly rules?: readonly ThresholdRule[];
  /** How often the process gauges (memory, CPU, connections) are read. Default 25 ms. */
  readonly intervalMs?: number;
  /** How often the request-window gauges (error ratio, p95 latency), which sort the window, are read. Default 250 ms. */
  readonly windowIntervalMs?: number;
  /** At most one push per rule this often. Default 1000 ms. */
  readonly minIntervalMs?: number;
  /** How long a push waits for the event stream's acknowledgement. Default 2000 ms. */
  readonly timeoutMs?: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) throw new AgentConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

/**
 * Push settings from the environment: `MAPEK_AGENT_PUSH` (`true`, the default, or `false`),
 * `MAPEK_AGENT_RULES_FILE` (the monitor's rules file format, `{"rules":[…]}`; default the
 * built-in rules) and `MAPEK_AGENT_PUSH_INTERVAL_MS` (default 25).
 *
 * @throws {AgentConfigError} naming the variable when one is malformed.
 */
export function agentPushFromEnv(env: NodeJS.ProcessEnv = process.env): AgentPushOptions | false {
  const enabled = env['MAPEK_AGENT_PUSH'];
  if (enabled !== undefined && enabled !== '' && enabled !== 'true' && enabled !== 'false') {
    throw new AgentConfigError(`MAPEK_AGENT_PUSH must be true or false, got "${enabled}"`);
  }
  if (enabled === 'false') return false;
  const intervalMs = integer(env, 'MAPEK_AGENT_PUSH_INTERVAL_MS', 5);
  const file = env['MAPEK_AGENT_RULES_FILE'];
  let rules: ThresholdRule[] | undefined;
  if (file !== undefined && file !== '') {
    let parsed;
    try {
      parsed = ruleFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new AgentConfigError(`MAPEK_AGENT_RULES_FILE ${file} is not readable JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!parsed.success)
      throw new AgentConfigError(`MAPEK_AGENT_RULES_FILE ${file} is not a rules file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    rules = parsed.data.rules;
  }
  return { ...(rules ? { rules } : {}), ...(intervalMs !== undefined ? { intervalMs } : {}) };
}

/**
 * How the watcher reads the agent's gauges, as `/metrics` would show them at that instant:
 * resident memory as the process metrics report it, the CPU sampler, the reported connections,
 * and one window snapshot shared by the request gauges.
 */
export function agentGaugeReaders(sources: {
  window: RequestWindow;
  cpu: CpuUsageSampler;
  activeConnections: () => number;
  windowIntervalMs: number;
}): GaugeReader[] {
  let snapshot: { at: number; value: RequestWindowSnapshot } | undefined;
  const windowSnapshot = (): RequestWindowSnapshot => {
    const now = performance.now();
    if (!snapshot || now - snapshot.at >= 5) snapshot = { at: now, value: sources.window.snapshot() };
    return snapshot.value;
  };
  const everyMs = sources.windowIntervalMs;
  return [
    { metric: AgentMetricName.residentMemory, read: () => process.memoryUsage.rss() },
    { metric: AgentMetricName.cpuPercent, read: () => sources.cpu.percent() },
    { metric: AgentMetricName.connectionsActive, read: () => sources.activeConnections() },
    { metric: AgentMetricName.errorRatio, read: () => windowSnapshot().errorRatio, everyMs },
    { metric: AgentMetricName.requestLatencyP95, read: () => windowSnapshot().p95Seconds, everyMs },
    { metric: AgentMetricName.requestsInWindow, read: () => windowSnapshot().requests, everyMs },
  ];
}
