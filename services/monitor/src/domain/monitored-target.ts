import type { MapekConfiguration, Probe, PrometheusRule, ThresholdRule } from '@mapek/contracts';
import type { ScrapeTarget } from '../monitor.config.js';

/** One target as the monitor watches it, whichever way it was declared. */
export interface MonitoredTarget {
  readonly name: string;
  readonly component?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly metricsUrl?: string;
  /** Applied to the scraped samples: the target's own rules, else the monitor's. */
  readonly rules: readonly ThresholdRule[];
  readonly probes: readonly Probe[];
  /** PromQL rules, run against {@link MonitorSources.prometheus}. */
  readonly prometheus: readonly PrometheusRule[];
  /** Silence longer than this raises a heartbeat symptom. */
  readonly heartbeat?: { readonly timeoutMs: number };
}

/** Everything the monitor watches, and where it asks PromQL. */
export interface MonitorSources {
  readonly targets: readonly MonitoredTarget[];
  readonly prometheus?: { readonly url: string; readonly timeoutMs: number };
}

/** A target of `MAPEK_MONITOR_TARGETS`: its `healthUrl` is an HTTP probe. */
export function targetOfEnvironment(target: ScrapeTarget, rules: readonly ThresholdRule[]): MonitoredTarget {
  return {
    name: target.name,
    ...(target.component !== undefined ? { component: target.component } : {}),
    labels: target.labels,
    ...(target.metricsUrl !== undefined ? { metricsUrl: target.metricsUrl } : {}),
    rules,
    probes: target.healthUrl !== undefined ? [{ kind: 'http', url: target.healthUrl }] : [],
    prometheus: [],
  };
}

/**
 * The targets to watch: those of `MAPEK_MONITOR_TARGETS` (the stack's demo app) and those of the
 * configuration file, the file's declaration winning when both name one target.
 */
export function monitorSources(
  environment: readonly ScrapeTarget[],
  configuration: MapekConfiguration | undefined,
  rules: readonly ThresholdRule[],
): MonitorSources {
  const declared = new Map<string, MonitoredTarget>(environment.map((target) => [target.name, targetOfEnvironment(target, rules)]));
  for (const target of configuration?.targets ?? []) {
    declared.set(target.name, {
      name: target.name,
      ...(target.component !== undefined ? { component: target.component } : {}),
      labels: target.labels,
      ...(target.metricsUrl !== undefined ? { metricsUrl: target.metricsUrl } : {}),
      rules: target.rules ?? rules,
      probes: target.probes,
      prometheus: target.prometheus,
      ...(target.heartbeat !== undefined ? { heartbeat: target.heartbeat } : {}),
    });
  }
  const prometheus = configuration?.sources.prometheus;
  return { targets: [...declared.values()], ...(prometheus !== undefined ? { prometheus } : {}) };
}

/** A probe's short name in symptoms, metrics and its failure count: `http`, `tcp`, `postgres`, `nats`. */
export function probeKey(target: string, probe: Probe, index: number): string {
  return `${target}:${index}:${probe.kind}`;
}

/** Where a probe points, for a symptom's description (a PostgreSQL URL without its password). */
export function probeEndpoint(probe: Probe): string {
  switch (probe.kind) {
    case 'http':
    case 'nats':
      return probe.url;
    case 'tcp':
      return `${probe.host}:${probe.port}`;
    case 'postgres': {
      const url = new URL(probe.url);
      if (url.password) url.password = 'redacted';
      return url.toString();
    }
  }
}
