import { DEFAULT_SUBJECT_PREFIX, targetSchema } from '@mapek/contracts';
import { loadConfig, tracingConfig } from '@mapek/config';
import type { OtelVariables } from '@mapek/observability';
import { DemoConfigError } from './demo.errors.js';

/** Typed configuration of the demo app, parsed once from the environment. */
export interface DemoConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly mapek: { readonly target: string; readonly subjectPrefix: string; readonly natsUrl: string | undefined };
  /** Requests per second the app sends to its own `/api/work`; 0 turns it off. */
  readonly selfTrafficRps: number;
  /** Window of the error-ratio and latency gauges; short so a fix shows within the loop's verification window. */
  readonly requestWindowMs: number;
  /**
   * The standard `OTEL_*` variables, as the services read them: with an OTLP endpoint the app
   * exports its agent's spans (its pushes, which start incidents' traces, and its remedies).
   */
  readonly otel: OtelVariables;
}

interface Variable {
  readonly description: string;
  readonly sensitive: boolean;
}

/** Every variable the app reads. NATS_URL may carry credentials, so it is redacted in logs. */
export const DEMO_ENVIRONMENT: Readonly<Record<string, Variable>> = {
  HOST: { description: 'interface to listen on (default 127.0.0.1)', sensitive: false },
  PORT: { description: 'HTTP port (default 8000; 0 picks a free one)', sensitive: false },
  NATS_URL: { description: 'NATS server for actuation; unset = metrics only, no remedies over NATS', sensitive: true },
  MAPEK_SUBJECT_PREFIX: { description: `subject prefix (default ${DEFAULT_SUBJECT_PREFIX})`, sensitive: false },
  MAPEK_TARGET: { description: 'target name the loop uses for this app (default demo-app)', sensitive: false },
  DEMO_SELF_TRAFFIC_RPS: { description: 'self-requests per second to /api/work (default 4, 0 = off)', sensitive: false },
  DEMO_REQUEST_WINDOW_MS: { description: 'sliding window of the error-ratio and latency gauges (default 5000)', sensitive: false },
  MAPEK_AGENT_PUSH: {
    description: 'push threshold crossings of the agent gauges as signed symptoms at once (default true; libs/agent agentPushFromEnv)',
    sensitive: false,
  },
  MAPEK_AGENT_RULES_FILE: {
    description: "the monitor's threshold rules file, when it runs with one (default: the built-in rules)",
    sensitive: false,
  },
};

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new DemoConfigError(
      `${name} must be a whole number in [${min}, ${max}], got "${raw}" (${DEMO_ENVIRONMENT[name]?.description ?? ''})`,
    );
  return value;
}

/** @throws {DemoConfigError} with a readable message naming the variable. */
export function parseDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const target = env['MAPEK_TARGET'] || 'demo-app';
  if (!targetSchema.safeParse(target).success) throw new DemoConfigError(`MAPEK_TARGET must match [A-Za-z0-9_-]+, got "${target}"`);
  const subjectPrefix = env['MAPEK_SUBJECT_PREFIX'] || DEFAULT_SUBJECT_PREFIX;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subjectPrefix))
    throw new DemoConfigError(`MAPEK_SUBJECT_PREFIX must be dot-separated subject tokens, got "${subjectPrefix}"`);
  const natsUrl = env['NATS_URL'] || undefined;
  return {
    http: { host: env['HOST'] || '127.0.0.1', port: integer(env, 'PORT', 8000, 0, 65535) },
    mapek: { target, subjectPrefix, natsUrl },
    selfTrafficRps: integer(env, 'DEMO_SELF_TRAFFIC_RPS', 4, 0, 100),
    requestWindowMs: integer(env, 'DEMO_REQUEST_WINDOW_MS', 5000, 500, 600_000),
    otel: loadConfig(tracingConfig(), { service: 'demo-app', env }).values,
  };
}

/** The config as it may be logged: sensitive values replaced. */
export function redactedConfig(config: DemoConfig): DemoConfig {
  return {
    ...config,
    mapek: { ...config.mapek, natsUrl: config.mapek.natsUrl === undefined ? undefined : '<redacted>' },
    otel: { ...config.otel, OTEL_EXPORTER_OTLP_HEADERS: config.otel.OTEL_EXPORTER_OTLP_HEADERS === undefined ? undefined : '<redacted>' },
  };
}
