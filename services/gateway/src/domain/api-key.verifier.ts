import { timingSafeEqual } from 'node:crypto';
import { apiKeySecretDigest, parseApiKeyToken, type ApiKeyRecordV1, type ApiKeysFileV1, type ApiRole } from '@mapek/contracts';

/** An authenticated caller: its name becomes the `actor` of what it decides or commands. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly role: ApiRole;
  /** Epoch ms from which the credential is refused (a key's expiry, a token's `exp` plus the skew): a WebSocket opened with it is closed then. */
  readonly expiresAt?: number;
}

/** Why a credential was refused; also the `reason` label of `mapek_gateway_requests_denied_total`. */
export const AuthFailure = {
  missing: 'missing_credentials',
  malformed: 'malformed_credentials',
  unknownKey: 'unknown_key',
  badSecret: 'bad_secret',
  expired: 'expired_key',
  revoked: 'revoked_key',
  /** An OIDC bearer token past its expiry (beyond the allowed clock skew). */
  expiredToken: 'expired_token',
  /** An OIDC bearer token with a bad signature, algorithm, unknown key or missing claim. */
  invalidToken: 'invalid_token',
  /** An OIDC bearer token from an issuer other than the configured one (refused before any key lookup). */
  unknownIssuer: 'unknown_issuer',
  /** An OIDC bearer token, validly signed, for another audience than the API's or the console's. */
  wrongAudience: 'wrong_audience',
  /** A valid OIDC token whose roles claim maps to no role. */
  noRole: 'no_role',
} as const;
export type AuthFailure = (typeof AuthFailure)[keyof typeof AuthFailure];

export type Authentication =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly failure: AuthFailure; readonly keyId?: string };

/** Checks bearer tokens against one version of the keys file (digests only; see contracts api-key.ts). */
export class ApiKeyVerifier {
  private readonly byId: ReadonlyMap<string, ApiKeyRecordV1>;

  constructor(file: ApiKeysFileV1) {
    this.byId = new Map(file.keys.map((key) => [key.id, key]));
  }

  get size(): number {
    return this.byId.size;
  }

  verify(token: string | undefined, now: number = Date.now()): Authentication {
    if (token === undefined || token === '') return { ok: false, failure: AuthFailure.missing };
    const parsed = parseApiKeyToken(token);
    if (!parsed) return { ok: false, failure: AuthFailure.malformed };
    const key = this.byId.get(parsed.id);
    if (!key) return { ok: false, failure: AuthFailure.unknownKey, keyId: parsed.id };
    // Compare digests in constant time, so response timing does not reveal how much of a secret matched.
    const presented = Buffer.from(apiKeySecretDigest(parsed.secret), 'hex');
    if (!timingSafeEqual(presented, Buffer.from(key.secretSha256, 'hex')))
      return { ok: false, failure: AuthFailure.badSecret, keyId: key.id };
    if (key.revokedAt !== undefined && Date.parse(key.revokedAt) <= now) return { ok: false, failure: AuthFailure.revoked, keyId: key.id };
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= now) return { ok: false, failure: AuthFailure.expired, keyId: key.id };
    return {
      ok: true,
      principal: {
        keyId: key.id,
        name: key.name,
        role: key.role,
        ...(key.expiresAt !== undefined ? { expiresAt: Date.parse(key.expiresAt) } : {}),
      },
    };
  }
}

/**
 * The token of a request: `Authorization: Bearer <token>`, or, for browsers (which cannot set
 * headers on a WebSocket), a `mapek.bearer.<token>` entry in `Sec-WebSocket-Protocol`.
 */
export function bearerTokenOf(headers: {
  readonly authorization?: string | undefined;
  readonly 'sec-websocket-protocol'?: string | undefined;
}): string | undefined {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const [scheme, value, ...rest] = authorization.split(/\s+/);
    // Anything but exactly `Bearer <token>` is passed on whole, and refused as malformed.
    return scheme?.toLowerCase() === 'bearer' && value !== undefined && rest.length === 0 ? value : authorization;
  }
  const offered = headers['sec-websocket-protocol']?.split(',').map((protocol) => protocol.trim());
  const bearer = offered?.find((protocol) => protocol.startsWith(WEBSOCKET_BEARER_PREFIX));
  return bearer?.slice(WEBSOCKET_BEARER_PREFIX.length);
}

/** The subprotocol the gateway's /ws speaks; a browser offers it first, then its bearer entry. */
export const WEBSOCKET_PROTOCOL = 'mapek.v1';
export const WEBSOCKET_BEARER_PREFIX = 'mapek.bearer.';
