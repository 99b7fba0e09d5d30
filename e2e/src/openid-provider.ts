import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** The resource indicator of mapek's API: client-credentials tokens for it are JWTs with `aud` mapek. */
export const MAPEK_RESOURCE = 'https://mapek.example/api';
/** Another API of the organisation: its tokens are validly signed, for another audience. */
export const BILLING_RESOURCE = 'https://billing.example/api';

export interface OpenIdProviderOptions {
  /** Groups (the roles claim) of the people who sign in through the login page, by login name. */
  readonly people: Readonly<Record<string, readonly string[]>>;
  /** Groups of the confidential machine clients (client credentials), by client id; each client's secret is `<id>-secret`. */
  readonly machines?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A real OpenID provider (the `oidc-provider` package) run by the test, as an organisation's
 * identity provider: discovery, JWKS, the development login and consent pages, the token
 * endpoint and RP-initiated logout. It starts before the gateway (which discovers it at start);
 * `registerConsole` then adds the console's public client for the gateway's address, which is
 * known only once the stack runs: a provider of the same issuer and keys takes over the listener.
 */
export class OpenIdProvider {
  /** Seconds an ID token lasts; a test shortens it to see the console sign out at expiry. */
  idTokenTtlSeconds = 600;
  /** The provider's own failures (`server_error`), for a test's failure message. */
  readonly serverErrors: Error[] = [];
  private handler: RequestListener;

  private constructor(
    readonly issuer: string,
    private readonly server: Server,
    private readonly key: {
      readonly kid: string;
      readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
      readonly jwk: JWK;
    },
    private readonly options: OpenIdProviderOptions,
  ) {
    this.handler = this.provider([]).callback();
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.handler(request, response));
  }

  static async start(options: OpenIdProviderOptions): Promise<OpenIdProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `k-${issuer.split(':').at(-1) ?? '0'}`;
    const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
    return new OpenIdProvider(issuer, server, { kid, privateKey, jwk }, options);
  }

  /** Registers the console as a public client: authorization code with PKCE, back to `<gatewayUrl>/`. */
  registerConsole(clientId: string, gatewayUrl: string): void {
    const redirect = `${gatewayUrl}/`;
    this.handler = this.provider([
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirect],
        post_logout_redirect_uris: [redirect],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ]).callback();
  }

  /** A client-credentials access token (a JWT) for a resource, as the token endpoint issues it. */
  async clientCredentialsToken(clientId: string, resource: string): Promise<string> {
    const response = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token) {
      throw new Error(
        `the provider refused client credentials for ${clientId}: ${body.error ?? response.status} ${body.error_description ?? ''} ${this.serverErrors.map((error) => error.stack ?? error.message).join('; ')}`,
      );
    }
    return body.access_token;
  }

  /** A token as this provider would sign it (its published key), with the claims given: for cases the endpoints do not produce on demand, like an expired token. */
  sign(claims: Record<string, unknown>, expiresAt: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid })
      .setIssuer(this.issuer)
      .setIssuedAt(expiresAt - 300)
      .setExpirationTime(expiresAt)
      .sign(this.key.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private provider(consoleClients: readonly Record<string, unknown>[]): Provider {
    const { people, machines = {} } = this.options;
    const machineClients = Object.keys(machines).map((id) => ({
      client_id: id,
      client_secret: `${id}-secret`,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    }));
    const provider = new Provider(this.issuer, {
      jwks: { keys: [this.key.jwk] },
      clients: [...consoleClients, ...machineClients],
      // The roles claim comes with the `groups` scope, and goes into the ID token the console sends.
      claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
      scopes: ['openid', 'profile', 'groups'],
      conformIdTokenClaims: false,
      findAccount: (_context: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, preferred_username: sub, name: sub, groups: [...(people[sub] ?? [])] }),
      }),
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined,
          useGrantedResource: () => false,
          getResourceServerInfo: (_context: unknown, indicator: string) => {
            if (indicator === MAPEK_RESOURCE)
              return { audience: 'mapek', scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } }, accessTokenTTL: 300 };
            if (indicator === BILLING_RESOURCE)
              return { audience: 'billing', scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } }, accessTokenTTL: 300 };
            throw new Error(`unknown resource ${indicator}`);
          },
        },
      },
      extraTokenClaims: (_context: unknown, token: { clientId?: string }) =>
        token.clientId && token.clientId in machines ? { groups: [...(machines[token.clientId] ?? [])] } : undefined,
      ttl: {
        IdToken: () => this.idTokenTtlSeconds,
        AccessToken: 300,
        AuthorizationCode: 60,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        ClientCredentials: 300,
      },
      // The login and consent pages post back to the provider over plain HTTP on loopback.
      cookies: { keys: ['mapek-e2e-cookie-key'] },
    });
    // A provider failure shows in the test's output, not only as `server_error` to the caller.
    provider.on('server_error', (_context: unknown, error: Error) => this.serverErrors.push(error));
    return provider;
  }
}
