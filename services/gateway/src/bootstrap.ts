import fastifyWebsocket from '@fastify/websocket';
import { BucketName, KnowledgeEndpoint, ServiceName } from '@mapek/contracts';
import { startService } from '@mapek/service-kit';
import { CommandSealer } from './adapters/command-sealer.js';
import { EventFeed } from './adapters/event-feed.js';
import { KnowledgeClient } from './adapters/knowledge.client.js';
import { commandsEnabled, gatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { registerWebSocket } from './handlers/websocket.gateway.js';

const securityHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

export async function bootstrap(): Promise<void> {
  let feed: EventFeed | undefined;
  await startService({
    service: ServiceName.gateway,
    defaultPort: 8080,
    config: gatewayConfig,
    ownedPrefix: 'MAPEK_GATEWAY_',
    bodyLimitBytes: (config) => config.MAPEK_GATEWAY_BODY_LIMIT_BYTES,
    // HTTPS/WSS with the gateway's certificate (hybrid X25519MLKEM768 preferred) when an identity is configured.
    https: true,
    module: async ({ config, runtime, logger, health, security }) => {
      const knowledge = new KnowledgeClient(runtime.nc, runtime.prefix, config.MAPEK_GATEWAY_KNOWLEDGE_TIMEOUT_MS);
      health.register('knowledge', () => knowledge.query(KnowledgeEndpoint.insights).then(() => undefined), { critical: false });
      feed = new EventFeed(runtime.js, logger, runtime.verifier);
      // Manual commands are sealed to the executor with the trust bundle the gateway already holds.
      const commands = { enabled: commandsEnabled(config), sealer: new CommandSealer(security && { sealer: security.sealer, trust: security.trust }) };
      return GatewayModule.forRoot(knowledge, await runtime.openBucket(BucketName.plannerPlans), feed, commands);
    },
    configure: async (app, { config, logger }) => {
      app.enableCors({ origin: config.MAPEK_GATEWAY_ALLOWED_ORIGINS, methods: ['GET', 'POST'] });
      const fastify = app.getHttpAdapter().getInstance();
      fastify.addHook('onSend', async (_request, reply, payload) => {
        for (const [name, value] of Object.entries(securityHeaders)) if (!reply.hasHeader(name)) reply.header(name, value);
        return payload;
      });
      await app.register(fastifyWebsocket, { options: { maxPayload: config.MAPEK_GATEWAY_WS_MAX_FRAME_BYTES } });
      if (!feed) throw new Error('event feed not created');
      registerWebSocket(fastify, feed, logger, {
        allowedOrigins: config.MAPEK_GATEWAY_ALLOWED_ORIGINS,
        maxFrameBytes: config.MAPEK_GATEWAY_WS_MAX_FRAME_BYTES,
      });
    },
  });
}
