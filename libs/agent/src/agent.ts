import {
  ActionType,
  DEFAULT_SUBJECT_PREFIX,
  NatsClientLiveness,
  type ActuationReplyV1,
  ServiceName,
  defaultThresholdRules,
  inboxPrefixOf,
  subjects,
  targetSchema,
} from '@mapek/contracts';
import { hostname } from 'node:os';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { ActuationHandler, type InboundMessage, type OpenRequest, type VerifyRequest } from './actuation.handler.js';
import { ActuationResponder, sealAsJson, type SealReply } from './actuation.responder.js';
import { AgentConfigError, AgentConnectError } from './agent.errors.js';
import { agentGaugeReaders, type AgentPushOptions } from './agent.push.js';
import { loadAgentSecurity, type AgentSecurityOptions, type LoadedAgentSecurity } from './agent.security.js';
import { PushOutcome, registerAgentMetrics, type AgentMetrics } from './agent.metrics.js';
import { CpuUsageSampler } from './cpu-usage.sampler.js';
import { collectGarbageRemedy } from './garbage-collection.js';
import type { RemedyHandler } from './remedy.js';
import { RemedyRegistry } from './remedy.registry.js';
import { ReplyCache } from './reply-cache.js';
import { RequestWindow } from './request-window.js';
import { HeartbeatSender, type AgentHeartbeatOptions } from './heartbeat.sender.js';
import { SymptomPusher } from './symptom.pusher.js';
import { ThresholdWatcher } from './threshold.watcher.js';

export interface AgentOptions {
  /** The managed service's name as the loop knows it; `[A-Za-z0-9_-]+`. */
  readonly target: string;
  /** NATS server(s) to connect to; the agent owns (and drains on close) that connection. */
  readonly natsUrl?: string | readonly string[];
  /**
   * An existing connection to use instead; the agent leaves it open on close. Without a URL or a
   * connection the agent serves metrics only and answers no actuation.
   */
  readonly natsConnection?: NatsConnection;
  /** Subject prefix; default `mapek`. */
  readonly subjectPrefix?: string;
  /** Replicas of one target share the queue group, so one of them answers. Default `agent`. */
  readonly queueGroup?: string;
  /** Where the metrics go; default a new Registry. */
  readonly registry?: Registry;
  /** Register prom-client's default process metrics (skipped if already there). Default true. */
  readonly defaultMetrics?: boolean;
  /** Replies remembered for idempotency. Default 1024. */
  readonly replyCacheSize?: number;
  /** Sliding window of the error-ratio and latency gauges. Default 30 000 ms. */
  readonly requestWindowMs?: number;
  /**
   * Post-quantum protection (DESIGN.md §4): connect to NATS with the identity's client
   * certificate and accept only requests signed by the executor and sealed to this agent.
   * Replaces `openRequest`. See `agentSecurityFromEnv`.
   */
  readonly security?: AgentSecurityOptions;
  /** Decryption seam (see {@link OpenRequest}). */
  readonly openRequest?: OpenRequest;
  /** Signature-checking seam (see {@link VerifyRequest}). */
  readonly verifyRequest?: VerifyRequest;
  /** Reply signing / encryption seam (see {@link SealReply}). */
  readonly sealReply?: SealReply;
  /**
   * Push threshold crossings of the agent's own gauges as signed symptoms the moment they happen
   * (see {@link AgentPushOptions}, `agentPushFromEnv`). On by default when the agent has NATS;
   * `false` leaves detection to the monitor's scrapes.
   */
  readonly push?: AgentPushOptions | false;
  /**
   * Report that the service is alive (a `heartbeat` on `<prefix>.heartbeats.<target>`) at once and
   * every interval; the monitor raises a symptom for a target whose `heartbeat.timeoutMs`
   * (configuration file) passes without one. On by default when the agent has NATS; `false`: none.
   */
  readonly heartbeat?: AgentHeartbeatOptions | false;
  /** Called with errors that have no caller to go to (a reply that could not be sent, a push that failed). Default: stderr. */
  readonly onError?: (error: unknown, context: string) => void;
}

/** What a managed Node service embeds to be observed and healed by mapek. */
export interface Agent {
  readonly target: string;
  /** `<prefix>.actuate.<target>`. */
  readonly subject: string;
  /** True when the agent answers actuation requests (it has a NATS connection). */
  readonly actuating: boolean;
  readonly registry: Registry;
  /** For the `Content-Type` of a `/metrics` response. */
  readonly metricsContentType: string;
  /** The exposition text for a `/metrics` handler. */
  metricsText(): Promise<string>;
  /** Records one served request for the error-ratio and latency gauges. */
  recordRequest(durationMs: number, ok: boolean): void;
  setActiveConnections(count: number): void;
  /** True when the agent pushes threshold crossings of its own gauges as symptoms. */
  readonly pushing: boolean;
  /** True when the agent sends heartbeats. */
  readonly heartbeating: boolean;
  /** Registers (or replaces) the handler of an action. */
  registerRemedy(action: ActionType, handler: RemedyHandler): void;
  remedies(): ActionType[];
  /** Answers one actuation request without NATS (other transports, tests). */
  handleActuation(message: InboundMessage): Promise<ActuationReplyV1>;
  /** Stops answering (in-flight requests finish), drains an owned connection, removes agent metrics. */
  close(): Promise<void>;
}

const writeToStderr = (error: unknown, context: string): void => {
  process.stderr.write(`mapek agent: ${context}: ${error instanceof Error ? error.message : String(error)}\n`);
};

/**
 * Starts an agent: metrics at once; when given NATS, a queue subscription on
 * `subjects.actuate(target, prefix)` that is live at the server when the promise resolves.
 *
 * @throws {AgentConfigError} on bad options. @throws {AgentConnectError} when NATS is unreachable.
 */
export async function createAgent(options: AgentOptions): Promise<Agent> {
  const target = checkAgentOptions(options);
  const onError = options.onError ?? writeToStderr;
  // Trust bundle reloads are counted once the metrics exist (security loads first: it can refuse the start).
  let countTrustReload: (result: 'reloaded' | 'rejected') => void = () => undefined;
  const security: LoadedAgentSecurity | undefined = options.security
    ? await loadAgentSecurity(options.security, (event) => {
        countTrustReload(event.result);
        if (event.result === 'rejected')
          onError(event.error, 'the trust bundle changed but was refused; the previous bundle stays in force');
      })
    : undefined;
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const subject = subjects.actuate(target, prefix);

  const { registry, window, cpu, remedies, metrics, handler } = createInstruments(options, security?.openRequest ?? options.openRequest);
  countTrustReload = (result) => metrics.countTrustReload(result);
  cpu.start();

  let actuation: Actuation;
  try {
    actuation = await startActuation(options, { target, subject, security, handler, onError });
  } catch (error) {
    cpu.stop();
    metrics.unregister();
    throw error;
  }
  const { connection, ownsConnection, responder } = actuation;
  const announce = {
    prefix,
    target,
    source: security?.identity ?? ServiceName.agent,
    ...(security ? { sign: security.signEnvelope } : {}),
  };
  const watcher =
    connection && options.push !== false
      ? startPush(options.push ?? {}, connection, announce, { window, cpu, metrics, onError })
      : undefined;
  const heartbeats =
    connection && options.heartbeat !== false ? startHeartbeats(options.heartbeat ?? {}, connection, announce, onError) : undefined;

  let closing: Promise<void> | undefined;
  return {
    target,
    subject,
    actuating: responder !== undefined,
    pushing: watcher !== undefined && watcher.rules.length > 0,
    heartbeating: heartbeats !== undefined,
    registry,
    metricsContentType: registry.contentType,
    metricsText: () => registry.metrics(),
    recordRequest: (durationMs, ok) => {
      window.record(durationMs, ok);
      watcher?.poke();
    },
    setActiveConnections: (count) => {
      metrics.setActiveConnections(count);
      watcher?.poke();
    },
    registerRemedy: (action, remedy) => remedies.register(action, remedy),
    remedies: () => remedies.actions(),
    handleActuation: (message) => handler.handle(message),
    close() {
      closing ??= (async () => {
        watcher?.stop();
        heartbeats?.stop();
        cpu.stop();
        await responder?.close();
        if (ownsConnection && connection && !connection.isClosed()) await connection.drain();
        metrics.unregister();
      })();
      return closing;
    },
  };
}

/** The agent's own parts: its metrics, the request window and CPU sampler behind its gauges, its remedies, and the handler of actuation requests. */
interface Instruments {
  readonly registry: Registry;
  readonly window: RequestWindow;
  readonly cpu: CpuUsageSampler;
  readonly remedies: RemedyRegistry;
  readonly metrics: AgentMetrics;
  readonly handler: ActuationHandler;
}

function createInstruments(options: AgentOptions, openRequest: OpenRequest | undefined): Instruments {
  const registry = options.registry ?? new Registry();
  const window = new RequestWindow({ windowMs: options.requestWindowMs ?? 30_000 });
  const cpu = new CpuUsageSampler();
  const remedies = new RemedyRegistry();
  remedies.register(ActionType.collectGarbage, collectGarbageRemedy);
  const metrics = registerAgentMetrics(registry, { window, cpu, defaultMetrics: options.defaultMetrics ?? true });
  const handler = new ActuationHandler({
    remedies,
    cache: new ReplyCache(options.replyCacheSize ?? 1024),
    countRemedy: (action, outcome) => metrics.countRemedy(action, outcome),
    remedyStarted: (action) => metrics.remedyStarted(action),
    ...(openRequest ? { openRequest } : {}),
    ...(options.verifyRequest ? { verifyRequest: options.verifyRequest } : {}),
  });
  return { registry, window, cpu, remedies, metrics, handler };
}

/** Refuses options that cannot work together; resolves to the validated target name. */
function checkAgentOptions(options: AgentOptions): string {
  const target = targetSchema.safeParse(options.target);
  if (!target.success) throw new AgentConfigError(`invalid target "${options.target}": ${target.error.issues[0]?.message ?? 'bad value'}`);
  if (options.natsUrl !== undefined && options.natsConnection !== undefined)
    throw new AgentConfigError('give natsUrl or natsConnection, not both');
  if (options.security !== undefined && options.openRequest !== undefined)
    throw new AgentConfigError('give security or openRequest, not both');
  return target.data;
}

/** The agent's NATS side: the connection (its own, or the one it was given) and the responder on it; none without NATS. */
interface Actuation {
  readonly connection: NatsConnection | undefined;
  /** The agent opened the connection, so it drains it on close. */
  readonly ownsConnection: boolean;
  readonly responder: ActuationResponder | undefined;
}

/** Connects (with a URL) and answers actuation requests on `subject`; a connection of its own is closed again if the responder fails. */
async function startActuation(
  options: AgentOptions,
  parts: {
    readonly target: string;
    readonly subject: string;
    readonly security: LoadedAgentSecurity | undefined;
    readonly handler: ActuationHandler;
    readonly onError: (error: unknown, context: string) => void;
  },
): Promise<Actuation> {
  const owned = options.natsUrl !== undefined ? await connectAgent(options.natsUrl, parts.target, parts.security) : undefined;
  const connection = owned ?? options.natsConnection;
  if (!connection) return { connection: undefined, ownsConnection: false, responder: undefined };
  try {
    const responder = await ActuationResponder.start(connection, {
      subject: parts.subject,
      queue: options.queueGroup ?? ServiceName.agent,
      handler: parts.handler,
      seal: options.sealReply ?? sealAsJson,
      onError: parts.onError,
    });
    return { connection, ownsConnection: owned !== undefined, responder };
  } catch (error) {
    await owned?.close();
    throw error;
  }
}

/** A connection of the agent's own; with an identity, over TLS with its certificate. */
async function connectAgent(
  natsUrl: string | readonly string[],
  target: string,
  security: LoadedAgentSecurity | undefined,
): Promise<NatsConnection> {
  // A string may list a cluster's servers separated by commas, as NATS_URL does for the services.
  const servers = typeof natsUrl === 'string' ? natsUrl.split(',').map((server) => server.trim()) : [...natsUrl];
  try {
    // With an identity, replies (the stream's acknowledgements of pushed symptoms) arrive on its own inbox, which only it may read.
    return await connect({
      servers,
      name: `mapek-agent-${target}`,
      // Like the services: never give up on the cluster, and notice a silent dead server in seconds.
      maxReconnectAttempts: -1,
      ...NatsClientLiveness,
      ...(security ? { tls: security.tls, inboxPrefix: inboxPrefixOf(security.identity) } : {}),
    });
  } catch (error) {
    throw new AgentConnectError(`cannot connect to NATS at ${String(servers)}`, { cause: error });
  }
}

/** Who the agent's own events (pushed symptoms, heartbeats) come from, and how they are signed. */
interface Announcer {
  readonly prefix: string;
  readonly target: string;
  readonly source: string;
  readonly sign?: LoadedAgentSecurity['signEnvelope'];
}

/** Watches the agent's own gauges and pushes each threshold crossing as a symptom, counted by outcome. */
function startPush(
  push: AgentPushOptions,
  connection: NatsConnection,
  announce: Announcer,
  parts: {
    readonly window: RequestWindow;
    readonly cpu: CpuUsageSampler;
    readonly metrics: AgentMetrics;
    readonly onError: (error: unknown, context: string) => void;
  },
): ThresholdWatcher {
  const { metrics, onError } = parts;
  const pusher = new SymptomPusher({
    connection,
    ...announce,
    ...(push.timeoutMs !== undefined ? { timeoutMs: push.timeoutMs } : {}),
  });
  const watcher = new ThresholdWatcher({
    rules: push.rules ?? defaultThresholdRules,
    readers: agentGaugeReaders({
      window: parts.window,
      cpu: parts.cpu,
      activeConnections: () => metrics.activeConnections(),
      windowIntervalMs: push.windowIntervalMs ?? 250,
    }),
    ...(push.intervalMs !== undefined ? { intervalMs: push.intervalMs } : {}),
    ...(push.minIntervalMs !== undefined ? { minIntervalMs: push.minIntervalMs } : {}),
    onCrossing: async (crossing) => {
      try {
        await pusher.push(crossing);
        metrics.countPush(crossing.rule.name, PushOutcome.ok);
      } catch (error) {
        metrics.countPush(crossing.rule.name, PushOutcome.failed);
        onError(error, `pushing the ${crossing.rule.name} crossing (the monitor's next scrape still reports it)`);
        throw error;
      }
    },
  });
  watcher.start();
  return watcher;
}

/** Reports that the service is alive at once and every interval. */
function startHeartbeats(
  heartbeat: AgentHeartbeatOptions,
  connection: NatsConnection,
  announce: Announcer,
  onError: (error: unknown, context: string) => void,
): HeartbeatSender {
  const heartbeats = new HeartbeatSender({
    ...heartbeat,
    connection,
    ...announce,
    reporter: `${hostname()}/${process.pid}`,
    onError,
  });
  heartbeats.start();
  return heartbeats;
}
