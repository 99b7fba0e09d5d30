import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext } from 'playwright-core';
import { DEFAULT_SERVICES, ServiceName, startStack, type Stack } from '@mapek/stack';

const CHROMIUM = '/usr/bin/chromium';

/** GET over HTTPS; resolves with the status and the key-exchange group the client negotiated. */
function get(
  url: string,
  options: { ca: string; ecdhCurve?: string },
): Promise<{ status: number; group: string | undefined; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: options.ca, ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}), agent: false },
      (response) => {
        const socket = response.socket as TLSSocket;
        const info = socket.getEphemeralKeyInfo();
        const group = info && 'name' in info && typeof info.name === 'string' ? info.name : undefined;
        const protocol = socket.getProtocol();
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0, group, protocol }));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

describe('the gateway over HTTPS with the hybrid post-quantum key exchange', () => {
  let dataDir: string;
  let stack: Stack;
  let ca: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-e2e-tls-'));
    stack = await startStack({
      dataDir,
      withoutDatabase: true,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      services: DEFAULT_SERVICES.filter((service) => service.name === ServiceName.gateway),
    });
    ca = await readFile(stack.caFile ?? '', 'utf8');
  });

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves HTTPS at https://localhost with a certificate from the development CA', async () => {
    expect(stack.gatewayUrl).toMatch(/^https:\/\/localhost:\d+$/);
    await expect(get(`${stack.gatewayUrl}/health/live`, { ca })).resolves.toMatchObject({ status: 200, protocol: 'TLSv1.3' });
  });

  it('negotiates X25519MLKEM768 with a Node 24 client', async () => {
    const { group } = await get(`${stack.gatewayUrl}/health/live`, { ca });
    expect(group).toBe('X25519MLKEM768');
  });

  it('falls back to X25519 for a client that offers only classical groups', async () => {
    const { group } = await get(`${stack.gatewayUrl}/health/live`, { ca, ecdhCurve: 'X25519' });
    expect(group).toBe('X25519');
  });

  it('negotiates X25519MLKEM768 with headless Chromium', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'mapek-chromium-'));
    let context: BrowserContext | undefined;
    try {
      // A fresh profile directory per run; the development CA is not in Chromium's trust store,
      // and the key exchange does not depend on it, so certificate errors are ignored here.
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        ignoreHTTPSErrors: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const groups: string[] = [];
      cdp.on('Network.responseReceived', (event) => {
        const group = event.response.securityDetails?.keyExchangeGroup;
        if (event.response.url.startsWith(stack.gatewayUrl) && group) groups.push(group);
      });
      const response = await page.goto(`${stack.gatewayUrl}/health/live`);
      expect(response?.status()).toBe(200);
      expect(groups).toContain('X25519MLKEM768');
    } finally {
      await context?.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});
