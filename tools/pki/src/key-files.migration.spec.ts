import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeSigningSecretKey, type IdentityKeyFile, type StoredKemKey } from '@mapek/pqc';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedOf, v1KemKey, v1KeyFile, v1SigningKey } from './legacy-key-files.fixture.js';
import { writeAtomically } from './key-files.migration.js';
import { migrateKeyFiles } from './pki.commands.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';

describe('mapek pki migrate (key files written before v2)', () => {
  let out: string;
  const file = (...parts: string[]) => path.join(out, ...parts);
  const writeJson = async (target: string, value: unknown) => {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, JSON.stringify(value), { mode: 0o600 });
  };
  const readJson = async <T>(target: string) => JSON.parse(await readFile(target, 'utf8')) as T;

  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'mapek-pki-migrate-'));
    await writeJson(file('ca', 'ca.ml-dsa-65.key.json'), v1SigningKey(seedOf(1)));
    await writeJson(file('planner', 'pqc-keys.json'), v1KeyFile('planner', 2));
  });

  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('stores the X-Wing keys as seeds, keeps the seedless ML-DSA-65 keys as they are, and says what it did and what is left', async () => {
    const before = await readJson<IdentityKeyFile>(file('planner', 'pqc-keys.json'));

    const report = await migrateKeyFiles({ out });

    expect(report.migrated).toEqual([file('planner', 'pqc-keys.json')]);
    expect(report.kept).toEqual([file('ca', 'ca.ml-dsa-65.key.json')]);
    const kemKid = before.kem[0]?.kid ?? '';
    const signingKid = before.signing[0]?.kid ?? '';
    expect(report.notes).toEqual([
      expect.stringMatching(
        /ca\.ml-dsa-65\.key\.json: mldsa65:.* has no seed .* keeps working from its expanded key; a seeded CA key needs a new PKI/,
      ),
      `${file('planner', 'pqc-keys.json')}: key file v1 → v2`,
      expect.stringContaining(
        `${signingKid} has no seed (written before key file v2) and keeps working from its expanded key; \`mapek pki rotate --identity planner\``,
      ),
      expect.stringContaining(`${kemKid} is now stored as its seed`),
    ]);

    const after = await readJson<IdentityKeyFile>(file('planner', 'pqc-keys.json'));
    const seedOnly = (key: StoredKemKey) => ({
      kid: key.kid,
      alg: key.alg,
      notBefore: key.notBefore,
      notAfter: key.notAfter,
      publicKey: key.publicKey,
      seed: key.seed,
    });
    expect(after).toEqual({ ...before, v: 2, kem: before.kem.map(seedOnly) });
    expect((await stat(file('planner', 'pqc-keys.json'))).mode & 0o777).toBe(0o600);
    expect(after.signing[0] && decodeSigningSecretKey(after.signing[0])).toHaveLength(4032);
  });

  it('changes nothing the second time', async () => {
    await migrateKeyFiles({ out });
    const before = await readFile(file('planner', 'pqc-keys.json'));

    const report = await migrateKeyFiles({ out });

    expect(report.migrated).toEqual([]);
    expect(report.kept).toHaveLength(2);
    expect(await readFile(file('planner', 'pqc-keys.json'))).toEqual(before);
  });

  it('refuses a file whose expanded fields do not derive from its seed, and leaves it byte for byte as it was', async () => {
    const damaged = v1KeyFile('planner', 3);
    const kem = damaged.kem[0];
    if (kem === undefined) throw new Error('fixture has a KEM key');
    await writeJson(file('planner', 'pqc-keys.json'), {
      ...damaged,
      kem: [{ ...kem, mlKemSecretKey: v1KemKey(seedOf(9)).mlKemSecretKey }],
    });
    const before = await readFile(file('planner', 'pqc-keys.json'));

    const failure: unknown = await migrateKeyFiles({ out }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(PkiError);
    expect(failure).toMatchObject({
      code: PkiErrorCode.keyFile,
      message: expect.stringMatching(/mlKemSecretKey is not the one its seed derives; it was left as it is/),
    });
    expect(await readFile(file('planner', 'pqc-keys.json'))).toEqual(before);
  });

  it('says when there is nothing to migrate', async () => {
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    await expect(migrateKeyFiles({ out })).rejects.toMatchObject({ code: PkiErrorCode.caMissing });
  });
});

describe('writeAtomically', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapek-pki-atomic-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a file by a rename, never rewriting it in place, so a reader polling it never sees half of it', async () => {
    const file = path.join(dir, 'trust-bundle.json');
    await writeFile(file, '{"v":1}');
    const before = await stat(file);
    await writeAtomically(file, '{"v":2}', 0o644);
    const after = await stat(file);
    // A new inode: a reader holding the old file reads it whole; one opening the path gets the new one whole.
    expect(after.ino).not.toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe('{"v":2}');
    expect(after.mode & 0o777).toBe(0o644 & ~process.umask());
    expect((await readdir(dir)).sort()).toEqual(['trust-bundle.json']);
  });
});
