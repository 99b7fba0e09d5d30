import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ManagedProcess, type OutputSink } from './managed-process.js';
import { httpOkProbe, waitForReady } from './readiness.js';
import type { StackComponent } from './stack-component.js';
import { JaegerNotFoundError } from './stack.errors.js';

/**
 * Jaeger all-in-one (v2, on the OpenTelemetry Collector), as `./mapek start --traces` and the
 * tracing e2e test run it: an OTLP/HTTP receiver, in-memory storage, the query API and UI; every
 * port on loopback, nothing else listening (no gRPC receivers, no own metrics endpoint).
 */
export function renderJaegerConfig(ports: { otlpHttp: number; query: number; queryGrpc: number }, maxTraces = 100_000): string {
  return `# Written by tools/stack (jaeger.ts): Jaeger all-in-one for a development stack or a test.
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memory_storage:
        memory:
          max_traces: ${maxTraces}
  jaeger_query:
    storage:
      traces: memory_storage
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_storage
`;
}

/** The binary scripts/toolchain.sh `ensure_jaeger` built (MAPEK_JAEGER_BIN), else `jaeger` on PATH. */
export function findJaeger(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['MAPEK_JAEGER_BIN'];
  if (named && existsSync(named)) return named;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'jaeger');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new JaegerNotFoundError();
}

export interface JaegerOptions {
  readonly binary: string;
  readonly dataDir: string;
  readonly otlpHttpPort: number;
  readonly queryPort: number;
  readonly queryGrpcPort: number;
  readonly name: string;
  readonly prefix: string;
  readonly output: OutputSink;
  readonly cwd: string;
  readonly logFile?: string;
}

export interface JaegerComponent extends StackComponent {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the services. */
  readonly otlpEndpoint: string;
  /** The UI and the query API (`/api/traces/<id>`, `/api/services`). */
  readonly queryUrl: string;
}

export async function createJaeger(options: JaegerOptions): Promise<JaegerComponent> {
  const dir = join(options.dataDir, 'jaeger');
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'jaeger.yaml');
  await writeFile(
    configFile,
    renderJaegerConfig({ otlpHttp: options.otlpHttpPort, query: options.queryPort, queryGrpc: options.queryGrpcPort }),
  );
  const process = new ManagedProcess({
    name: options.name,
    command: options.binary,
    args: ['--config', configFile],
    env: { PATH: globalThis.process.env['PATH'] ?? '' },
    cwd: options.cwd,
    prefix: options.prefix,
    output: options.output,
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
  const queryUrl = `http://127.0.0.1:${options.queryPort}`;
  const probe = httpOkProbe(`${queryUrl}/api/services`);
  return {
    process,
    otlpEndpoint: `http://127.0.0.1:${options.otlpHttpPort}`,
    queryUrl,
    start: async (timeoutMs) => {
      process.start();
      await waitForReady(process, probe, { timeoutMs, intervalMs: 200, waitingFor: `GET ${queryUrl}/api/services answering 200` });
    },
  };
}
