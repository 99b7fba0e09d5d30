import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createReloadingTrustStore,
  loadPqcBackend,
  loadServiceIdentity,
  loadTrustStore,
  type PqcBackend,
  type ReloadingTrustStore,
  type TrustReloadEvent,
} from '@mapek/pqc';
import { defaultPkiOptions, initPki, type PkiOptions, rotateIdentity } from './pki.commands.js';

/** A service's trust store following `mapek pki rotate` on disk (libs/pqc createReloadingTrustStore). */
describe('trust bundle reload after a rotation', () => {
  let dir: string;
  let options: PkiOptions;
  let backend: PqcBackend;
  let store: ReloadingTrustStore;
  const events: TrustReloadEvent[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapek-trust-reload-'));
    options = { ...defaultPkiOptions, out: dir, identities: ['monitor', 'analyzer'] };
    await initPki(options);
    backend = await loadPqcBackend();
    store = await createReloadingTrustStore({
      backend,
      dir,
      initial: await loadTrustStore(backend, dir),
      intervalMs: 60_000,
      onReload: (event) => events.push(event),
    });
  });

  afterAll(async () => {
    store?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('knows the rotated key after the bundle changes, and keeps the old one valid for the overlap', async () => {
    const before = (await loadServiceIdentity(dir, 'monitor')).signingKey();
    await rotateIdentity(options, 'monitor', 1);
    const after = (await loadServiceIdentity(dir, 'monitor')).signingKey();
    expect(after.kid).not.toBe(before.kid);
    expect(store.verificationKey('monitor', after.kid, Date.now())).toBeUndefined();

    await store.check();
    expect(events).toEqual([{ result: 'reloaded', notAfter: expect.any(Number) }]);
    expect(store.verificationKey('monitor', after.kid, Date.now())).toBeDefined();
    expect(store.verificationKey('monitor', before.kid, Date.now())).toBeDefined();
    expect(store.verificationKey('monitor', before.kid, Date.now() + 2 * 3_600_000)).toBeUndefined();
  });

  it('refuses a changed bundle whose CA signature does not verify, and keeps the last good one', async () => {
    const file = path.join(dir, 'trust-bundle.json');
    const good = JSON.parse(await readFile(file, 'utf8')) as {
      bundle: { identities: Array<{ name: string; keys: Array<{ notAfter: string }> }> };
    };
    const monitorKid = (await loadServiceIdentity(dir, 'monitor')).signingKey().kid;
    // An attacker who can write the file extends a key's life without the CA's signature.
    const forged = structuredClone(good);
    for (const key of forged.bundle.identities.flatMap((identity) => identity.keys)) key.notAfter = '2099-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(forged));

    await store.check();
    expect(events.at(-1)).toMatchObject({ result: 'rejected' });
    expect(String((events.at(-1)?.error as Error).message)).toMatch(/not signed by the CA/);
    expect(store.verificationKey('monitor', monitorKid, Date.now())).toBeDefined();
    expect(store.verificationKey('monitor', monitorKid, Date.parse('2098-01-01'))).toBeUndefined();
  });
});
