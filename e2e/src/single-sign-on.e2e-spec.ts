import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AutonomyLevel, CauseKind } from '@mapek/contracts';
import { repositoryRoot, type Stack } from '@mapek/stack';
import { webSocketOutcome, type LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';
import { BILLING_RESOURCE, MAPEK_RESOURCE, OpenIdProvider } from './openid-provider.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(repositoryRoot(), 'e2e', 'artifacts');
const CONSOLE_CLIENT = 'mapek-console';

/**
 * Single sign-on against a real OpenID provider run by the test: the gateway discovers it at
 * start, accepts its tokens for a role and refuses the others with a reason, and the console signs
 * a person in through the provider's login and consent pages (authorization code with PKCE).
 */
describe('single sign-on with an OpenID provider', () => {
  let provider: OpenIdProvider;
  let other: OpenIdProvider;
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  const call = (path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) =>
    loop.json<{ error?: string; reason?: string; name?: string; role?: string; authenticated?: boolean }>(`${stack.gatewayUrl}${path}`, {
      method: init.method ?? 'GET',
      // An explicit header, so the LoopClient's admin key is not sent instead.
      headers: {
        authorization: token === undefined ? '' : `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    provider = await OpenIdProvider.start({
      people: { alice: ['platform-admins'], vera: ['viewers'], nobody: ['marketing'] },
      machines: { 'sre-bot': ['sre-oncall'], 'intern-bot': [] },
    });
    // Another organisation's provider: real tokens, for the same audience, from an issuer the gateway does not trust.
    other = await OpenIdProvider.start({ people: {}, machines: { 'sre-bot': ['sre-oncall'] } });
    running = await startLoopStack('sso', {
      planner: { MAPEK_PLANNER_AUTO_APPROVE_MAX_RISK: 'none' },
      gateway: {
        MAPEK_GATEWAY_OIDC_ISSUER: provider.issuer,
        MAPEK_GATEWAY_OIDC_AUDIENCE: 'mapek',
        MAPEK_GATEWAY_OIDC_CLIENT_ID: CONSOLE_CLIENT,
        MAPEK_GATEWAY_OIDC_SCOPES: 'openid profile groups',
        MAPEK_GATEWAY_OIDC_ROLES_CLAIM: 'groups',
        MAPEK_GATEWAY_OIDC_ROLE_MAP: JSON.stringify({ 'platform-admins': 'admin', 'sre-oncall': 'operator', viewers: 'viewer' }),
        MAPEK_GATEWAY_OIDC_CLOCK_SKEW_S: '0',
      },
    });
    ({ stack, loop } = running);
    provider.registerConsole(CONSOLE_CLIENT, stack.gatewayUrl);
  });

  afterAll(async () => {
    await running?.stop();
    await provider?.stop();
    await other?.stop();
  });

  describe('the API over HTTPS', () => {
    it('accepts a token the provider issued, with the role its groups claim maps to, and refuses what that role may not do with 403', async () => {
      const token = await provider.clientCredentialsToken('sre-bot', MAPEK_RESOURCE);
      await expect(call('/api/v1/session', token)).resolves.toMatchObject({
        status: 200,
        body: { authenticated: true, name: 'sre-bot', role: 'operator' },
      });
      await expect(call('/api/v1/incidents', token)).resolves.toMatchObject({ status: 200 });
      const decide = await call('/api/v1/plans/0193a0f0-0000-7000-8000-000000000000/approve', token, { method: 'POST', body: {} });
      expect(decide).toMatchObject({ status: 403, body: { error: 'forbidden', reason: 'role operator of sre-bot may not decide here' } });
    });

    it('refuses with 401 and the reason a token for another audience, an expired one, one from another issuer, and one without a role', async () => {
      const now = Math.floor(Date.now() / 1000);
      const refused = {
        wrong_audience: await provider.clientCredentialsToken('sre-bot', BILLING_RESOURCE),
        expired_token: await provider.sign({ sub: 'sre-bot', aud: 'mapek', groups: ['sre-oncall'] }, now - 60),
        unknown_issuer: await other.clientCredentialsToken('sre-bot', MAPEK_RESOURCE),
        no_role: await provider.clientCredentialsToken('intern-bot', MAPEK_RESOURCE),
      };
      for (const [reason, token] of Object.entries(refused)) {
        const answer = await call('/api/v1/incidents', token);
        expect({ reason, status: answer.status, error: answer.body.error }).toEqual({ reason, status: 401, error: reason });
        expect(answer.body.reason).toMatch(/token of the OpenID provider/);
      }
    });

    it('closes the live feed when the token it was opened with expires', async () => {
      const expiresAt = Math.floor(Date.now() / 1000) + 6;
      const token = await provider.sign({ sub: 'sre-bot', aud: 'mapek', groups: ['sre-oncall'] }, expiresAt);
      const outcome = await webSocketOutcome(`${stack.gatewayUrl.replace(/^http/, 'ws')}/ws`, stack.caFile, {
        authorization: `Bearer ${token}`,
      });
      expect(outcome).toEqual({ opened: true, code: 1008 });
      // Not before the token's expiry (the gateway runs with no clock skew here).
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000 - 50);
    });

    it('tells the console how to sign in, publicly and without secrets, and lets it connect to the provider', async () => {
      const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
      const discovery = (await response.json()) as { token_endpoint: string; authorization_endpoint: string; end_session_endpoint: string };
      const config = await call('/api/v1/console/config', undefined);
      expect(config).toEqual({
        status: 200,
        body: {
          apiKeys: true,
          signOn: {
            issuer: provider.issuer,
            clientId: CONSOLE_CLIENT,
            scopes: ['openid', 'profile', 'groups'],
            audiences: ['mapek', CONSOLE_CLIENT],
            authorizationEndpoint: discovery.authorization_endpoint,
            tokenEndpoint: discovery.token_endpoint,
            endSessionEndpoint: discovery.end_session_endpoint,
          },
          vocabulary: { causes: Object.values(CauseKind), autonomyLevels: Object.values(AutonomyLevel) },
        },
      });
    });
  });

  describe('the console in headless Chromium', () => {
    // Each person signs in in a browser of their own: the provider's session cookie is per browser.
    let context: BrowserContext | undefined;
    let page: Page;
    let profile: string | undefined;
    const violations: string[] = [];

    async function closeBrowser(): Promise<void> {
      await context?.close();
      if (profile) await rm(profile, { recursive: true, force: true });
      context = undefined;
      profile = undefined;
    }

    async function openBrowser(): Promise<void> {
      await closeBrowser();
      profile = await mkdtemp(join(tmpdir(), 'mapek-sso-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        ignoreHTTPSErrors: true,
        viewport: { width: 1440, height: 900 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(stack.gatewayUrl);
    }

    afterAll(closeBrowser);

    /** From the console's sign-in, through the provider's login page (and its consent page, the first time), back to the console. */
    async function signInThroughProvider(login: string): Promise<void> {
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('any password: the development login page takes any');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      const consent = page.getByRole('button', { name: 'Continue' });
      const back = page.locator('#feed-status, #signin-error:not(:empty)');
      await consent.or(back).first().waitFor({ timeout: 15_000 });
      if (await consent.isVisible()) await consent.click();
      await page.waitForURL((url) => url.origin === new URL(stack.gatewayUrl).origin, { timeout: 15_000 });
    }

    it("signs a person in through the provider's login and consent pages and loads the incidents with the token", async () => {
      // An incident to see: the demo's memory leak (every plan waits for a person).
      const since = Date.now();
      await loop.fault('/demo/memory-leak?size_mb=100&count=5');
      const incident = await loop.waitForIncident(since, (found) => found.cause === 'memory_leak', 60_000, 'the memory leak incident');

      await openBrowser();
      // Both ways in: single sign-on and, beside it, an API key.
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).waitFor();
      await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'console-sign-in.png') });
      await signInThroughProvider('alice');
      await page.locator('#feed-status', { hasText: 'live' }).waitFor({ timeout: 15_000 });
      await expect(page.locator('#who').textContent()).resolves.toBe('alice (admin) · single sign-on');
      // The code and state left the address bar; the token stays in the tab.
      expect(new URL(page.url()).search).toBe('');
      await page.locator(`#incident-list [data-incident-id="${incident.id}"]`).waitFor({ timeout: 15_000 });
      await page.locator('#plan-list article.pending-plan button.approve').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'console-sso.png'), fullPage: true });
      const bearer = await page.evaluate(() => sessionStorage.getItem('mapek.apiKey') ?? '');
      // The token the console holds is the provider's ID token for the console client, and the API takes it.
      expect(JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({
        iss: provider.issuer,
        aud: CONSOLE_CLIENT,
        groups: ['platform-admins'],
      });
      await expect(call('/api/v1/session', bearer)).resolves.toMatchObject({ status: 200, body: { name: 'alice', role: 'admin' } });
    });

    it('signs out at the provider too, so the next sign-in asks for the login again', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).waitFor({ timeout: 15_000 });
      await expect(page.evaluate(() => sessionStorage.getItem('mapek.apiKey'))).resolves.toBeNull();
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
      await page.locator('input[name="login"]').waitFor({ timeout: 15_000 });
    });

    it('shows a person whose groups map to no role why the sign-in was refused', async () => {
      await openBrowser();
      await signInThroughProvider('nobody');
      await page.locator('#signin-error', { hasText: 'no_role' }).waitFor({ timeout: 15_000 });
      await expect(page.locator('#app').isHidden()).resolves.toBe(true);
    });

    it('signs out when the token expires and asks to sign in again', async () => {
      provider.idTokenTtlSeconds = 15;
      await openBrowser();
      await signInThroughProvider('vera');
      await page.locator('#feed-status', { hasText: 'live' }).waitFor({ timeout: 15_000 });
      await expect(page.locator('#who').textContent()).resolves.toBe('vera (viewer) · single sign-on');
      await page.locator('#signin-error', { hasText: 'Your single sign-on session expired' }).waitFor({ timeout: 30_000 });
      await expect(page.locator('#app').isHidden()).resolves.toBe(true);
      await expect(page.evaluate(() => sessionStorage.getItem('mapek.apiKey'))).resolves.toBeNull();
    });

    it('still signs in with an API key beside single sign-on, without a Content-Security-Policy violation', async () => {
      await page.getByLabel('API key').fill(stack.apiKeys?.adminToken ?? '');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#feed-status', { hasText: 'live' }).waitFor({ timeout: 15_000 });
      await expect(page.locator('#who').textContent()).resolves.toBe('admin (admin)');
      const response = await page.goto(stack.gatewayUrl);
      expect(response?.headers()['content-security-policy']).toContain(`connect-src 'self' ${provider.issuer};`);
      expect(violations).toEqual([]);
    });
  });
});
