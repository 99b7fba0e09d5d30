import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import type { CpuUsageSampler } from './cpu-usage.sampler.js';
import type { RequestWindow } from './request-window.js';

/** Metric names mapek's monitor rules read from an agent's `/metrics`. */
export const AgentMetricName = {
  /** From prom-client's default metrics. */
  residentMemory: 'process_resident_memory_bytes',
  cpuPercent: 'mapek_agent_cpu_percent',
  connectionsActive: 'mapek_agent_connections_active',
  errorRatio: 'mapek_agent_error_ratio',
  requestLatencyP95: 'mapek_agent_request_latency_p95_seconds',
  requestsInWindow: 'mapek_agent_requests_in_window',
  remediesTotal: 'mapek_agent_remedies_total',
  trustBundleReloads: 'mapek_agent_trust_bundle_reloads_total',
  symptomsPushed: 'mapek_agent_symptoms_pushed_total',
  lastRemedyStart: 'mapek_agent_last_remedy_start_timestamp_seconds',
} as const;
export type AgentMetricName = (typeof AgentMetricName)[keyof typeof AgentMetricName];

/** The `result` label of `mapek_agent_remedies_total`. */
export const RemedyOutcome = {
  ok: 'ok',
  failed: 'failed',
  unknownAction: 'unknown_action',
  /** A repeated requestId answered from the reply cache. */
  replayed: 'replayed',
} as const;
export type RemedyOutcome = (typeof RemedyOutcome)[keyof typeof RemedyOutcome];

/** The `result` label of `mapek_agent_symptoms_pushed_total`. */
export const PushOutcome = { ok: 'ok', failed: 'failed' } as const;
export type PushOutcome = (typeof PushOutcome)[keyof typeof PushOutcome];

export interface AgentMetrics {
  setActiveConnections(count: number): void;
  /** What `setActiveConnections` last set. */
  activeConnections(): number;
  /** A verified actuation request is about to run its remedy. */
  remedyStarted(action: string): void;
  /** A threshold crossing pushed as a symptom (or not). */
  countPush(rule: string, outcome: PushOutcome): void;
  countRemedy(action: string, outcome: RemedyOutcome): void;
  /** A change of the trust bundle file: `reloaded`, or `rejected` (the previous bundle stays). */
  countTrustReload(result: 'reloaded' | 'rejected'): void;
  /** Removes the agent's own metrics from the registry (default metrics stay). */
  unregister(): void;
}

/**
 * Registers the agent gauges on `registry`; default process metrics too unless the registry
 * already has them. Gauges are computed at scrape time from the window and the sampler.
 */
export function registerAgentMetrics(
  registry: Registry,
  sources: { window: RequestWindow; cpu: CpuUsageSampler; defaultMetrics: boolean },
): AgentMetrics {
  if (sources.defaultMetrics && registry.getSingleMetric(AgentMetricName.residentMemory) === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  const registers = [registry];
  const { window, cpu } = sources;
  new Gauge({
    name: AgentMetricName.cpuPercent,
    help: 'Process CPU time (user + system, all threads) over the last second, in percent of one core',
    registers,
    collect() {
      this.set(cpu.percent());
    },
  });
  const connections = new Gauge({ name: AgentMetricName.connectionsActive, help: 'Connections the service reports as active', registers });
  connections.set(0);
  let activeConnections = 0;
  new Gauge({
    name: AgentMetricName.errorRatio,
    help: 'Failed requests / requests over the sliding window (0 when idle)',
    registers,
    collect() {
      this.set(window.snapshot().errorRatio);
    },
  });
  new Gauge({
    name: AgentMetricName.requestLatencyP95,
    help: '95th percentile request duration over the sliding window, in seconds (0 when idle)',
    registers,
    collect() {
      this.set(window.snapshot().p95Seconds);
    },
  });
  new Gauge({
    name: AgentMetricName.requestsInWindow,
    help: 'Requests recorded in the sliding window',
    registers,
    collect() {
      this.set(window.snapshot().requests);
    },
  });
  const remedies = new Counter({
    name: AgentMetricName.remediesTotal,
    help: 'Actuation requests handled, by action and result',
    labelNames: ['action', 'result'] as const,
    registers,
  });
  const trustReloads = new Counter({
    name: AgentMetricName.trustBundleReloads,
    help: 'Changes of the trust bundle file picked up (reloaded) or refused (rejected)',
    labelNames: ['result'] as const,
    registers,
  });
  const pushed = new Counter({
    name: AgentMetricName.symptomsPushed,
    help: "Threshold crossings of the agent's own gauges pushed as symptoms, by rule and result",
    labelNames: ['rule', 'result'] as const,
    registers,
  });
  const remedyStart = new Gauge({
    name: AgentMetricName.lastRemedyStart,
    help: 'When a remedy of this action last started (Unix seconds): the request was opened and verified',
    labelNames: ['action'] as const,
    registers,
  });
  return {
    setActiveConnections(count) {
      activeConnections = Number.isFinite(count) && count > 0 ? count : 0;
      connections.set(activeConnections);
    },
    activeConnections: () => activeConnections,
    remedyStarted(action) {
      remedyStart.set({ action }, Date.now() / 1000);
    },
    countPush(rule, outcome) {
      pushed.inc({ rule, result: outcome });
    },
    countRemedy(action, outcome) {
      remedies.inc({ action, result: outcome });
    },
    countTrustReload(result) {
      trustReloads.inc({ result });
    },
    unregister() {
      for (const name of Object.values(AgentMetricName)) {
        if (name !== AgentMetricName.residentMemory) registry.removeSingleMetric(name);
      }
    },
  };
}
