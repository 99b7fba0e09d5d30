import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { defaultPkiOptions, initPki } from '@mapek/pki';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '@mapek/stack';

/** Runs a built service with this environment and resolves with its exit code and stderr once it exits. */
function runService(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const base = { ...process.env };
  for (const key of ['ENVIRONMENT', 'PQC_REQUIRED', 'MAPEK_IDENTITY_DIR', 'MAPEK_IDENTITY', 'NATS_URL', 'MAPEK_GATEWAY_API_KEYS_FILE'])
    delete base[key];
  const child = spawn(process.execPath, [join(repositoryRoot(), entry)], {
    env: { ...base, MAPEK_HTTP_PORT: '0', LOG_LEVEL: 'silent', NATS_URL: 'nats://127.0.0.1:1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('production mode', () => {
  let emptyDir: string;
  let certsDir: string;
  let breakPqc: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'mapek-no-identity-'));
    certsDir = await mkdtemp(join(tmpdir(), 'mapek-identity-'));
    await initPki({ ...defaultPkiOptions, out: certsDir, identities: ['analyzer'] });
    // Loaded before the service: Node's crypto behaves like an OpenSSL without ML-KEM / ML-DSA.
    breakPqc = join(emptyDir, 'no-ml-algorithms.mjs');
    await writeFile(
      breakPqc,
      `import crypto from 'node:crypto';
const original = crypto.generateKeyPairSync;
crypto.generateKeyPairSync = (type, ...rest) => {
  if (String(type).startsWith('ml-')) throw new Error('unsupported key type ' + type);
  return original.call(crypto, type, ...rest);
};
const createPrivateKey = crypto.createPrivateKey;
crypto.createPrivateKey = (key, ...rest) => {
  if (String(key?.asymmetricKeyType ?? '').startsWith('ml-')) throw new Error('unsupported key type ' + key.asymmetricKeyType);
  return createPrivateKey.call(crypto, key, ...rest);
};
`,
    );
  });

  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
    await rm(certsDir, { recursive: true, force: true });
  });

  it('refuses to start a service with ENVIRONMENT=production and no identity, saying why on stderr', async () => {
    const { code, stderr } = await runService('services/planner/dist/main.bundle.mjs', { ENVIRONMENT: 'production' });
    expect(code).toBe(78);
    expect(stderr).toContain('planner: refusing to start');
    expect(stderr).toContain('MAPEK_IDENTITY_DIR is not set');
  });

  it('refuses to start a service with PQC_REQUIRED=true whose identity files are missing, naming them', async () => {
    const { code, stderr } = await runService('services/executor/dist/main.bundle.mjs', {
      PQC_REQUIRED: 'true',
      MAPEK_IDENTITY_DIR: emptyDir,
    });
    expect(code).toBe(78);
    expect(stderr).toContain('executor: refusing to start');
    expect(stderr).toContain(join(emptyDir, 'executor', 'pqc-keys.json'));
    expect(stderr).toContain('pqc_identity_missing');
  });

  it('refuses to start in production when no PQC backend passes its self-test, although the identity is there', async () => {
    const { code, stderr } = await runService('services/analyzer/dist/main.bundle.mjs', {
      ENVIRONMENT: 'production',
      MAPEK_PQC_BACKEND: 'node',
      MAPEK_IDENTITY_DIR: certsDir,
      NODE_OPTIONS: `--import=${breakPqc}`,
    });
    expect(code).toBe(78);
    expect(stderr).toContain('analyzer: refusing to start');
    expect(stderr).toContain('pqc_backend_unavailable');
  });

  it('starts the same service with that identity once PQC works (it then fails only on the unreachable NATS)', async () => {
    const { code, stderr } = await runService('services/analyzer/dist/main.bundle.mjs', {
      ENVIRONMENT: 'production',
      MAPEK_IDENTITY_DIR: certsDir,
    });
    expect(code).toBe(69);
    expect(stderr).toContain('cannot reach NATS');
  });

  it('starts it on the liboqs backend too, which its bundle imports from its node_modules', async () => {
    const { code, stderr } = await runService('services/analyzer/dist/main.bundle.mjs', {
      ENVIRONMENT: 'production',
      MAPEK_PQC_BACKEND: 'liboqs',
      MAPEK_IDENTITY_DIR: certsDir,
    });
    expect(code).toBe(69);
    expect(stderr).toContain('cannot reach NATS');
  });

  it('refuses to start the gateway in production without API keys, before connecting anywhere', async () => {
    const { code, stderr } = await runService('services/gateway/dist/main.bundle.mjs', {
      ENVIRONMENT: 'production',
      MAPEK_IDENTITY_DIR: certsDir,
    });
    expect(code).toBe(78);
    expect(stderr).toContain('gateway: refusing to start');
    expect(stderr).toContain('MAPEK_GATEWAY_API_KEYS_FILE is required in production');
  });
});
