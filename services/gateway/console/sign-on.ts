/**
 * Single sign-on in the browser: the authorization code flow with PKCE (S256) against the
 * organisation's OpenID provider, as a public client (no secret). The console redirects to the
 * provider, the provider redirects back to `/` with a code, and the console exchanges it at the
 * token endpoint (the CSP allows connecting there). The token the API accepts becomes the bearer,
 * kept in the tab's sessionStorage like an API key; nothing is refreshed: at expiry the console
 * signs out and asks to sign in again (the provider's own session usually makes that one click).
 */

/** GET /api/v1/console/config: how this gateway lets people sign in (public, no secrets). */
export interface ConsoleConfig {
  readonly apiKeys: boolean;
  readonly signOn: SignOnSettings | null;
  /** The root causes and autonomy levels the gateway's contracts define. */
  readonly vocabulary: { readonly causes: readonly string[]; readonly autonomyLevels: readonly string[] };
}

export interface SignOnSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint: string | null;
}

/** A signed-in single sign-on session: the bearer sent to the API and what sign-out needs. */
export interface SignOnSession {
  readonly bearer: string;
  readonly idToken: string;
  /** Epoch milliseconds at which the bearer expires. */
  readonly expiresAt: number;
}

export class SignOnError extends Error {
  override readonly name = 'SignOnError';
}

/** The state, nonce and PKCE verifier of a sign-in in flight, between the redirect and the callback. */
const PENDING = 'mapek.signOn.pending';
const SESSION = 'mapek.signOn.session';

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/api/v1/console/config', {
    headers: { accept: 'application/json' },
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) throw new SignOnError(`the gateway's console settings could not be read (${response.status})`);
  return (await response.json()) as ConsoleConfig;
}

function randomText(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Where the provider sends the browser back: the console itself. */
function redirectUri(): string {
  return `${location.origin}/`;
}

/** Leaves for the provider's login page with a fresh state, nonce and S256 code challenge. */
export async function beginSignOn(settings: SignOnSettings): Promise<void> {
  const verifier = randomText(32);
  const state = randomText(16);
  const nonce = randomText(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ state, nonce, verifier }));
  const url = new URL(settings.authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scopes.join(' '),
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.toString());
}

/** The page was loaded by the provider's redirect (with a code or an error). */
export function isSignOnCallback(): boolean {
  const params = new URLSearchParams(location.search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** The claims of a JWT, unverified: the gateway verifies; the console only reads expiry, nonce and audience. */
function claimsOf(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const [, payload] = token.split('.');
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (char) => char.charCodeAt(0)))) as unknown;
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function audiencesOf(claims: Record<string, unknown>): string[] {
  const aud = claims['aud'];
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((entry): entry is string => typeof entry === 'string') : [];
}

/**
 * Finishes a sign-in on the provider's redirect: checks the state, exchanges the code with the
 * PKCE verifier, checks the ID token's nonce, issuer and audience, and picks the bearer: the
 * access token when it is a JWT for the API, else the ID token (its audience is the client id,
 * which the gateway accepts too).
 */
export async function completeSignOn(settings: SignOnSettings): Promise<SignOnSession> {
  const params = new URLSearchParams(location.search);
  // The code leaves the address bar and the history at once: it must not be bookmarked or replayed.
  history.replaceState(null, '', '/');
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error)
    throw new SignOnError(
      `the provider did not sign you in: ${error}${params.get('error_description') ? ` (${params.get('error_description') ?? ''})` : ''}`,
    );
  const pending = raw ? (JSON.parse(raw) as { state: string; nonce: string; verifier: string }) : undefined;
  if (!pending || params.get('state') !== pending.state)
    throw new SignOnError('this sign-in was not started by this tab (state mismatch); sign in again');
  if (params.get('iss') !== null && params.get('iss') !== settings.issuer)
    throw new SignOnError('the sign-in came back from another provider than the configured one');

  let response: Response;
  try {
    response = await fetch(settings.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        redirect_uri: redirectUri(),
        client_id: settings.clientId,
        code_verifier: pending.verifier,
      }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (cause) {
    throw new SignOnError(`the provider's token endpoint could not be reached (${(cause as Error).message})`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    id_token?: unknown;
    access_token?: unknown;
    error?: string;
    error_description?: string;
  };
  if (!response.ok)
    throw new SignOnError(
      `the provider refused the code: ${body.error ?? response.status}${body.error_description ? ` (${body.error_description})` : ''}`,
    );

  const id = claimsOf(body.id_token);
  if (!id || typeof body.id_token !== 'string')
    throw new SignOnError('the provider returned no ID token (is the openid scope allowed for this client?)');
  if (id['nonce'] !== pending.nonce) throw new SignOnError('the ID token does not answer this sign-in (nonce mismatch)');
  if (id['iss'] !== settings.issuer || !audiencesOf(id).includes(settings.clientId))
    throw new SignOnError('the ID token was issued by another provider or for another client');
  const access = claimsOf(body.access_token);
  const bearer =
    access && access['iss'] === settings.issuer && audiencesOf(access).some((aud) => settings.audiences.includes(aud))
      ? (body.access_token as string)
      : body.id_token;
  const expiry = (bearer === body.id_token ? id : access)?.['exp'];
  if (typeof expiry !== 'number') throw new SignOnError('the token carries no expiry');
  const session: SignOnSession = { bearer, idToken: body.id_token, expiresAt: expiry * 1000 };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

/** The single sign-on session of this tab, if the stored bearer came from it. */
export function storedSignOn(bearer: string): SignOnSession | undefined {
  const raw = sessionStorage.getItem(SESSION);
  if (!raw) return undefined;
  try {
    const session = JSON.parse(raw) as SignOnSession;
    return session.bearer === bearer ? session : undefined;
  } catch {
    return undefined; // not ours: treated as no single sign-on session
  }
}

export function forgetSignOn(): void {
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(PENDING);
}

/** The provider's logout (RP-initiated), back to the console afterwards; undefined when the provider has none. */
export function signOutUrl(settings: SignOnSettings, session: SignOnSession): string | undefined {
  if (!settings.endSessionEndpoint) return undefined;
  const url = new URL(settings.endSessionEndpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('id_token_hint', session.idToken);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  return url.toString();
}
