import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ApiRole, apiKeySecretDigest, apiKeysFileV1Schema, parseApiKeyToken } from '@mapek/contracts';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';

const now = new Date('2025-03-01T12:00:00.000Z');

describe('API keys file', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapek-api-keys-'));
    // A subdirectory that does not exist yet: create must make it.
    file = path.join(dir, 'certs', 'api-keys.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectPkiError(promise: Promise<unknown>, code: PkiErrorCode): Promise<void> {
    const error: unknown = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe(code);
  }

  it('writes a valid file, readable by its owner only, that holds the digest of the secret and never the secret', async () => {
    const { id, token, record } = await createApiKey({ file, name: 'alice@example.org', role: 'approver', now });

    const text = await readFile(file, 'utf8');
    const parsed = apiKeysFileV1Schema.parse(JSON.parse(text));
    const parts = parseApiKeyToken(token);
    expect(parts?.id).toBe(id);
    expect(parsed.keys).toEqual([record]);
    expect(record).toEqual({
      id,
      name: 'alice@example.org',
      role: 'approver',
      secretSha256: apiKeySecretDigest(parts?.secret ?? ''),
      createdAt: now.toISOString(),
    });
    expect(text).not.toContain(parts?.secret);
    expect(text).not.toContain(token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(['api-keys.json']);
  });

  it('keeps every key when several are created, a name may hold several keys, each with its own id', async () => {
    const first = await createApiKey({ file, name: 'alice', role: 'viewer', now });
    const second = await createApiKey({ file, name: 'alice', role: 'admin', now });

    expect(first.id).not.toBe(second.id);
    expect(first.token).not.toBe(second.token);
    expect(await listApiKeys(file)).toEqual([first.record, second.record]);
  });

  it('sets the expiry the given number of days after creation, and none without days', async () => {
    const expiring = await createApiKey({ file, name: 'ci', role: 'operator', days: 30, now });
    const lasting = await createApiKey({ file, name: 'ops', role: 'operator', now });

    expect(expiring.record.expiresAt).toBe('2025-03-31T12:00:00.000Z');
    expect(lasting.record).not.toHaveProperty('expiresAt');
  });

  it('revokes a key by setting revokedAt and keeps its record and the other keys', async () => {
    const kept = await createApiKey({ file, name: 'alice', role: 'viewer', now });
    const revoked = await createApiKey({ file, name: 'bob', role: 'admin', now });
    const later = new Date('2025-03-02T08:00:00.000Z');

    const result = await revokeApiKey({ file, id: revoked.id, now: later });

    expect(result).toEqual({ ...revoked.record, revokedAt: later.toISOString() });
    expect(await listApiKeys(file)).toEqual([kept.record, result]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('returns an already revoked key unchanged, keeping the first revocation instant', async () => {
    const { id } = await createApiKey({ file, name: 'alice', role: 'viewer', now });
    const first = await revokeApiKey({ file, id, now: new Date('2025-03-02T00:00:00.000Z') });
    const before = await readFile(file);

    const again = await revokeApiKey({ file, id, now: new Date('2025-03-09T00:00:00.000Z') });

    expect(again).toEqual(first);
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses to revoke an id the file does not hold', async () => {
    await createApiKey({ file, name: 'alice', role: 'viewer', now });

    await expectPkiError(revokeApiKey({ file, id: '0123456789abcdef' }), PkiErrorCode.unknownApiKey);
  });

  it('lists no keys when the file does not exist', async () => {
    expect(await listApiKeys(file)).toEqual([]);
  });

  it.each([
    ['is not JSON', '{"version": 1, "keys": ['],
    ['fails the schema', JSON.stringify({ version: 1, keys: [{ id: 'not-hex', name: 'alice' }] })],
    [
      'repeats an id',
      JSON.stringify({
        version: 1,
        keys: [0, 1].map(() => ({
          id: '0123456789abcdef',
          name: 'a',
          role: 'viewer',
          secretSha256: 'a'.repeat(64),
          createdAt: now.toISOString(),
        })),
      }),
    ],
  ])('refuses a file that %s and leaves it byte-for-byte unchanged', async (_problem, content) => {
    await createApiKey({ file, name: 'alice', role: 'viewer', now });
    await writeFile(file, content);
    const before = await readFile(file);

    await expectPkiError(createApiKey({ file, name: 'bob', role: 'viewer', now }), PkiErrorCode.apiKeyFile);
    await expectPkiError(revokeApiKey({ file, id: '0123456789abcdef', now }), PkiErrorCode.apiKeyFile);
    await expectPkiError(listApiKeys(file), PkiErrorCode.apiKeyFile);

    expect(await readFile(file)).toEqual(before);
    expect(await readdir(path.dirname(file))).toEqual(['api-keys.json']);
  });

  it.each([
    ['a name with a space', 'alice smith', 'viewer'],
    ['an empty name', '', 'viewer'],
    ['an unknown role', 'alice', 'root'],
  ])('refuses %s and writes nothing', async (_case, name, role) => {
    await expectPkiError(createApiKey({ file, name, role: role as ApiRole, now }), PkiErrorCode.invalidApiPrincipal);

    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a validity that is not a positive whole number of days and writes nothing', async () => {
    await expectPkiError(createApiKey({ file, name: 'alice', role: 'viewer', days: 0, now }), PkiErrorCode.usage);
    await expectPkiError(createApiKey({ file, name: 'alice', role: 'viewer', days: 1.5, now }), PkiErrorCode.usage);

    expect(await readdir(dir)).toEqual([]);
  });
});
