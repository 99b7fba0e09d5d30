import { ConsumerName, ServiceName, StreamName } from '@mapek/contracts';
import { startService } from '@mapek/service-kit';
import { DatabaseSchema, createPool } from './adapters/database.js';
import { KnowledgeRepository } from './adapters/knowledge.repository.js';
import { knowledgeConfig } from './knowledge.config.js';
import { KnowledgeModule } from './knowledge.module.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.knowledge,
    defaultPort: 9105,
    config: knowledgeConfig,
    ownedPrefix: 'MAPEK_KNOWLEDGE_',
    consumers: ({ config, runtime }) => [
      {
        stream: StreamName.events,
        durable: ConsumerName.knowledge,
        ackWaitMs: config.MAPEK_ACK_WAIT_MS,
        filterSubjects: [`${runtime.prefix}.>`],
      },
    ],
    module: ({ config, logger, health, security }) => {
      if (config.MAPEK_DATABASE_TLS && !security) {
        process.stderr.write(
          'knowledge: refusing to start, MAPEK_DATABASE_TLS=true needs the service identity (MAPEK_IDENTITY_DIR) for its client certificate\n',
        );
        process.exit(78);
      }
      // The same identity and CA as the NATS connection: PostgreSQL maps the certificate's CN
      // (`knowledge`) to the database role with `cert` authentication.
      const ssl = config.MAPEK_DATABASE_TLS && security ? { ...security.natsTls, rejectUnauthorized: true } : undefined;
      const pool = createPool(config.DATABASE_URL, config.MAPEK_DATABASE_POOL_SIZE, ssl);
      if (ssl) logger.info('PostgreSQL over TLS with the knowledge client certificate');
      pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL client failed'));
      // Not awaited: knowledge comes up unready and migrates once PostgreSQL answers, so a database
      // that is down at start (or restarts later) never ends the process.
      const schema = new DatabaseSchema(pool, logger);
      const stopPreparing = new AbortController();
      process.once('SIGTERM', () => stopPreparing.abort());
      schema.prepare(stopPreparing.signal).catch((error: unknown) => {
        if (stopPreparing.signal.aborted) return;
        logger.fatal({ err: error }, 'cannot prepare the database');
        process.stderr.write(`knowledge: cannot prepare the database: ${(error as Error).message}\n`);
        process.exit(69);
      });
      health.register('postgres', () => schema.check());
      return KnowledgeModule.forRoot(new KnowledgeRepository(pool), schema);
    },
  });
}
