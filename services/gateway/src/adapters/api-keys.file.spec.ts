import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiRole, apiKeySecretDigest, newApiKey, type ApiKeysFileV1 } from '@mapek/contracts';
import { ApiKeysFileError, ApiKeysSource, readApiKeysFile, type ApiKeysReloadEvent } from './api-keys.file.js';

function keyFile(...names: string[]): { file: ApiKeysFileV1; tokens: string[] } {
  const keys = names.map((name) => ({ name, key: newApiKey() }));
  return {
    file: {
      version: 1,
      keys: keys.map(({ name, key }) => ({
        id: key.id,
        name,
        role: ApiRole.viewer,
        secretSha256: apiKeySecretDigest(key.secret),
        createdAt: '2026-11-01T00:00:00.000Z',
      })),
    },
    tokens: keys.map(({ key }) => key.token),
  };
}

describe('the API keys file', () => {
  let dir: string;
  let bump = 0;
  const write = async (file: string, text: string) => {
    await writeFile(file, text);
    // A distinct mtime per write, as an atomic rename from `mapek pki api-key` gives.
    bump += 10;
    const when = new Date(Date.now() + bump * 1000);
    await utimes(file, when, when);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-api-keys-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a missing, non-JSON or invalid file with a reason that names it', async () => {
    await expect(readApiKeysFile(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot be read \(ENOENT\); create keys with/);
    const notJson = join(dir, 'not-json.json');
    await write(notJson, '{');
    await expect(readApiKeysFile(notJson)).rejects.toThrow(ApiKeysFileError);
    const invalid = join(dir, 'invalid.json');
    await write(invalid, JSON.stringify({ version: 1, keys: [{ id: 'nope' }] }));
    await expect(readApiKeysFile(invalid)).rejects.toThrow(/keys\.0\.id: must be 16 lowercase hex characters/);
  });

  it('takes a changed file, and keeps the last good keys when a change does not parse', async () => {
    const file = join(dir, 'api-keys.json');
    const first = keyFile('alice');
    await write(file, JSON.stringify(first.file));
    const events: ApiKeysReloadEvent[] = [];
    const source = await ApiKeysSource.open(file, { intervalMs: 60_000, onReload: (event) => events.push(event) });
    try {
      expect(source.verifier.verify(first.tokens[0]).ok).toBe(true);

      const second = keyFile('bob', 'carol');
      await write(file, JSON.stringify(second.file));
      await source.check();
      expect(events).toEqual([{ result: 'reloaded', keys: 2 }]);
      expect(source.verifier.verify(first.tokens[0]).ok).toBe(false);
      expect(source.verifier.verify(second.tokens[1]).ok).toBe(true);

      await write(file, '{"version": 1, "keys": [');
      await source.check();
      expect(events[1]?.result).toBe('rejected');
      expect(source.verifier.verify(second.tokens[0]).ok).toBe(true);

      // Unchanged since: nothing to do.
      await source.check();
      expect(events).toHaveLength(2);
    } finally {
      source.stop();
    }
  });
});
