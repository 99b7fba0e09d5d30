import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Algorithm } from './algorithms.constants.js';
import { toBase64Url } from './bytes.codec.js';
import {
  encodeSigningSecretKey,
  encodeXWingSecretKey,
  type IdentityKeyFile,
  loadServiceIdentity,
  parseIdentityKeyFile,
  type StoredKemKey,
  type StoredSigningKey,
} from './identity-files.js';
import { KeyUpgradeOutcome, upgradeIdentityKeyFile } from './identity-key-file.upgrade.js';
import { keyIdFor } from './key-id.js';
import { createLiboqsBackend } from './liboqs.backend.js';
import { mlDsa65KeyGen } from './ml-dsa-65.keygen.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { createPayloadSealer } from './payload.sealer.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { PqcNotReadyError, PrivateKeyError } from './pqc.errors.js';
import { createXWing, expandXWingSeed } from './x-wing.kem.js';

const validity = { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2099-01-01T00:00:00.000Z' };
const message = new TextEncoder().encode('signed by a stored key');

/** The signing key entry as mapek wrote it: v2 keeps the seed, v1 kept only the expanded key. */
function signingEntry(seed: Uint8Array, version: 1 | 2): StoredSigningKey {
  const { publicKey, expandedKey } = mlDsa65KeyGen(seed);
  return {
    kid: keyIdFor(Algorithm.mlDsa65, publicKey),
    alg: Algorithm.mlDsa65,
    ...validity,
    publicKey: toBase64Url(publicKey),
    ...encodeSigningSecretKey(version === 2 ? seed : expandedKey),
  };
}

/** The X-Wing key entry: v2 keeps the seed; v1 kept the expanded fields, with (`v1`) or without (`v1-without-seed`) the seed. */
function kemEntry(seed: Uint8Array, form: 'v2' | 'v1' | 'v1-without-seed'): StoredKemKey {
  const { publicKey, secretKey } = expandXWingSeed(seed);
  return {
    kid: keyIdFor(Algorithm.xWing, publicKey),
    alg: Algorithm.xWing,
    ...validity,
    publicKey: toBase64Url(publicKey),
    ...(form !== 'v1-without-seed' && { seed: toBase64Url(seed) }),
    ...(form !== 'v2' && encodeXWingSecretKey(secretKey)),
  };
}

const seedOf = (byte: number) => Uint8Array.from({ length: 32 }, (_, i) => (byte + i) & 0xff);

function keyFile(v: 1 | 2, signing: StoredSigningKey[], kem: StoredKemKey[]): IdentityKeyFile {
  return { v, name: 'planner', spiffeId: 'spiffe://mapek.test/planner', signing, kem };
}

describe('identity key files (pqc-keys.json)', () => {
  let backends: Record<'node' | 'liboqs', PqcBackend>;
  let dir: string;

  beforeAll(async () => {
    backends = { node: createNodeCryptoBackend(), liboqs: await createLiboqsBackend() };
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapek-identity-files-'));
    await mkdir(path.join(dir, 'planner'));
    await Promise.all(['ca.crt', 'planner/tls.crt', 'planner/tls.key'].map((file) => writeFile(path.join(dir, file), 'PEM')));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = (file: IdentityKeyFile) => writeFile(path.join(dir, 'planner', 'pqc-keys.json'), JSON.stringify(file));

  /** Loads the identity and proves its keys work on both backends against the stored public keys. */
  async function expectWorkingIdentity(file: IdentityKeyFile): Promise<void> {
    await write(file);
    const identity = await loadServiceIdentity(dir, 'planner');
    const signing = file.signing[0];
    const kem = file.kem[0];
    if (signing === undefined || kem === undefined) throw new Error('fixture needs a signing and a KEM key');
    for (const backend of Object.values(backends)) {
      const signature = backend.mlDsa65.sign(message, identity.signingKey().secretKey);
      expect(backends.node.mlDsa65.verify(message, signature, Buffer.from(signing.publicKey, 'base64url'))).toBe(true);
      const sealer = createPayloadSealer(backend);
      const binding = { subject: 'mapek.actuate.x', eventId: 'e1' };
      const sealed = sealer.seal('payload', { kid: kem.kid, publicKey: Buffer.from(kem.publicKey, 'base64url') }, binding);
      const secretKey = identity.kemSecretKey(kem.kid);
      if (secretKey === undefined) throw new Error(`no KEM key ${kem.kid}`);
      expect(Buffer.from(sealer.open(sealed, secretKey, binding)).toString()).toBe('payload');
    }
  }

  it('loads a v2 file (seeds only) and its keys work on both backends', async () => {
    await expectWorkingIdentity(keyFile(2, [signingEntry(seedOf(1), 2)], [kemEntry(seedOf(2), 'v2')]));
  });

  it('loads a v1 file as mapek wrote it before seeds were stored (expanded ML-DSA key, X-Wing seed and expanded fields)', async () => {
    await expectWorkingIdentity(keyFile(1, [signingEntry(seedOf(3), 1)], [kemEntry(seedOf(4), 'v1')]));
  });

  it('loads a v1 X-Wing key that has only its expanded fields', async () => {
    await expectWorkingIdentity(keyFile(1, [signingEntry(seedOf(5), 1)], [kemEntry(seedOf(6), 'v1-without-seed')]));
  });

  it('writes new keys as seeds: a generated key pair stores as seed fields only', () => {
    const pair = backends.node.mlDsa65.generateKeyPair();
    expect(encodeSigningSecretKey(pair.secretKey)).toEqual({ seed: toBase64Url(pair.secretKey) });
    const xWing = createXWing(backends.liboqs).generateKeyPair();
    expect(Object.keys(encodeXWingSecretKey(xWing.secretKey))).toEqual(['seed']);
  });

  it('refuses to load a key whose secret does not belong to its public key, naming the file and key', async () => {
    const signing = { ...signingEntry(seedOf(7), 2), seed: toBase64Url(seedOf(8)) };
    await write(keyFile(2, [signing], [kemEntry(seedOf(9), 'v2')]));
    const failure = loadServiceIdentity(dir, 'planner');
    await expect(failure).rejects.toBeInstanceOf(PqcNotReadyError);
    await expect(failure).rejects.toMatchObject({
      code: 'pqc_identity_missing',
      message: expect.stringMatching(/pqc-keys\.json: key mldsa65:.* does not belong/),
    });
  });

  it('refuses a file of an unknown version or shape', () => {
    expect(() => parseIdentityKeyFile(JSON.stringify({ ...keyFile(2, [], []), v: 3 }))).toThrow(/version 1 or 2/);
    expect(() => parseIdentityKeyFile(JSON.stringify({ ...keyFile(2, [], []), signing: [{ kid: 1 }] }))).toThrow(/ML-DSA-65 keys/);
    expect(() => parseIdentityKeyFile('{')).toThrow(/not JSON/);
  });

  describe('upgrading to v2', () => {
    it('stores v1 X-Wing keys as seeds, keeps v1 signing keys (which have no seed) expanded, and says so', async () => {
      const v1 = keyFile(1, [signingEntry(seedOf(10), 1)], [kemEntry(seedOf(11), 'v1'), kemEntry(seedOf(12), 'v1-without-seed')]);
      const upgrade = upgradeIdentityKeyFile(v1);

      expect(upgrade).toMatchObject({ from: 1, changed: true, file: { v: 2 } });
      expect(upgrade.keys.map((key) => key.outcome)).toEqual([
        KeyUpgradeOutcome.keptExpanded,
        KeyUpgradeOutcome.seedOnly,
        KeyUpgradeOutcome.keptExpanded,
      ]);
      expect(upgrade.file.kem[0]).toEqual(kemEntry(seedOf(11), 'v2'));
      expect(upgrade.file.signing).toEqual(v1.signing);
      await expectWorkingIdentity(upgrade.file);
    });

    it('changes nothing in a v2 file', () => {
      const v2 = keyFile(2, [signingEntry(seedOf(13), 2)], [kemEntry(seedOf(14), 'v2')]);
      expect(upgradeIdentityKeyFile(v2)).toMatchObject({ changed: false, file: v2 });
    });

    it('refuses a v1 X-Wing key whose expanded fields are not the ones its seed derives', () => {
      const kem = { ...kemEntry(seedOf(15), 'v1'), x25519SecretKey: toBase64Url(seedOf(16)) };
      expect(() => upgradeIdentityKeyFile(keyFile(1, [signingEntry(seedOf(17), 1)], [kem]))).toThrow(PrivateKeyError);
    });
  });
});
