import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import type { Logger, ServiceMetrics } from '@mapek/observability';
import type { ApiKeysSource } from '../adapters/api-keys.file.js';
import { looksLikeJwt, type OidcVerifier } from '../adapters/oidc.verifier.js';
import { mayAccess, requiredAccess } from '../domain/access-policy.js';
import { AuthFailure, bearerTokenOf, type Authentication, type Principal } from '../domain/api-key.verifier.js';
import type { RateLimiterPort } from '../domain/rate-limiter.js';

export interface AccessControlOptions {
  /** Unset: no authentication (development only; production refuses to start without keys). */
  readonly keys: ApiKeysSource | undefined;
  /** Set: OIDC bearer tokens (JWTs) from this provider are accepted beside API keys. */
  readonly oidc?: OidcVerifier | undefined;
  /** The shared limit (KV) or this replica's own. */
  readonly limiter: RateLimiterPort;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
}

// The principal of each request, for controllers (see `@Caller()`) and the WebSocket route.
const principals = new WeakMap<object, Principal>();

/** The authenticated caller of a request; undefined when the gateway runs without API keys. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request.raw);
}

/** Controller parameter: the authenticated caller (undefined without API keys). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | undefined =>
  principalOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

function deny(reply: FastifyReply, status: 401 | 403 | 429, error: string, reason: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="mapek"');
  return reply.code(status).send({ statusCode: status, error, reason });
}

/**
 * Authentication, authorization and rate limiting for every route, the WebSocket upgrade
 * included, before any handler runs: a request is refused with 401 (no or bad key), 403 (the
 * key's role may not do this) or 429 (too many requests, with Retry-After), counted in
 * `mapek_gateway_requests_denied_total{reason}` and logged with the key id, never the token.
 */
export function registerAccessControl(fastify: FastifyInstance, options: AccessControlOptions): void {
  const denied = new Counter({
    name: 'mapek_gateway_requests_denied_total',
    help: 'Requests refused before reaching a handler, by reason (credentials, role, rate limit)',
    labelNames: ['reason'],
    registers: [options.metrics.registry],
  });

  fastify.addHook('onRequest', async (request, reply) => {
    const access = requiredAccess(request.method, request.url);
    if (access.public) return;
    const keys = options.keys;
    const token = bearerTokenOf(request.headers);
    // A JWT goes to the OpenID provider's keys, anything else to the API keys file.
    let authentication: Authentication | undefined;
    if (options.oidc && looksLikeJwt(token)) authentication = await options.oidc.verify(token);
    else if (keys) authentication = keys.verifier.verify(token);
    else if (options.oidc) authentication = { ok: false, failure: token ? AuthFailure.malformed : AuthFailure.missing };
    const client = authentication?.ok ? `key:${authentication.principal.keyId}` : `ip:${request.ip}`;
    const rate = await options.limiter.take(client);
    if (!rate.allowed) {
      denied.inc({ reason: 'rate_limited' });
      reply.header('retry-after', String(Math.max(1, Math.ceil(rate.retryAfterMs / 1000))));
      return deny(
        reply,
        429,
        'rate_limited',
        `too many requests from this ${authentication?.ok ? 'API key' : 'address'}; retry after the Retry-After seconds`,
      );
    }
    if (!authentication) return; // No API keys configured: development without authentication.
    if (!authentication.ok) {
      denied.inc({ reason: authentication.failure });
      options.logger.warn(
        { reason: authentication.failure, keyId: authentication.keyId, ip: request.ip, method: request.method, url: request.url },
        'request refused: not authenticated',
      );
      return deny(
        reply,
        401,
        authentication.failure,
        options.oidc
          ? 'send a valid API key (Authorization: Bearer mapek_<id>_<secret>) or a valid token of the OpenID provider'
          : 'send a valid API key: Authorization: Bearer mapek_<id>_<secret> (create one with `./mapek pki api-key create`)',
      );
    }
    const { principal } = authentication;
    if (!mayAccess(principal.role, access)) {
      denied.inc({ reason: 'forbidden' });
      options.logger.warn(
        {
          keyId: principal.keyId,
          principal: principal.name,
          role: principal.role,
          needs: access.permission,
          method: request.method,
          url: request.url,
        },
        'request refused: role not allowed',
      );
      return deny(reply, 403, 'forbidden', `role ${principal.role} of ${principal.name} may not ${access.permission} here`);
    }
    principals.set(request.raw, principal);
  });
}
