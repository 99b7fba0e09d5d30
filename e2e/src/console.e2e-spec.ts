import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ApiRole, AutonomyLevel, CauseKind } from '@mapek/contracts';
import { createApiKey } from '@mapek/pki';
import { repositoryRoot, type Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import { EventSocket, type LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each run (gitignored); one of them is committed as docs/console.png by hand. */
const ARTIFACTS = join(repositoryRoot(), 'e2e', 'artifacts');

interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests to anywhere but the gateway, and Content-Security-Policy violations: both must stay empty. */
  readonly foreign: string[];
  readonly violations: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; the development CA is not in its trust store, so certificate errors are ignored. */
async function openBrowser(gatewayUrl: string): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'mapek-console-'));
  const context = await chromium.launchPersistentContext(profile, {
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
  const page = context.pages()[0] ?? (await context.newPage());
  const foreign: string[] = [];
  const violations: string[] = [];
  const origin = new URL(gatewayUrl).origin;
  const wsOrigin = origin.replace(/^http/, 'ws');
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith(wsOrigin) && !url.startsWith('data:')) foreign.push(url);
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return {
    context,
    page,
    foreign,
    violations,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function signIn(browser: Browser, gatewayUrl: string, token: string): Promise<void> {
  await browser.page.goto(gatewayUrl);
  await browser.page.getByLabel('API key').fill(token);
  await browser.page.getByRole('button', { name: 'Sign in' }).click();
  await browser.page.locator('#feed-status', { hasText: 'live' }).waitFor({ timeout: 15_000 });
}

describe('the web console in headless Chromium', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let admin: Browser;
  let viewer: Browser | undefined;
  let socket: EventSocket;
  let viewerToken: string;
  let operatorToken: string;
  const memoryRemedy = ['clear_cache', 'collect_garbage'];
  let healedId: string | undefined;

  const post = (path: string, body: unknown, token?: string) =>
    loop.json<{ error?: string; reason?: string; eventId?: string }>(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  async function newKey(name: string, role: ApiRole): Promise<string> {
    const keysFile = stack.apiKeys?.keysFile;
    if (keysFile === undefined) throw new Error('the stack has no API keys file');
    const { token } = await createApiKey({ file: keysFile, name, role });
    await waitFor(
      async () => (await loop.json(`${stack.gatewayUrl}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
      { timeoutMs: 15_000, intervalMs: 200, what: `the gateway accepting ${name}'s key` },
    );
    return token;
  }

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    running = await startLoopStack('console', {
      // Every plan waits for an operator: the risk guardrail holds them all.
      planner: { MAPEK_PLANNER_AUTO_APPROVE_MAX_RISK: 'none' },
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      gateway: { MAPEK_GATEWAY_API_KEYS_RELOAD_MS: '200' },
    });
    ({ stack, loop } = running);
    socket = await EventSocket.open(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, stack.caFile, stack.apiKeys?.adminToken);
    viewerToken = await newKey('vera', ApiRole.viewer);
    operatorToken = await newKey('otto', ApiRole.operator);
    admin = await openBrowser(stack.gatewayUrl);
  });

  afterAll(async () => {
    await viewer?.close();
    await admin?.close();
    socket?.close();
    await running?.stop();
  });

  it('changes runtime flags through the API only as the role allows, each change on the live feed and in the flags list', async () => {
    expect((await post('/api/v1/flags', { change: { flag: 'auto_healing', enabled: false } }, viewerToken)).status).toBe(403);
    expect((await post('/api/v1/flags', { change: { flag: 'auto_healing', enabled: true } }, operatorToken)).status).toBe(403);
    expect((await post('/api/v1/flags', { change: { flag: 'shadow_mode', enabled: true } }, stack.apiKeys?.adminToken)).status).toBe(400);

    // An operator may make the loop more careful: hold this remedy for an approver.
    const careful = await post(
      '/api/v1/flags',
      { change: { flag: 'autonomy', cause: 'memory_leak', actions: memoryRemedy, level: 'approve' }, reason: 'watch it for a while' },
      operatorToken,
    );
    expect(careful.status).toBe(202);
    // Raising it again is an admin's call, once the planner holds the lower level.
    await waitFor(async () => (await loop.json<{ flags: unknown[] }>(`${stack.gatewayUrl}/api/v1/flags`)).body.flags.length === 1, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'the planner storing the change',
    });
    const widen = await post(
      '/api/v1/flags',
      { change: { flag: 'autonomy', cause: 'memory_leak', actions: memoryRemedy, level: 'auto' } },
      operatorToken,
    );
    expect(widen).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    // The admin sets the ladder's rule: one successful approved run promotes.
    const policy = await post(
      '/api/v1/flags',
      { change: { flag: 'autonomy_policy', policy: { promoteAfter: 1, demoteOn: ['ineffective', 'degradation'], maxLevel: 'auto' } } },
      stack.apiKeys?.adminToken,
    );
    expect(policy.status).toBe(202);
    const flags = await waitFor(
      async () => {
        const { body } = await loop.json<{ flags: Array<{ key: string; actor: string; change: { level?: string } }> }>(
          `${stack.gatewayUrl}/api/v1/flags`,
        );
        return body.flags.length === 2 ? body.flags : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the planner storing both flag changes' },
    );
    expect(flags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'flag.autonomy.memory_leak.clear_cache.collect_garbage',
          actor: 'otto',
          change: expect.objectContaining({ level: 'approve' }),
        }),
        expect.objectContaining({ key: 'flag.autonomy_policy', actor: 'admin' }),
      ]),
    );
    expect(socket.frames.filter((frame) => frame.event.type === 'flag.changed').map((frame) => frame.event.id)).toEqual(
      expect.arrayContaining([careful.body.eventId, policy.body.eventId]),
    );
  });

  it('shows the demo incident live, offers its pending plan to an approver but not to a viewer, approves it with a click, and records the whole decision', async () => {
    await signIn(admin, stack.gatewayUrl, stack.apiKeys?.adminToken ?? '');
    const { page } = admin;

    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    // No reload: the incident arrives over the WebSocket.
    const incident = page.locator('#incident-list [data-incident-id]').first();
    await incident.waitFor({ timeout: 45_000 });
    const plan = page.locator('#plan-list article.pending-plan').first();
    await plan.waitFor({ timeout: 30_000 });
    await expect(plan.getByRole('button', { name: 'Approve' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-pending.png'), fullPage: true });

    viewer = await openBrowser(stack.gatewayUrl);
    await signIn(viewer, stack.gatewayUrl, viewerToken);
    const seen = viewer.page.locator('#plan-list article.pending-plan').first();
    await seen.waitFor({ timeout: 15_000 });
    expect(await viewer.page.locator('button.approve').count()).toBe(0);
    expect(await viewer.page.locator('button.reject').count()).toBe(0);
    await expect(seen.getByText('cannot approve or reject').isVisible()).resolves.toBe(true);
    await viewer.page.screenshot({ path: join(ARTIFACTS, 'console-viewer.png'), fullPage: true });

    await plan.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#announcer', { hasText: 'Approval of' }).waitFor({ timeout: 10_000 });
    const healed = await loop.waitForIncident(
      0,
      (found) => found.cause === 'memory_leak' && found.outcome !== null,
      60_000,
      'the approved plan to reach an outcome',
    );
    expect(healed).toMatchObject({ outcome: 'success', planStatus: 'approved' });
    healedId = healed.id;

    await page.locator(`#incident-list [data-incident-id="${healed.id}"]`).click();
    const detail = page.locator('#detail');
    await detail.getByRole('heading', { name: 'Decision record' }).waitFor();
    for (const heading of [
      'Symptoms and evidence',
      'Root-cause ranking',
      'Candidate plans',
      'Guardrail checks',
      'Approvals',
      'Steps',
      'Verification and outcome',
      'Flag changes',
    ]) {
      await expect(detail.getByRole('heading', { name: heading }).isVisible()).resolves.toBe(true);
    }
    await detail.getByText('approved by admin').first().waitFor({ timeout: 10_000 });
    await expect(detail.locator('td', { hasText: 'autonomy' }).first().isVisible()).resolves.toBe(true);
    // The approved success promoted the remedy (promoteAfter 1): the ladder's change is part of the incident.
    await waitFor(async () => ((await loop.incident(healed.id)).events as unknown as { flags?: unknown[] }).flags?.length === 1, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the promotion in the incident',
    });
    await page.locator(`#incident-list [data-incident-id="${healed.id}"]`).click();
    await detail.getByText('promoted: 1 successful approved runs').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'console-decision-record.png'), fullPage: true });
    // The flag forms offer the contracts' causes and levels, served by the gateway, not a list of the console's own.
    const autonomyForm = page.locator('#flag-forms form[aria-label="Autonomy of a remedy"]');
    await expect(autonomyForm.locator('select').first().locator('option').allTextContents()).resolves.toEqual(Object.values(CauseKind));
    await expect(autonomyForm.locator('select').last().locator('option').allTextContents()).resolves.toEqual(Object.values(AutonomyLevel));

    const flags = await loop.json<{ flags: Array<{ key: string; actor: string; change: { level?: string } }> }>(
      `${stack.gatewayUrl}/api/v1/flags`,
    );
    expect(flags.body.flags).toContainEqual(
      expect.objectContaining({
        key: 'flag.autonomy.memory_leak.clear_cache.collect_garbage',
        actor: 'planner',
        change: expect.objectContaining({ level: 'auto' }),
      }),
    );

    await expect(page.locator('#audit').getByText('chain intact').isVisible()).resolves.toBe(true);
    expect(admin.foreign).toEqual([]);
    expect(admin.violations).toEqual([]);
    expect(viewer.violations).toEqual([]);
  });

  it('replays the healed incident with the current rules: after the promotion and shadow mode for the target, the same remedy would be decided differently', async () => {
    const id = healedId;
    if (id === undefined) throw new Error('the healing test did not run');
    type Report = {
      then: { plan: { actions: string[]; dryRun: boolean; autonomyLevel: string | null } };
      now: { rootCauses: Array<{ cause: string }>; plan: { actions: string[]; dryRun: boolean; autonomyLevel: string | null } };
      differences: string[];
    };
    // Read-only, so a viewer may replay; an unknown incident is a 404.
    const same = await post(`/api/v1/incidents/${id}/replay`, {}, viewerToken);
    expect(same.status).toBe(200);
    expect((await post('/api/v1/incidents/01890000-0000-7000-8000-000000000000/replay', {}, viewerToken)).status).toBe(404);
    // Then the remedy was at `approve`; the approved success promoted it to `auto` since.
    const promoted = same.body as unknown as Report;
    expect(promoted.then.plan).toMatchObject({ actions: memoryRemedy, autonomyLevel: 'approve', dryRun: false });
    expect(promoted.now.rootCauses[0]?.cause).toBe('memory_leak');
    expect(promoted.now.plan).toMatchObject({ actions: memoryRemedy, autonomyLevel: 'auto' });
    expect(promoted.differences).toContain('autonomy: approve then, auto now');

    // An operator puts the target in shadow mode: the replay now shows a dry run.
    expect(
      (
        await post(
          '/api/v1/flags',
          { change: { flag: 'shadow_mode', target: 'demo-app', enabled: true }, reason: 'test a rule change' },
          operatorToken,
        )
      ).status,
    ).toBe(202);
    const shadowed = await waitFor(
      async () => {
        const { body } = await post(`/api/v1/incidents/${id}/replay`, {}, viewerToken);
        const report = body as unknown as Report;
        return report.now.plan.dryRun ? report : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'the planner seeing shadow mode for demo-app' },
    );
    expect(shadowed.differences).toContain('dry run (shadow mode): off then, on now');

    // The console shows both side by side, for a viewer too.
    const page = viewer?.page ?? admin.page;
    await page.locator(`#incident-list [data-incident-id="${id}"]`).click();
    await page.getByRole('button', { name: 'Replay with current rules' }).click();
    const result = page.locator('#replay-result');
    await result.waitFor({ timeout: 15_000 });
    await result.getByText('dry run (shadow mode): off then, on now').waitFor();
    await expect(result.getByText('autonomy: approve then, auto now').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-replay.png'), fullPage: true });
  });

  it("serves the console with a policy that allows only the gateway's own assets", async () => {
    const response = await admin.page.goto(stack.gatewayUrl);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|wss?:/);
  });
});
