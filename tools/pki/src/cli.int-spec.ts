import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKeySecretDigest, apiKeysFileV1Schema, parseApiKeyToken } from '@mapek/contracts';
import {
  createEventSigner,
  createEventVerifier,
  type IdentityKeyFile,
  loadPqcBackend,
  loadServiceIdentity,
  loadTrustStore,
} from '@mapek/pqc';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedOf, v1KeyFile, v1SigningKey } from './legacy-key-files.fixture.js';

// Runs the built CLI (`pnpm exec tsc -b tools/pki` first), as an operator would.
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('mapek pki api-key', () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'mapek-pki-cli-'));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('prints only the token on stdout, the hint on stderr, and writes its digest to <out>/api-keys.json', async () => {
    const { stdout, stderr } = await run('api-key', 'create', '--name', 'alice', '--role', 'operator', '--days', '7', '--out', out);

    const token = stdout.trim();
    const parts = parseApiKeyToken(token);
    expect(parts).toBeDefined();
    expect(stderr).toContain('store it now: it cannot be shown again');
    const file = apiKeysFileV1Schema.parse(JSON.parse(await readFile(path.join(out, 'api-keys.json'), 'utf8')));
    expect(file.keys).toEqual([
      expect.objectContaining({ id: parts?.id, name: 'alice', role: 'operator', secretSha256: apiKeySecretDigest(parts?.secret ?? '') }),
    ]);
  });

  it('lists one line per key without digests, and shows a revocation', async () => {
    const { stdout: token } = await run(
      'api-key',
      'create',
      '--name',
      'bob',
      '--role',
      'viewer',
      '--keys-file',
      path.join(out, 'other.json'),
    );
    const id = parseApiKeyToken(token.trim())?.id ?? '';
    const keysFile = ['--keys-file', path.join(out, 'other.json')];

    await run('api-key', 'revoke', '--id', id, ...keysFile);
    const { stdout } = await run('api-key', 'list', ...keysFile);

    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${id}  bob  viewer .* expires never  revoked \\d{4}-`));
    const { keys } = apiKeysFileV1Schema.parse(JSON.parse(await readFile(path.join(out, 'other.json'), 'utf8')));
    expect(stdout).not.toContain(keys[0]?.secretSha256);
  });

  it('exits 1 with the error code when the role is unknown', async () => {
    const failure: unknown = await run('api-key', 'create', '--name', 'carol', '--role', 'root', '--out', out).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('[invalid_api_principal]') });
  });
});

describe('mapek pki with key files written before key file v2 (expanded keys)', () => {
  let out: string;
  const keysOf = (name: string) => path.join(out, name, 'pqc-keys.json');

  /** Signs an event with the identity's current key and verifies it against the trust bundle on disk. */
  async function signsAndVerifies(name: string): Promise<boolean> {
    const backend = await loadPqcBackend();
    const identity = await loadServiceIdentity(out, name);
    const envelope = {
      id: `e-${Date.now()}`,
      type: 'plan.proposed',
      version: 1,
      source: name,
      time: new Date().toISOString(),
      target: 'checkout',
      data: {},
    };
    const signed = createEventSigner({ backend, key: identity.signingKey() }).sign('mapek.plans.proposed.checkout', envelope);
    const verifier = createEventVerifier({ backend, trust: await loadTrustStore(backend, out), policy: { 'plan.proposed': [name] } });
    return verifier.verify('mapek.plans.proposed.checkout', signed).ok;
  }

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'mapek-pki-v1-'));
    await mkdir(path.join(out, 'ca'), { recursive: true });
    await mkdir(path.join(out, 'planner'));
    const ca = v1SigningKey(seedOf(40));
    await writeFile(path.join(out, 'ca', 'ca.ml-dsa-65.key.json'), JSON.stringify(ca), { mode: 0o600 });
    await writeFile(path.join(out, 'ca.ml-dsa-65.pub.json'), JSON.stringify({ kid: ca.kid, alg: ca.alg, publicKey: ca.publicKey }));
    await writeFile(keysOf('planner'), JSON.stringify(v1KeyFile('planner', 41, 'mapek.local')), { mode: 0o600 });
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('init keeps them, says they can be migrated, and signs the bundle with the v1 CA key; the v1 keys sign verifiably', async () => {
    const { stdout } = await run('init', '--out', out, '--identities', 'planner');

    expect(stdout).toContain(`kept     ${keysOf('planner')}\n`);
    expect(stdout).toContain(
      `note     ${keysOf('planner')}: holds keys in the v1 (expanded) form, which keep working; \`mapek pki migrate\` stores them as seeds`,
    );
    // The CA's v1 key has no seed, so migrating would not change it: nothing to offer.
    expect(stdout).not.toContain(`note     ${path.join(out, 'ca', 'ca.ml-dsa-65.key.json')}`);
    expect(await signsAndVerifies('planner')).toBe(true);
  });

  it('migrate rewrites them as v2, prints what it did and what is left, and the keys keep working', async () => {
    const { stdout } = await run('migrate', '--out', out);

    expect(stdout).toContain(`migrated ${keysOf('planner')}\n`);
    expect(stdout).toContain(`note     ${keysOf('planner')}: key file v1 → v2`);
    expect(stdout).toMatch(/note {5}.*planner\/pqc-keys\.json: xwing:\S+ is now stored as its seed/);
    expect(stdout).toMatch(
      /note {5}.*planner\/pqc-keys\.json: mldsa65:\S+ has no seed .* `mapek pki rotate --identity planner` replaces it/,
    );
    const file = JSON.parse(await readFile(keysOf('planner'), 'utf8')) as IdentityKeyFile;
    expect(file.v).toBe(2);
    expect(file.kem.every((key) => key.seed !== undefined && key.mlKemSecretKey === undefined)).toBe(true);
    expect(await signsAndVerifies('planner')).toBe(true);
  });

  it('rotate gives the identity a seeded signing key that signs verifiably', async () => {
    await run('rotate', '--out', out, '--identity', 'planner');

    const file = JSON.parse(await readFile(keysOf('planner'), 'utf8')) as IdentityKeyFile;
    expect(file.signing.at(-1)).toEqual(expect.objectContaining({ seed: expect.any(String) }));
    expect(file.signing.at(-1)).not.toHaveProperty('secretKey');
    expect(await signsAndVerifies('planner')).toBe(true);
  });
});
