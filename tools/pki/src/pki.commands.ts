import {
  Algorithm,
  type BackendChoice,
  decodeSigningSecretKey,
  identityPaths,
  trustPaths,
  type IdentityKeyFile,
  IdentityKeyFileVersion,
  loadPqcBackend,
  type PqcBackend,
  signTrustBundle,
  type StoredPublicKey,
  type TrustBundle,
} from '@mapek/pqc';
import { isIP } from 'node:net';
import path from 'node:path';
import {
  describeMigration,
  exists,
  type FileMigration,
  json,
  migrateCaKeyFile,
  migrateIdentityKeyFile,
  readIdentityKeyFile,
  readSigningKeyFile,
  writeAtomically,
  writeSecret,
} from './key-files.migration.js';
import { renderNatsConfig, type NatsClusterOptions } from './nats-config.renderer.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';
import { newKemKey, newSigningKey } from './pqc-keys.generator.js';
import { ALL_IDENTITIES, IdentityName, spiffeId } from './service-identities.js';
import { createCertificateAuthority, issueCertificate } from './x509.issuer.js';

const day = 86_400_000;

export interface PkiOptions {
  /** Output directory, default ./certs */
  readonly out: string;
  readonly trustDomain: string;
  /** Validity of leaf certificates, PQC keys and the trust bundle. */
  readonly days: number;
  readonly identities: readonly IdentityName[];
  /** nats-server listen address written into nats/nats-server.conf. */
  readonly natsListen: string;
  /**
   * Extra names for the nats-server certificate (localhost and 127.0.0.1 are always in): DNS
   * names, or IP addresses (the members of a cluster dial each other's routes by address).
   */
  readonly natsHostnames: readonly string[];
  /** Extra DNS names for the gateway's HTTPS certificate (localhost, 127.0.0.1 and ::1 are always in). */
  readonly httpsHostnames?: readonly string[];
  readonly subjectPrefix: string;
  /** JetStream store directory in the generated config; default <out>/nats/jetstream. */
  readonly jetStreamDir?: string;
  readonly backend: BackendChoice;
  readonly now?: Date;
}

export const defaultPkiOptions: PkiOptions = {
  out: './certs',
  trustDomain: 'mapek.local',
  days: 90,
  identities: ALL_IDENTITIES,
  natsListen: '127.0.0.1:4222',
  natsHostnames: [],
  subjectPrefix: 'mapek',
  backend: 'auto',
};

function pkiPaths(out: string) {
  const root = path.resolve(out);
  return {
    root,
    caDir: path.join(root, 'ca'),
    ca: { cert: path.join(root, 'ca.crt'), key: path.join(root, 'ca', 'ca.key') },
    caPqcKey: path.join(root, 'ca', 'ca.ml-dsa-65.key.json'),
    nats: {
      cert: path.join(root, 'nats', 'server.crt'),
      key: path.join(root, 'nats', 'server.key'),
      config: path.join(root, 'nats', 'nats-server.conf'),
    },
    identity: (name: string) => identityPaths(root, name),
  };
}

/** Writes a public file (mode 0644) atomically: services poll the trust bundle while `rotate` rewrites it. */
async function writePublic(file: string, content: string): Promise<void> {
  await writeAtomically(file, content, 0o644);
}

export interface PkiReport {
  readonly created: string[];
  readonly kept: string[];
  /** Key files rewritten from v1 (expanded keys) to v2 (seeds). */
  readonly migrated: string[];
  /** Remarks for the operator, one line each (what a migration did, what is left to do). */
  readonly notes: string[];
}

async function issueIdentityCertificate(options: PkiOptions, name: string): Promise<void> {
  const paths = pkiPaths(options.out);
  const files = paths.identity(name);
  await issueCertificate(
    { cert: files.cert, key: files.key },
    {
      ca: paths.ca,
      commonName: name,
      trustDomain: options.trustDomain,
      subjectAltNames: [`URI:${spiffeId(options.trustDomain, name)}`],
      extendedKeyUsage: ['clientAuth', 'serverAuth'],
      days: options.days,
    },
  );
}

/**
 * Creates what is missing under `out`: the CA (X.509 + ML-DSA-65), per identity a certificate and
 * PQC keys, the nats-server certificate and config, and a freshly signed trust bundle. Existing
 * keys are kept, so running it twice is harmless.
 */
export async function initPki(options: PkiOptions): Promise<PkiReport> {
  const report: PkiReport = { created: [], kept: [], migrated: [], notes: [] };
  const paths = pkiPaths(options.out);
  const now = options.now ?? new Date();
  const backend = await loadPqcBackend({ backend: options.backend });
  // Existing key files are kept as they are; a v1 file keeps working, and we say how to migrate it.
  const offerMigration = async (migration: Promise<FileMigration>) => {
    const { file, changed } = await migration;
    if (changed)
      report.notes.push(`${file}: holds keys in the v1 (expanded) form, which keep working; \`mapek pki migrate\` stores them as seeds`);
  };

  if (await exists(paths.ca.cert)) {
    report.kept.push(paths.ca.cert);
  } else {
    await createCertificateAuthority(paths.ca, { trustDomain: options.trustDomain, days: options.days * 4 });
    report.created.push(paths.ca.cert, paths.ca.key);
  }
  const caPublic = trustPaths(paths.root).caPublicKey;
  if (await exists(paths.caPqcKey)) {
    report.kept.push(paths.caPqcKey);
    await offerMigration(migrateCaKeyFile(paths.caPqcKey, { write: false }));
  } else {
    const caKey = newSigningKey(backend, { notBefore: now, notAfter: new Date(now.getTime() + options.days * 4 * day) });
    await writeSecret(paths.caPqcKey, json(caKey));
    const published: StoredPublicKey = { kid: caKey.kid, alg: Algorithm.mlDsa65, publicKey: caKey.publicKey };
    await writePublic(caPublic, json(published));
    report.created.push(paths.caPqcKey, caPublic);
  }

  for (const name of options.identities) {
    const files = paths.identity(name);
    if (await exists(files.cert)) {
      report.kept.push(files.cert);
    } else {
      await issueIdentityCertificate(options, name);
      report.created.push(files.cert, files.key);
    }
    if (await exists(files.pqcKeys)) {
      report.kept.push(files.pqcKeys);
      await offerMigration(migrateIdentityKeyFile(files.pqcKeys, { write: false }));
    } else {
      const validity = { notBefore: now, notAfter: new Date(now.getTime() + options.days * day) };
      const keyFile: IdentityKeyFile = {
        v: IdentityKeyFileVersion.seeds,
        name,
        spiffeId: spiffeId(options.trustDomain, name),
        signing: [newSigningKey(backend, validity)],
        kem: [newKemKey(backend, validity)],
      };
      await writeSecret(files.pqcKeys, json(keyFile));
      report.created.push(files.pqcKeys);
    }
  }

  if (options.identities.includes(IdentityName.gateway)) {
    // The gateway's HTTPS certificate: a browser or curl checks a host name, which the mTLS
    // certificate (SPIFFE URI only, so NATS maps it to a user) does not carry.
    const https = {
      cert: path.join(paths.root, IdentityName.gateway, 'https.crt'),
      key: path.join(paths.root, IdentityName.gateway, 'https.key'),
    };
    if (await exists(https.cert)) {
      report.kept.push(https.cert);
    } else {
      await issueCertificate(https, {
        ca: paths.ca,
        commonName: 'localhost',
        trustDomain: options.trustDomain,
        subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', ...(options.httpsHostnames ?? []).map((host) => `DNS:${host}`)],
        extendedKeyUsage: ['serverAuth'],
        days: options.days,
      });
      report.created.push(https.cert, https.key);
    }
  }

  if (await exists(paths.nats.cert)) {
    report.kept.push(paths.nats.cert);
  } else {
    await issueCertificate(paths.nats, {
      ca: paths.ca,
      commonName: 'nats-server',
      trustDomain: options.trustDomain,
      subjectAltNames: [
        'DNS:localhost',
        'IP:127.0.0.1',
        ...options.natsHostnames.filter((host) => host !== '127.0.0.1').map((host) => `${isIP(host) === 0 ? 'DNS' : 'IP'}:${host}`),
        `URI:${spiffeId(options.trustDomain, 'nats')}`,
      ],
      // clientAuth too: a cluster member presents it when it dials another member's route.
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      days: options.days,
    });
    report.created.push(paths.nats.cert, paths.nats.key);
  }
  report.created.push(await writeNatsConfig(options));
  report.created.push(await writeTrustBundle(options, backend));
  return report;
}

export async function writeNatsConfig(options: PkiOptions): Promise<string> {
  const paths = pkiPaths(options.out);
  await writePublic(
    paths.nats.config,
    renderNatsConfig({
      listen: options.natsListen,
      trustDomain: options.trustDomain,
      prefix: options.subjectPrefix,
      serverCert: paths.nats.cert,
      serverKey: paths.nats.key,
      caCert: paths.ca.cert,
      jetStreamDir: path.resolve(options.jetStreamDir ?? path.join(paths.root, 'nats', 'jetstream')),
    }),
  );
  return paths.nats.config;
}

/** One member of a nats-server cluster, for {@link renderNatsClusterMemberConfig}. */
export interface NatsClusterMemberOptions {
  /** Its `server_name`, unique in the cluster. */
  readonly serverName: string;
  /** `host:port` of its client listener. */
  readonly listen: string;
  /** Its own JetStream store. */
  readonly jetStreamDir: string;
  readonly cluster: NatsClusterOptions;
}

/**
 * The config of one member of a nats-server cluster (e.g. three for streams at R3): the same
 * TLS, users and permissions as {@link writeNatsConfig}, its own server name and store, and routes
 * to every member over mutual TLS with the nats-server certificate. Issue that certificate with
 * every member's address in `natsHostnames`, as a member checks the one it dials.
 */
export function renderNatsClusterMemberConfig(options: PkiOptions, member: NatsClusterMemberOptions): string {
  const paths = pkiPaths(options.out);
  return renderNatsConfig({
    listen: member.listen,
    trustDomain: options.trustDomain,
    prefix: options.subjectPrefix,
    serverCert: paths.nats.cert,
    serverKey: paths.nats.key,
    caCert: paths.ca.cert,
    jetStreamDir: path.resolve(member.jetStreamDir),
    serverName: member.serverName,
    cluster: member.cluster,
  });
}

/** Rebuilds trust-bundle.json from every identity's pqc-keys.json, dropping expired keys. */
export async function writeTrustBundle(options: PkiOptions, backend?: PqcBackend): Promise<string> {
  const paths = pkiPaths(options.out);
  const now = options.now ?? new Date();
  const pqc = backend ?? (await loadPqcBackend({ backend: options.backend }));
  if (!(await exists(paths.caPqcKey))) throw new PkiError(PkiErrorCode.caMissing, `no CA key at ${paths.caPqcKey}; run init first`);
  const caKey = await readSigningKeyFile(paths.caPqcKey);
  const identities: TrustBundle['identities'][number][] = [];
  for (const name of ALL_IDENTITIES) {
    const file = paths.identity(name).pqcKeys;
    if (!(await exists(file))) continue;
    const keys = await readIdentityKeyFile(file);
    const live = <T extends { notAfter: string }>(key: T) => Date.parse(key.notAfter) >= now.getTime();
    identities.push({
      name: keys.name,
      spiffeId: keys.spiffeId,
      keys: [
        ...keys.signing.filter(live).map((k) => ({
          kid: k.kid,
          use: 'sig' as const,
          alg: k.alg,
          publicKey: k.publicKey,
          notBefore: k.notBefore,
          notAfter: k.notAfter,
        })),
        ...keys.kem.filter(live).map((k) => ({
          kid: k.kid,
          use: 'kem' as const,
          alg: k.alg,
          publicKey: k.publicKey,
          notBefore: k.notBefore,
          notAfter: k.notAfter,
        })),
      ],
    });
  }
  const bundle: TrustBundle = {
    v: 1,
    trustDomain: options.trustDomain,
    issuedAt: now.toISOString(),
    notBefore: new Date(now.getTime() - 5 * 60_000).toISOString(),
    notAfter: new Date(now.getTime() + options.days * day).toISOString(),
    identities,
  };
  let caSecretKey: Uint8Array;
  try {
    caSecretKey = decodeSigningSecretKey(caKey);
  } catch (cause) {
    throw new PkiError(PkiErrorCode.keyFile, `${paths.caPqcKey}: ${(cause as Error).message}`, { cause });
  }
  const signed = signTrustBundle(pqc, bundle, { kid: caKey.kid, secretKey: caSecretKey });
  const file = trustPaths(paths.root).trustBundle;
  await writePublic(file, json(signed));
  return file;
}

/**
 * Rotation with overlap: new ML-DSA-65 and X-Wing keys (valid from now) and a new certificate;
 * the previous keys stay valid until now + overlap (or their own end, if sooner), so events
 * signed and payloads sealed with them still verify and open while services pick up the change.
 * A v1 key file is migrated on the way (its seeded keys are stored as seeds), and the report says so.
 */
export async function rotateIdentity(options: PkiOptions, name: IdentityName, overlapHours: number): Promise<PkiReport> {
  const paths = pkiPaths(options.out);
  const now = options.now ?? new Date();
  const files = paths.identity(name);
  if (!(await exists(files.pqcKeys))) throw new PkiError(PkiErrorCode.unknownIdentity, `${name} has no keys yet; run init first`);
  const backend = await loadPqcBackend({ backend: options.backend });
  const migration = await migrateIdentityKeyFile(files.pqcKeys, { write: true });
  const current = await readIdentityKeyFile(files.pqcKeys);
  const overlapEnd = now.getTime() + overlapHours * 3_600_000;
  const retire = <T extends { notAfter: string }>(key: T): T =>
    Date.parse(key.notAfter) > overlapEnd ? { ...key, notAfter: new Date(overlapEnd).toISOString() } : key;
  const alive = <T extends { notAfter: string }>(key: T) => Date.parse(key.notAfter) >= now.getTime();
  const validity = { notBefore: now, notAfter: new Date(now.getTime() + options.days * day) };
  const rotated: IdentityKeyFile = {
    ...current,
    signing: [...current.signing.filter(alive).map(retire), newSigningKey(backend, validity)],
    kem: [...current.kem.filter(alive).map(retire), newKemKey(backend, validity)],
  };
  await writeSecret(files.pqcKeys, json(rotated));
  await issueIdentityCertificate(options, name);
  const bundle = await writeTrustBundle(options, backend);
  return {
    created: [files.pqcKeys, files.cert, files.key, bundle],
    kept: [],
    migrated: migration.changed ? [files.pqcKeys] : [],
    notes: describeMigration(migration, `this rotation retires it by ${new Date(overlapEnd).toISOString()}`),
  };
}

/**
 * Rewrites every key file under `out` written before key file v2 (the CA's ML-DSA-65 key and each
 * identity's pqc-keys.json) so that keys are stored as seeds, where the file has them. Files that
 * need nothing are kept; a damaged or inconsistent file stops the run and is left as it is.
 */
export async function migrateKeyFiles(options: Pick<PkiOptions, 'out'>): Promise<PkiReport> {
  const paths = pkiPaths(options.out);
  const report: PkiReport = { created: [], kept: [], migrated: [], notes: [] };
  const migrations: { migration: FileMigration; name?: IdentityName }[] = [];
  if (await exists(paths.caPqcKey)) migrations.push({ migration: await migrateCaKeyFile(paths.caPqcKey, { write: true }) });
  for (const name of ALL_IDENTITIES) {
    const file = paths.identity(name).pqcKeys;
    if (await exists(file)) migrations.push({ migration: await migrateIdentityKeyFile(file, { write: true }), name });
  }
  if (migrations.length === 0) throw new PkiError(PkiErrorCode.caMissing, `no key files under ${paths.root}; run init first`);
  for (const { migration, name } of migrations) {
    (migration.changed ? report.migrated : report.kept).push(migration.file);
    const hint =
      name === undefined
        ? 'a seeded CA key needs a new PKI (init into an empty directory)'
        : `\`mapek pki rotate --identity ${name}\` replaces it with a seeded key`;
    report.notes.push(...describeMigration(migration, hint));
  }
  return report;
}
