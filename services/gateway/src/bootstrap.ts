import fastifyWebsocket from '@fastify/websocket';
import { Counter } from 'prom-client';
import { ConfigError, type LiveConfiguration } from '@mapek/config';
import { BucketName, KnowledgeEndpoint, ServiceName } from '@mapek/contracts';
import type { KvBucket } from '@mapek/messaging';
import { followConfigurationFile, startService } from '@mapek/service-kit';
import { AlertMemoryStore } from './adapters/alert-memory.js';
import { ApiKeysFileError, ApiKeysSource } from './adapters/api-keys.file.js';
import { CommandSealer } from './adapters/command-sealer.js';
import { EventFeed } from './adapters/event-feed.js';
import { FlagsFeed } from './adapters/flags.feed.js';
import { KnowledgeClient } from './adapters/knowledge.client.js';
import { PlannerClient } from './adapters/planner.client.js';
import { OidcVerifier, discoverOidc } from './adapters/oidc.verifier.js';
import { registerLoopStateMetrics } from './adapters/loop-state.metrics.js';
import { SharedRateLimiter } from './adapters/shared-rate-limiter.js';
import { alertSourceSettings } from './domain/alert-source.js';
import { MicroCache } from './domain/micro-cache.js';
import { RateLimiter, type RateLimiterPort } from './domain/rate-limiter.js';
import { authenticationProblem, gatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { registerAccessControl } from './handlers/access-control.js';
import { consoleSignOn, consoleVocabulary, type ConsoleSignOn } from './handlers/console-config.controller.js';
import { securityHeaders } from './handlers/security-headers.js';
import { registerHttpMetrics } from './handlers/http-metrics.js';
import { registerWebSocket, selectWebSocketProtocol } from './handlers/websocket.gateway.js';

export async function bootstrap(): Promise<void> {
  let feed: EventFeed | undefined;
  let flags: FlagsFeed | undefined;
  let keys: ApiKeysSource | undefined;
  let oidc: OidcVerifier | undefined;
  let signOn: ConsoleSignOn | null = null;
  let gatewayState: KvBucket | undefined;
  let configuration: LiveConfiguration | undefined;
  await startService({
    service: ServiceName.gateway,
    defaultPort: 8080,
    config: gatewayConfig,
    ownedPrefix: 'MAPEK_GATEWAY_',
    bodyLimitBytes: (config) => config.MAPEK_GATEWAY_BODY_LIMIT_BYTES,
    validate: (config) => [authenticationProblem(config)].filter((problem) => problem !== undefined),
    // HTTPS/WSS with the gateway's certificate (hybrid X25519MLKEM768 preferred) when an identity is configured.
    https: true,
    module: async ({ config, runtime, logger, health, security, metrics }) => {
      if (config.MAPEK_GATEWAY_API_KEYS_FILE !== undefined) {
        const reloads = new Counter({
          name: 'mapek_gateway_api_keys_reloads_total',
          help: 'Changes of the API keys file taken or refused',
          labelNames: ['result'],
          registers: [metrics.registry],
        });
        try {
          keys = await ApiKeysSource.open(config.MAPEK_GATEWAY_API_KEYS_FILE, {
            intervalMs: config.MAPEK_GATEWAY_API_KEYS_RELOAD_MS,
            onReload: (event) => {
              reloads.inc({ result: event.result });
              if (event.result === 'reloaded') logger.info({ keys: event.keys }, 'API keys file reloaded');
              else logger.error({ err: event.error }, 'API keys file changed but was refused; the previous keys stay in force');
            },
          });
        } catch (error) {
          if (error instanceof ApiKeysFileError) throw new ConfigError(ServiceName.gateway, [error.message]);
          throw error;
        }
        logger.info({ file: keys.file, keys: keys.verifier.size }, 'API keys loaded: every API route needs a key');
      } else {
        logger.warn('no MAPEK_GATEWAY_API_KEYS_FILE: the API is open to anyone who can reach it (development only)');
      }
      if (config.MAPEK_GATEWAY_OIDC_ISSUER !== undefined) {
        // Discovery at start: a provider that cannot be reached is a startup failure, not a silent API-keys-only gateway.
        const metadata = await discoverOidc(config.MAPEK_GATEWAY_OIDC_ISSUER);
        // The console sends its ID token (aud = its client id) when the access token is not a JWT for the API.
        const clientId = config.MAPEK_GATEWAY_OIDC_CLIENT_ID ?? config.MAPEK_GATEWAY_OIDC_AUDIENCE;
        const audiences = [...new Set([config.MAPEK_GATEWAY_OIDC_AUDIENCE, clientId])];
        signOn = consoleSignOn(metadata, { clientId, scopes: config.MAPEK_GATEWAY_OIDC_SCOPES, audiences });
        oidc = new OidcVerifier(metadata, {
          issuer: metadata.issuer,
          audience: audiences,
          rolesClaim: config.MAPEK_GATEWAY_OIDC_ROLES_CLAIM,
          roleMap: config.MAPEK_GATEWAY_OIDC_ROLE_MAP,
          nameClaim: config.MAPEK_GATEWAY_OIDC_NAME_CLAIM,
          algorithms: config.MAPEK_GATEWAY_OIDC_ALGORITHMS,
          clockSkewSeconds: config.MAPEK_GATEWAY_OIDC_CLOCK_SKEW_S,
          jwksCooldownMs: config.MAPEK_GATEWAY_OIDC_JWKS_COOLDOWN_MS,
        });
        logger.info(
          { issuer: metadata.issuer, audiences, clientId },
          'OIDC bearer tokens accepted beside API keys; the console signs in with the provider',
        );
      }
      const knowledge = new KnowledgeClient(runtime.nc, runtime.prefix, config.MAPEK_GATEWAY_KNOWLEDGE_TIMEOUT_MS);
      health.register('knowledge', () => knowledge.query(KnowledgeEndpoint.insights).then(() => undefined), { critical: false });
      feed = new EventFeed(runtime.js, logger, runtime.verifier);
      // Manual commands are sealed to the executor with the trust bundle the gateway already holds.
      const commands = {
        enabled: config.MAPEK_GATEWAY_COMMANDS_ENABLED,
        sealer: new CommandSealer(security && { sealer: security.sealer, trust: security.trust }),
      };
      const plans = await runtime.openBucket(BucketName.plannerPlans);
      registerLoopStateMetrics({ registry: metrics.registry, jsm: runtime.jsm, plans, knowledge, logger });
      // The gateway's own bucket: the shared rate limit and what it remembers of Alertmanager's alerts.
      const state = await runtime.openBucket(BucketName.gatewayState);
      if (config.MAPEK_GATEWAY_RATE_LIMIT_SHARED) gatewayState = state;
      if (config.MAPEK_CONFIG_FILE !== undefined) {
        configuration = await followConfigurationFile({
          service: ServiceName.gateway,
          file: config.MAPEK_CONFIG_FILE,
          logger,
          metrics,
          intervalMs: config.MAPEK_CONFIG_RELOAD_MS,
        });
      }
      const live = configuration;
      const alerts = { source: () => alertSourceSettings(live?.current()), memory: new AlertMemoryStore(state) };
      flags = new FlagsFeed(plans, logger);
      // Heartbeats for the file's targets only, once there is a file (any valid target name without one).
      const heartbeatTargets = () => {
        const current = live?.current();
        return current === undefined ? undefined : new Set(current.targets.map((target) => target.name));
      };
      const listCacheAnswers = new Counter({
        name: 'mapek_gateway_list_cache_answers_total',
        help: 'List answers by how they were obtained: hit (reused), shared (joined a query in flight), miss (asked knowledge)',
        labelNames: ['source'],
        registers: [metrics.registry],
      });
      const listCache = new MicroCache<unknown>({
        ttlMs: config.MAPEK_GATEWAY_LIST_CACHE_MS,
        onAnswer: (source) => listCacheAnswers.inc({ source }),
      });
      return GatewayModule.forRoot(
        knowledge,
        plans,
        feed,
        commands,
        keys,
        flags,
        new PlannerClient(runtime.nc, runtime.prefix, config.MAPEK_GATEWAY_PLANNER_TIMEOUT_MS),
        alerts,
        { apiKeys: keys !== undefined, signOn, vocabulary: consoleVocabulary },
        () => live?.status(),
        listCache,
        heartbeatTargets,
      );
    },
    configure: async (app, { config, logger, metrics }) => {
      app.enableCors({
        origin: config.MAPEK_GATEWAY_ALLOWED_ORIGINS,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type'],
      });
      const fastify = app.getHttpAdapter().getInstance();
      registerHttpMetrics(fastify, metrics.registry);
      const limit = { perMinute: config.MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE, burst: config.MAPEK_GATEWAY_RATE_LIMIT_BURST };
      const local = new RateLimiter(limit);
      let limiter: RateLimiterPort = local;
      if (gatewayState) {
        // One count for every replica (KV); this replica's own count only while KV is unreachable.
        const fallbacks = new Counter({
          name: 'mapek_gateway_rate_limit_fallbacks_total',
          help: 'Rate-limit takes counted on this replica alone because the shared count in KV could not be reached',
          registers: [metrics.registry],
        });
        limiter = new SharedRateLimiter(gatewayState, limit, local, logger, {
          leaseMs: config.MAPEK_GATEWAY_RATE_LIMIT_LEASE_MS,
          onFallback: () => fallbacks.inc(),
        });
      }
      registerAccessControl(fastify, { keys, oidc, limiter, metrics, logger });
      // The console exchanges the sign-on's code at the provider's token endpoint, from the browser.
      const headers = securityHeaders(signOn ? [signOn.issuer, signOn.tokenEndpoint] : []);
      fastify.addHook('onSend', async (_request, reply, payload) => {
        for (const [name, value] of Object.entries(headers)) if (!reply.hasHeader(name)) reply.header(name, value);
        return payload;
      });
      await app.register(fastifyWebsocket, {
        options: { maxPayload: config.MAPEK_GATEWAY_WS_MAX_FRAME_BYTES, handleProtocols: selectWebSocketProtocol },
      });
      if (!feed) throw new Error('event feed not created');
      registerWebSocket(fastify, feed, logger, {
        allowedOrigins: config.MAPEK_GATEWAY_ALLOWED_ORIGINS,
        maxFrameBytes: config.MAPEK_GATEWAY_WS_MAX_FRAME_BYTES,
        ...(flags ? { flags } : {}),
      });
    },
  });
}
