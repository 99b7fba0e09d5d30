import { env, type ConfigSpec } from '@mapek/config';

export const knowledgeConfig = {
  DATABASE_URL: { schema: env.url(undefined, ['postgres:', 'postgresql:']), description: 'PostgreSQL connection URL', sensitive: true },
  MAPEK_DATABASE_TLS: {
    schema: env.boolean(false),
    description:
      'reach PostgreSQL over TLS (verify-full against the development CA) with the service identity as client certificate; needs MAPEK_IDENTITY_DIR',
  },
  MAPEK_DATABASE_POOL_SIZE: { schema: env.integer(10, 1, 200), description: 'PostgreSQL connections (1 for the embedded PGlite)' },
  MAPEK_ACK_WAIT_MS: { schema: env.integer(30_000, 1000), description: 'JetStream ack wait of the knowledge consumer' },
} satisfies ConfigSpec;
