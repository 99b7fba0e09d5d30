import { agentPushFromEnv, agentSecurityFromEnv, canCollectGarbage, createAgent } from '@mapek/agent';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { startTracing, tracingSettingsOf } from '@mapek/observability';
import { parseDemoConfig, redactedConfig } from './demo.config.js';
import { DemoFaults } from './demo.faults.js';
import { log } from './demo.logger.js';
import { registerDemoRemedies } from './demo.remedies.js';
import { createDemoServer } from './demo.server.js';

export interface RunningDemo {
  readonly url: string;
  close(): Promise<void>;
}

/** Parses config (failing fast), starts the agent, the HTTP server and the self-traffic. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<RunningDemo> {
  const config = parseDemoConfig(env);
  // Only with an endpoint: a provider that exports nothing would mark the agent's pushes unsampled,
  // and the services, which follow the sampling decision of the trace they continue, would then
  // record nothing of the incidents the pushes open.
  const tracingSettings = tracingSettingsOf('demo-app', hostname(), config.otel);
  const tracing = tracingSettings.tracesUrl === undefined ? undefined : startTracing(tracingSettings);
  // MAPEK_IDENTITY_DIR (set by the stack): mTLS to NATS, only executor-signed sealed requests.
  const security = agentSecurityFromEnv(env);
  const agent = await createAgent({
    ...(security ? { security } : {}),
    // MAPEK_AGENT_PUSH (default true): threshold crossings of the agent's own gauges go out as signed symptoms at once.
    push: agentPushFromEnv(env),
    target: config.mapek.target,
    subjectPrefix: config.mapek.subjectPrefix,
    requestWindowMs: config.requestWindowMs,
    ...(config.mapek.natsUrl !== undefined ? { natsUrl: config.mapek.natsUrl } : {}),
  });
  const faults = new DemoFaults(agent, config.selfTrafficRps);
  registerDemoRemedies(agent, faults);
  let url = '';
  const server = createDemoServer(agent, faults, () => url);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => resolve());
    });
  } catch (error) {
    await agent.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host =
    config.http.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.http.host === '::'
        ? '[::1]'
        : config.http.host.includes(':')
          ? `[${config.http.host}]`
          : config.http.host;
  url = `http://${host}:${port}`;
  faults.startTraffic(`${url}/api/work`);
  if (!agent.actuating) log('NATS_URL is not set: serving metrics only, remedies cannot be requested over NATS');
  if (!canCollectGarbage())
    log('global.gc is not exposed: run with node --expose-gc for collect_garbage and clear_cache to free memory at once');
  log('listening', {
    url,
    target: agent.target,
    subject: agent.subject,
    actuating: agent.actuating,
    pushing: agent.pushing,
    remedies: agent.remedies(),
    config: redactedConfig(config),
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await faults.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
      await tracing?.shutdown().catch(() => undefined);
    })();
    return closing;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log('shutting down', { signal });
      void close().then(() => log('stopped'));
    });
  }
  return { url, close };
}
