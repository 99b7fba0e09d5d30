import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { OidcVerifier, discoverOidc, roleFromClaim, type OidcSettings } from './oidc.verifier.js';

/**
 * A real OpenID provider (oidc-provider) on a free port serves discovery and the JWKS; the test
 * signs tokens with the private halves of the keys it publishes, so each failure is exactly one
 * broken property of an otherwise good token.
 */
interface SigningKey {
  readonly kid: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}

async function startProvider(keys: readonly SigningKey[]): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: keys.map((key) => key.jwk) },
    clients: [
      {
        client_id: 'mapek-console',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${issuer}/cb`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
  });
  server.on('request', provider.callback());
  return { issuer, server };
}

const settings: OidcSettings = {
  issuer: '',
  audience: 'mapek-api',
  rolesClaim: 'groups',
  roleMap: { 'sre-oncall': 'operator', 'platform-admins': 'admin' },
  nameClaim: 'preferred_username',
  algorithms: ['RS256', 'ES256'],
  clockSkewSeconds: 30,
  jwksCooldownMs: 200,
};

describe('OIDC bearer tokens against a real OpenID provider', () => {
  let first: SigningKey;
  let second: SigningKey;
  let stranger: SigningKey;
  let issuer: string;
  let server: Server;
  let rotated: Server | undefined;
  let verifier: OidcVerifier;

  const token = (
    key: SigningKey,
    claims: Record<string, unknown> = {},
    options: { audience?: string; expiresAt?: number; issuer?: string; kid?: string } = {},
  ) =>
    new SignJWT({ preferred_username: 'alice', groups: ['sre-oncall'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
      .setIssuer(options.issuer ?? issuer)
      .setSubject('user-1')
      .setAudience(options.audience ?? 'mapek-api')
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
      .sign(key.privateKey);

  beforeAll(async () => {
    [first, second, stranger] = await Promise.all([signingKey('k1'), signingKey('k2'), signingKey('k-stranger')]);
    ({ issuer, server } = await startProvider([first]));
    verifier = new OidcVerifier(await discoverOidc(issuer), { ...settings, issuer });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    if (rotated) await new Promise((resolve) => rotated?.close(resolve));
  });

  it('finds the endpoints through discovery and refuses an issuer that names itself otherwise', async () => {
    const metadata = await discoverOidc(issuer);
    expect(metadata.jwksUri).toMatch(new RegExp(`^${issuer}/`));
    expect(metadata.authorizationEndpoint).toMatch(/\/auth$/);
    await expect(discoverOidc(`${issuer}/`)).rejects.toThrow(/names issuer/);
  });

  it("accepts the console client id as an audience beside the API's, when configured", async () => {
    const both = new OidcVerifier(await discoverOidc(issuer), { ...settings, issuer, audience: ['mapek-api', 'mapek-console'] });
    await expect(both.verify(await token(first, {}, { audience: 'mapek-console' }))).resolves.toMatchObject({ ok: true });
    await expect(both.verify(await token(first, {}, { audience: 'mapek-api' }))).resolves.toMatchObject({ ok: true });
    await expect(verifier.verify(await token(first, {}, { audience: 'mapek-console' }))).resolves.toMatchObject({
      ok: false,
      failure: 'wrong_audience',
    });
  });

  it('accepts a good token: the role from the groups claim, the name from preferred_username', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 300;
    await expect(verifier.verify(await token(first, {}, { expiresAt }))).resolves.toEqual({
      ok: true,
      principal: { keyId: 'oidc:user-1', name: 'alice', role: 'operator', expiresAt: (expiresAt + settings.clockSkewSeconds) * 1000 },
    });
    await expect(verifier.verify(await token(first, { groups: ['platform-admins', 'sre-oncall'] }))).resolves.toMatchObject({
      ok: true,
      principal: { role: 'admin' },
    });
  });

  it('refuses a token for another audience, from another issuer, or without a known role', async () => {
    await expect(verifier.verify(await token(first, {}, { audience: 'another-api' }))).resolves.toMatchObject({
      ok: false,
      failure: 'wrong_audience',
    });
    await expect(verifier.verify(await token(first, {}, { issuer: 'https://elsewhere.example' }))).resolves.toMatchObject({
      ok: false,
      failure: 'unknown_issuer',
    });
    await expect(verifier.verify(await token(first, { groups: ['marketing'] }))).resolves.toMatchObject({ ok: false, failure: 'no_role' });
  });

  it('refuses an expired token beyond the clock skew, and accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifier.verify(await token(first, {}, { expiresAt: now - 120 }))).resolves.toMatchObject({
      ok: false,
      failure: 'expired_token',
    });
    await expect(verifier.verify(await token(first, {}, { expiresAt: now - 5 }))).resolves.toMatchObject({ ok: true });
  });

  it('refuses a bad signature: a key the provider does not publish, under a kid it does', async () => {
    await expect(verifier.verify(await token(stranger, {}, { kid: 'k1' }))).resolves.toMatchObject({ ok: false, failure: 'invalid_token' });
    const good = await token(first);
    const [header, payload] = good.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), groups: ['platform-admins'] })).toString('base64url')}.${good.split('.')[2]}`;
    await expect(verifier.verify(tampered)).resolves.toMatchObject({ ok: false, failure: 'invalid_token' });
  });

  it('refetches the key set when a token names an unknown kid, so a rotated key is accepted', async () => {
    // The provider rotates: it now publishes k2 beside k1 on the same address.
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    const provider = new Provider(issuer, { jwks: { keys: [second.jwk, first.jwk] } });
    rotated = createServer(provider.callback());
    await new Promise<void>((resolve) => rotated?.listen(port, '127.0.0.1', resolve));
    // Past the cooldown of the first fetch, the unknown kid triggers one refetch.
    await new Promise((resolve) => setTimeout(resolve, settings.jwksCooldownMs + 50));
    await expect(verifier.verify(await token(second))).resolves.toMatchObject({ ok: true, principal: { name: 'alice' } });
    await expect(verifier.verify(await token(first))).resolves.toMatchObject({ ok: true });
  });
});

describe('roles from a claim', () => {
  it('maps claim values, takes role names as themselves, and prefers the widest duty', () => {
    expect(roleFromClaim('viewer', {})).toBe('viewer');
    expect(roleFromClaim(['viewer', 'approver'], {})).toBe('approver');
    expect(roleFromClaim('ops admins', { admins: 'admin' })).toBe('admin');
    expect(roleFromClaim(42, {})).toBeUndefined();
  });
});
