import { z } from 'zod';
import { env, type ConfigSpec } from '@mapek/config';

export const gatewayConfig = {
  MAPEK_GATEWAY_ALLOWED_ORIGINS: {
    schema: z
      .string()
      .default('https://localhost:8080,https://127.0.0.1:8080,http://localhost:8080,http://127.0.0.1:8080')
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean)),
    description: 'browser origins allowed for CORS and the WebSocket (comma separated)',
  },
  MAPEK_GATEWAY_KNOWLEDGE_TIMEOUT_MS: { schema: env.integer(2000, 10), description: 'timeout of queries to knowledge' },
  MAPEK_GATEWAY_WS_MAX_FRAME_BYTES: { schema: env.integer(64 * 1024, 128), description: 'largest WebSocket frame accepted from a client' },
  MAPEK_GATEWAY_BODY_LIMIT_BYTES: { schema: env.integer(64 * 1024, 256), description: 'largest request body accepted' },
} satisfies ConfigSpec;
