import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EffectorRequest } from '../domain/effector.port.js';
import { KubernetesEffector } from './kubernetes.effector.js';

const run = promisify(execFile);

/** A self-signed P-256 certificate for a day, and its key, written by openssl. */
async function selfSigned(subject: string, keyFile: string, certificateFile: string, extra: readonly string[] = []): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    subject,
    ...extra,
    '-keyout',
    keyFile,
    '-out',
    certificateFile,
  ]);
}

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/**
 * The Kubernetes effector against a local HTTPS server that answers as the API server would and
 * records each request (a certificate of its own, trusted through the CA file; a bearer token
 * file). NOT a real API server: no cluster can run here. It checks the requests the effector
 * sends (paths, verbs, patch types, bodies, credentials), not what a cluster does with them.
 */
describe('kubernetes effector against a recording HTTPS API server (not a real cluster)', () => {
  let dir: string;
  let server: Server;
  let apiServer: string;
  const recorded: Recorded[] = [];
  let forbidden = false;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-k8s-'));
    await selfSigned('/CN=127.0.0.1', join(dir, 'tls.key'), join(dir, 'ca.crt'), ['-addext', 'subjectAltName=IP:127.0.0.1']);
    await writeFile(join(dir, 'token'), 'service-account-token\n');
    server = createServer({ key: await readFile(join(dir, 'tls.key')), cert: await readFile(join(dir, 'ca.crt')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        recorded.push({
          method: req.method ?? '',
          path,
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: text ? JSON.parse(text) : undefined,
        });
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (forbidden) return json(403, { kind: 'Status', message: 'deployments.apps "orders" is forbidden', code: 403 });
        const deployment = '/apis/apps/v1/namespaces/shop/deployments/orders';
        if (path === deployment && req.method === 'GET')
          return json(200, { spec: { selector: { matchLabels: { app: 'orders', tier: 'api' } } } });
        if (path === deployment && req.method === 'PATCH') return json(200, {});
        if (path === `${deployment}/scale` && req.method === 'GET') return json(200, { spec: { replicas: 2 } });
        if (path === `${deployment}/scale` && req.method === 'PATCH') return json(200, {});
        if (path.startsWith('/api/v1/namespaces/shop/pods?') && req.method === 'GET') {
          return json(200, {
            items: [
              { metadata: { name: 'orders-b', creationTimestamp: '2026-12-04T10:00:00Z' } },
              { metadata: { name: 'orders-a', creationTimestamp: '2026-12-04T09:00:00Z' } },
              { metadata: { name: 'orders-old', creationTimestamp: '2026-12-04T08:00:00Z', deletionTimestamp: '2026-12-04T11:00:00Z' } },
            ],
          });
        }
        if (path === '/api/v1/namespaces/shop/pods/orders-a' && req.method === 'DELETE') return json(200, {});
        json(404, { message: `no route ${req.method} ${path}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiServer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    recorded.length = 0;
    forbidden = false;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const effector = () =>
    new KubernetesEffector({
      kind: 'kubernetes',
      apiServer,
      namespace: 'shop',
      deployment: 'orders',
      tokenFile: join(dir, 'token'),
      caFile: join(dir, 'ca.crt'),
      capabilities: [{ action: 'restart_service', params: {}, verify: 'symptom_cleared', timeoutMs: 5000 }],
    });

  const step = (action: EffectorRequest['step']['action'], params: EffectorRequest['step']['params'] = {}): EffectorRequest => ({
    requestId: randomUUID(),
    planId: randomUUID(),
    index: 0,
    rollback: false,
    step: { action, target: 'orders', params, timeoutMs: 5000 },
  });

  it('restarts the rollout by patching the pod template’s restartedAt annotation, as the service account', async () => {
    expect(await effector().run(step('restart_service'))).toEqual({ ok: true, detail: 'rollout restart of deployment shop/orders' });
    expect(recorded).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/orders',
        authorization: 'Bearer service-account-token',
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': expect.any(String) } } } } },
      },
    ]);
  });

  it('scales through the scale subresource, relative to the current replicas or to a number', async () => {
    expect(await effector().run(step('scale_up'))).toEqual({ ok: true, detail: 'scaled deployment shop/orders from 2 to 3 replicas' });
    expect(await effector().run(step('scale_down', { replicas: 1 }))).toEqual({
      ok: true,
      detail: 'scaled deployment shop/orders from 2 to 1 replicas',
    });
    expect(recorded.map((request) => [request.method, request.path, request.contentType, request.body])).toEqual([
      ['GET', '/apis/apps/v1/namespaces/shop/deployments/orders/scale', undefined, undefined],
      ['PATCH', '/apis/apps/v1/namespaces/shop/deployments/orders/scale', 'application/merge-patch+json', { spec: { replicas: 3 } }],
      ['GET', '/apis/apps/v1/namespaces/shop/deployments/orders/scale', undefined, undefined],
      ['PATCH', '/apis/apps/v1/namespaces/shop/deployments/orders/scale', 'application/merge-patch+json', { spec: { replicas: 1 } }],
    ]);
  });

  it('deletes the oldest pod of the deployment that is not already going, found by its selector', async () => {
    expect(await effector().run(step('restart_service', { operation: 'delete_pod' }))).toEqual({
      ok: true,
      detail: 'deleted pod orders-a of deployment shop/orders',
    });
    expect(recorded.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/shop/deployments/orders',
      `GET /api/v1/namespaces/shop/pods?labelSelector=${encodeURIComponent('app=orders,tier=api')}`,
      'DELETE /api/v1/namespaces/shop/pods/orders-a',
    ]);
  });

  it('reports a verb the service account is not granted as a failed step (forbidden), not a retry', async () => {
    forbidden = true;
    expect(await effector().run(step('restart_service'))).toEqual({
      ok: false,
      detail: 'PATCH /apis/apps/v1/namespaces/shop/deployments/orders: 403 deployments.apps "orders" is forbidden',
      errorCode: 'forbidden',
    });
  });

  it('refuses an API server whose certificate the CA file does not vouch for', async () => {
    const other = await mkdtemp(join(tmpdir(), 'mapek-k8s-other-'));
    await selfSigned('/CN=other', join(other, 'k'), join(other, 'ca.crt'));
    const untrusting = new KubernetesEffector({
      kind: 'kubernetes',
      apiServer,
      namespace: 'shop',
      deployment: 'orders',
      tokenFile: join(dir, 'token'),
      caFile: join(other, 'ca.crt'),
      capabilities: [{ action: 'restart_service', params: {}, verify: 'symptom_cleared', timeoutMs: 5000 }],
    });
    await expect(untrusting.run(step('restart_service'))).rejects.toMatchObject({ name: 'EffectorUnavailableError', code: 'transport' });
    expect(recorded).toEqual([]);
    await rm(other, { recursive: true, force: true });
  });
});
