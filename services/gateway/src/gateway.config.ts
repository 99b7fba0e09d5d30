import { z } from 'zod';
import { configurationFileConfig, env, type ConfigSpec } from '@mapek/config';

export const gatewayConfig = {
  MAPEK_GATEWAY_ALLOWED_ORIGINS: {
    schema: z
      .string()
      .default('https://localhost:8080,https://127.0.0.1:8080,http://localhost:8080,http://127.0.0.1:8080')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      ),
    description: 'browser origins allowed for CORS and the WebSocket (comma separated)',
  },
  MAPEK_GATEWAY_KNOWLEDGE_TIMEOUT_MS: { schema: env.integer(2000, 10), description: 'timeout of queries to knowledge' },
  MAPEK_GATEWAY_PLANNER_TIMEOUT_MS: {
    schema: env.integer(6000, 10),
    description: 'timeout of an incident replay by the planner (it reads the incident from knowledge first)',
  },
  MAPEK_GATEWAY_LIST_CACHE_MS: {
    schema: env.integer(250, 0, 10_000),
    description:
      'how long GET /api/v1/incidents reuses an identical answer (same query, same role); concurrent identical requests share one query to knowledge. The answer may be this old (Cache-Control, Age). 0: every request asks knowledge',
  },
  MAPEK_GATEWAY_WS_MAX_FRAME_BYTES: { schema: env.integer(64 * 1024, 128), description: 'largest WebSocket frame accepted from a client' },
  MAPEK_GATEWAY_BODY_LIMIT_BYTES: { schema: env.integer(64 * 1024, 256), description: 'largest request body accepted' },
  MAPEK_GATEWAY_COMMANDS_ENABLED: {
    schema: env.boolean(true),
    description: 'accept manual commands on POST /api/v1/commands (callers with the operator or admin role)',
  },
  MAPEK_GATEWAY_API_KEYS_FILE: {
    schema: env.optionalString(),
    description:
      'API keys file written by `mapek pki api-key create` (SHA-256 digests only); every route but /health*, /metrics and /docs then needs `Authorization: Bearer <key>`. Required in production; unset in development: no authentication',
  },
  MAPEK_GATEWAY_OIDC_ISSUER: {
    schema: env.optionalString(),
    description:
      'OpenID provider whose bearer tokens (JWTs) are accepted beside API keys; discovered at <issuer>/.well-known/openid-configuration at start. Unset: API keys only',
  },
  MAPEK_GATEWAY_OIDC_AUDIENCE: { schema: z.string().default('mapek'), description: 'the aud a token must carry' },
  MAPEK_GATEWAY_OIDC_CLIENT_ID: {
    schema: env.optionalString(),
    description:
      'public client id of the console (authorization code flow with PKCE, redirect URI https://<gateway>/); its ID tokens (aud = client id) are accepted beside the audience. Default: the audience',
  },
  MAPEK_GATEWAY_OIDC_SCOPES: {
    schema: z
      .string()
      .default('openid profile')
      .transform((value) => value.split(/[\s,]+/).filter(Boolean)),
    description:
      'scopes the console asks for (space or comma separated; openid is always added); include the one that puts the roles claim into the ID token',
  },
  MAPEK_GATEWAY_OIDC_ROLES_CLAIM: {
    schema: z.string().default('roles'),
    description: "claim holding the caller's roles, a string or a list; dotted for nested claims (realm_access.roles)",
  },
  MAPEK_GATEWAY_OIDC_ROLE_MAP: {
    schema: z
      .string()
      .default('{}')
      .transform((raw, context) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'not JSON' });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string(), z.enum(['viewer', 'operator', 'approver', 'admin']))),
    description:
      'JSON map of roles-claim values to viewer|operator|approver|admin, e.g. {"sre":"operator"}; a value that is a role name maps to itself',
  },
  MAPEK_GATEWAY_OIDC_NAME_CLAIM: {
    schema: z.string().default('preferred_username'),
    description: "claim whose value is the actor of the caller's decisions and commands (else sub)",
  },
  MAPEK_GATEWAY_OIDC_ALGORITHMS: {
    schema: z
      .string()
      .default('RS256,PS256,ES256,EdDSA')
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      ),
    description: 'signature algorithms accepted (comma separated); never none or HS*',
  },
  MAPEK_GATEWAY_OIDC_CLOCK_SKEW_S: { schema: env.integer(30, 0, 300), description: 'seconds of clock skew allowed on exp and nbf' },
  MAPEK_GATEWAY_OIDC_JWKS_COOLDOWN_MS: {
    schema: env.integer(30_000, 0),
    description: 'a token with an unknown kid refetches the JWKS at most once per this (key rotation)',
  },
  MAPEK_GATEWAY_API_KEYS_RELOAD_MS: {
    schema: env.integer(5000, 200),
    description: 'how often the API keys file is checked; created and revoked keys take effect without a restart',
  },
  MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE: {
    schema: env.integer(600, 1),
    description: 'sustained requests per minute per API key (per address for unauthenticated requests)',
  },
  MAPEK_GATEWAY_RATE_LIMIT_BURST: {
    schema: env.integer(120, 1),
    description: 'requests a client may make at once before the per-minute rate applies',
  },
  // MAPEK_CONFIG_FILE: the gateway reads sources.alertmanager and the targets an alert may name;
  // unset, alerts on POST /api/v1/alertmanager may name any target in their `target` label.
  ...configurationFileConfig,
  MAPEK_GATEWAY_RATE_LIMIT_SHARED: {
    schema: env.boolean(true),
    description: 'count the rate limit in the KV bucket mapek_gateway, shared by every gateway replica (false: each replica counts alone)',
  },
  MAPEK_GATEWAY_RATE_LIMIT_LEASE_MS: {
    schema: env.integer(100, 10, 5000),
    description:
      'how long a replica holds tokens of the shared rate limit it reserved ahead of a busy client before it gives the unused ones back (fewer KV writes; a client at its limit may be refused up to (replicas - 1) × burst/16 requests early for this long)',
  },
} satisfies ConfigSpec;

/**
 * Production refuses to start without API keys: the gateway is the only way into the loop from
 * outside, and without keys anyone who reaches it could approve plans and actuate.
 */
export function authenticationProblem(config: {
  readonly ENVIRONMENT: 'development' | 'production';
  readonly PQC_REQUIRED: boolean;
  readonly MAPEK_GATEWAY_API_KEYS_FILE: string | undefined;
  readonly MAPEK_GATEWAY_OIDC_ISSUER?: string | undefined;
}): string | undefined {
  if (config.MAPEK_GATEWAY_API_KEYS_FILE !== undefined || config.MAPEK_GATEWAY_OIDC_ISSUER !== undefined) return undefined;
  if (config.ENVIRONMENT === 'production' || config.PQC_REQUIRED) {
    return 'MAPEK_GATEWAY_API_KEYS_FILE is required in production: create keys with `./mapek pki api-key create --name <who> --role viewer|operator|approver|admin` and point the gateway at the file';
  }
  return undefined;
}
