import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKeySecretDigest, apiKeysFileV1Schema, parseApiKeyToken } from '@mapek/contracts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
    expect(file.keys).toEqual([expect.objectContaining({ id: parts?.id, name: 'alice', role: 'operator', secretSha256: apiKeySecretDigest(parts?.secret ?? '') })]);
  });

  it('lists one line per key without digests, and shows a revocation', async () => {
    const { stdout: token } = await run('api-key', 'create', '--name', 'bob', '--role', 'viewer', '--keys-file', path.join(out, 'other.json'));
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
