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
  MAPEK_GATEWAY_COMMANDS_ENABLED: {
    schema: z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1' || value === 'yes')),
    description: 'accept manual commands on POST /api/v1/commands (default: true unless ENVIRONMENT=production, as the API has no authentication yet)',
  },
} satisfies ConfigSpec;

/**
 * Whether POST /api/v1/commands is open. Unset, it follows the environment: on in development,
 * off in production, because anyone who can reach the gateway could actuate until it authenticates.
 */
export function commandsEnabled(config: { readonly ENVIRONMENT: 'development' | 'production'; readonly MAPEK_GATEWAY_COMMANDS_ENABLED: boolean | undefined }): boolean {
  return config.MAPEK_GATEWAY_COMMANDS_ENABLED ?? config.ENVIRONMENT !== 'production';
}
