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
  MAPEK_GATEWAY_PLANNER_TIMEOUT_MS: { schema: env.integer(6000, 10), description: 'timeout of an incident replay by the planner (it reads the incident from knowledge first)' },
  MAPEK_GATEWAY_WS_MAX_FRAME_BYTES: { schema: env.integer(64 * 1024, 128), description: 'largest WebSocket frame accepted from a client' },
  MAPEK_GATEWAY_BODY_LIMIT_BYTES: { schema: env.integer(64 * 1024, 256), description: 'largest request body accepted' },
  MAPEK_GATEWAY_COMMANDS_ENABLED: { schema: env.boolean(true), description: 'accept manual commands on POST /api/v1/commands (callers with the operator or admin role)' },
  MAPEK_GATEWAY_API_KEYS_FILE: {
    schema: env.optionalString(),
    description:
      'API keys file written by `mapek pki api-key create` (SHA-256 digests only); every route but /health*, /metrics and /docs then needs `Authorization: Bearer <key>`. Required in production; unset in development: no authentication',
  },
  MAPEK_GATEWAY_API_KEYS_RELOAD_MS: { schema: env.integer(5000, 200), description: 'how often the API keys file is checked; created and revoked keys take effect without a restart' },
  MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE: { schema: env.integer(600, 1), description: 'sustained requests per minute per API key (per address for unauthenticated requests)' },
  MAPEK_GATEWAY_RATE_LIMIT_BURST: { schema: env.integer(120, 1), description: 'requests a client may make at once before the per-minute rate applies' },
  MAPEK_GATEWAY_RATE_LIMIT_SHARED: {
    schema: env.boolean(true),
    description: 'count the rate limit in the KV bucket mapek_gateway, shared by every gateway replica (false: each replica counts alone)',
  },
} satisfies ConfigSpec;

/**
 * Production refuses to start without API keys: the gateway is the only way into the loop from
 * outside, and without keys anyone who reaches it could approve plans and actuate.
 */
export function authenticationProblem(config: { readonly ENVIRONMENT: 'development' | 'production'; readonly PQC_REQUIRED: boolean; readonly MAPEK_GATEWAY_API_KEYS_FILE: string | undefined }): string | undefined {
  if (config.MAPEK_GATEWAY_API_KEYS_FILE !== undefined) return undefined;
  if (config.ENVIRONMENT === 'production' || config.PQC_REQUIRED) {
    return 'MAPEK_GATEWAY_API_KEYS_FILE is required in production: create keys with `./mapek pki api-key create --name <who> --role viewer|operator|approver|admin` and point the gateway at the file';
  }
  return undefined;
}
