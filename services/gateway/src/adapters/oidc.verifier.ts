import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { ApiRole, apiPrincipalNameSchema } from '@mapek/contracts';
import { AuthFailure, type Authentication } from '../domain/api-key.verifier.js';

/** How the gateway trusts an OpenID provider's tokens (MAPEK_GATEWAY_OIDC_*). */
export interface OidcSettings {
  readonly issuer: string;
  /** The `aud` a token must carry: the API's audience, and the console's client id for the ID tokens it sends. */
  readonly audience: string | readonly string[];
  /** The claim that holds the caller's roles (a string or a list). */
  readonly rolesClaim: string;
  /** Claim value → role; a value that is itself a role name maps to it. */
  readonly roleMap: Readonly<Record<string, ApiRole>>;
  /** The claim whose value becomes the actor's name. */
  readonly nameClaim: string;
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  /** A token signed with an unknown `kid` refetches the JWKS, at most once per this. */
  readonly jwksCooldownMs: number;
}

/** What discovery found; the console's sign-in uses the endpoints. */
export interface OidcProviderMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** RP-initiated logout, when the provider offers it: the console's sign-out ends the provider's session too. */
  readonly endSessionEndpoint?: string;
}

export class OidcDiscoveryError extends Error {
  override readonly name = 'OidcDiscoveryError';
  readonly code = 'oidc_discovery_failed';
  readonly retryable = true;
}

/** Reads `<issuer>/.well-known/openid-configuration`; its `issuer` must be the configured one exactly. */
export async function discoverOidc(issuer: string, fetchImpl: typeof fetch = fetch): Promise<OidcProviderMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: Record<string, unknown>;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new OidcDiscoveryError(`OpenID discovery at ${url} failed: ${(error as Error).message}`, { cause: error });
  }
  const text = (key: string) => (typeof body[key] === 'string' ? body[key] : undefined);
  const found = {
    issuer: text('issuer'),
    jwksUri: text('jwks_uri'),
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
  };
  if (found.issuer !== issuer)
    throw new OidcDiscoveryError(`OpenID discovery at ${url} names issuer ${found.issuer ?? 'none'}, not ${issuer}`);
  if (!found.jwksUri || !found.authorizationEndpoint || !found.tokenEndpoint)
    throw new OidcDiscoveryError(`OpenID discovery at ${url} lacks jwks_uri, authorization_endpoint or token_endpoint`);
  const endSessionEndpoint = text('end_session_endpoint');
  return {
    issuer,
    jwksUri: found.jwksUri,
    authorizationEndpoint: found.authorizationEndpoint,
    tokenEndpoint: found.tokenEndpoint,
    ...(endSessionEndpoint ? { endSessionEndpoint } : {}),
  };
}

/** The strongest duty a set of roles grants; operator and approver are separate duties, only admin holds both. */
const roleOrder: readonly ApiRole[] = [ApiRole.admin, ApiRole.approver, ApiRole.operator, ApiRole.viewer];

export function roleFromClaim(value: unknown, roleMap: Readonly<Record<string, ApiRole>>): ApiRole | undefined {
  const values =
    typeof value === 'string'
      ? value.split(/[\s,]+/)
      : Array.isArray(value)
        ? value.filter((entry): entry is string => typeof entry === 'string')
        : [];
  const roles = new Set(
    values
      .map((entry) => roleMap[entry] ?? (roleOrder as readonly string[]).find((role) => role === entry))
      .filter((role): role is ApiRole => role !== undefined),
  );
  return roleOrder.find((role) => roles.has(role));
}

/** A dotted path into the claims (`realm_access.roles`), as providers nest them. */
function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      payload,
    );
}

/**
 * Verifies OIDC bearer tokens (JWTs) against the issuer's JWKS: signature with an allow-listed
 * algorithm, issuer, audience, expiry and not-before with a small clock skew. The key set is
 * fetched on first use and again when a token names an unknown `kid` (key rotation), at most once
 * per cooldown, so forged `kid`s cannot make the gateway hammer the provider.
 */
export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    readonly metadata: OidcProviderMetadata,
    private readonly settings: OidcSettings,
  ) {
    this.jwks = createRemoteJWKSet(new URL(metadata.jwksUri), { cooldownDuration: settings.jwksCooldownMs, timeoutDuration: 5000 });
  }

  async verify(token: string): Promise<Authentication> {
    // Another issuer's token is refused on its unverified `iss`, before it can make the gateway fetch keys.
    if (issuerOf(token) !== this.metadata.issuer) return { ok: false, failure: AuthFailure.unknownIssuer };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.metadata.issuer,
        audience: typeof this.settings.audience === 'string' ? this.settings.audience : [...this.settings.audience],
        algorithms: [...this.settings.algorithms],
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, failure: AuthFailure.expiredToken };
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud')
        return { ok: false, failure: AuthFailure.wrongAudience };
      return { ok: false, failure: AuthFailure.invalidToken };
    }
    const role = roleFromClaim(claimAt(payload, this.settings.rolesClaim), this.settings.roleMap);
    const subject = String(payload.sub);
    if (!role) return { ok: false, failure: AuthFailure.noRole, keyId: `oidc:${subject}` };
    const claimed = claimAt(payload, this.settings.nameClaim);
    const name = apiPrincipalNameSchema.safeParse(claimed).success ? (claimed as string) : subject;
    // jose accepted it up to the skew past `exp` (required above), and so does the WebSocket it may open.
    const expiresAt = (Number(payload.exp) + this.settings.clockSkewSeconds) * 1000;
    return { ok: true, principal: { keyId: `oidc:${subject}`, name, role, expiresAt } };
  }
}

function issuerOf(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

/** A bearer credential that is a JWT (three base64url parts), not a mapek API key. */
export function looksLikeJwt(token: string | undefined): token is string {
  return token !== undefined && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
