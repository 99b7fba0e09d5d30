import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiRole } from '@mapek/contracts';
import { createApiKey, defaultPkiOptions, inboxOptionsOf, initPki, renderNatsClusterMemberConfig } from '@mapek/pki';
import { pqcTlsClientOptions } from '@mapek/pqc';
import type { NatsClientTls } from './nats-server.js';

/** Where the stack keeps its development credentials: `<dataDir>/certs`. */
export function certsDirOf(dataDir: string): string {
  return join(dataDir, 'certs');
}

/** The development CA certificate (PEM file) clients trust: curl --cacert, Node `ca`. */
export function caFileOf(certsDir: string): string {
  return join(certsDir, 'ca.crt');
}

export interface StackCredentials {
  readonly certsDir: string;
  readonly natsConfig: string;
  /** True when this run created the CA (first run). */
  readonly created: boolean;
}

/**
 * Creates what is missing under `<dataDir>/certs` with tools/pki (CA, every identity, the
 * gateway's HTTPS certificate, the trust bundle) and rewrites the nats-server config for this
 * run's port and JetStream directory. Existing keys are kept.
 */
export async function ensureStackCredentials(options: {
  dataDir: string;
  natsPort: number;
  subjectPrefix: string;
  natsHostnames?: readonly string[];
}): Promise<StackCredentials> {
  const certsDir = certsDirOf(options.dataDir);
  const report = await initPki({
    ...defaultPkiOptions,
    out: certsDir,
    natsListen: `127.0.0.1:${options.natsPort}`,
    natsHostnames: options.natsHostnames ?? [],
    jetStreamDir: join(options.dataDir, 'nats'),
    subjectPrefix: options.subjectPrefix,
  });
  return { certsDir, natsConfig: join(certsDir, 'nats', 'nats-server.conf'), created: report.created.includes(caFileOf(certsDir)) };
}

/** Where one member of a nats-server cluster listens (structurally what @mapek/testing's startNatsCluster lays out). */
export interface ClusterMemberAddress {
  readonly name: string;
  readonly host: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly routeUrl: string;
  readonly storeDir: string;
}

/**
 * The config of one member of a nats-server cluster that the stack's services can use with
 * security on (`startStack({ natsUrl: <every member>, security: 'on', streamReplicas: 3, dataDir })`):
 * the stack's credentials in `<dataDir>/certs`, created first if missing, with every member's
 * address on the nats-server certificate; TLS with client certificates mapped to the identities'
 * users; routes over mutual TLS. Create the credentials with this before the stack starts, as the
 * stack keeps a nats-server certificate it finds.
 */
export async function clusterMemberNatsConfig(options: {
  readonly dataDir: string;
  readonly subjectPrefix?: string;
  readonly clusterName: string;
  readonly member: ClusterMemberAddress;
  readonly members: readonly ClusterMemberAddress[];
}): Promise<string> {
  const subjectPrefix = options.subjectPrefix ?? 'mapek';
  const { member } = options;
  await ensureStackCredentials({
    dataDir: options.dataDir,
    natsPort: member.clientPort,
    subjectPrefix,
    natsHostnames: [...new Set(options.members.map((each) => each.host))],
  });
  return renderNatsClusterMemberConfig(
    { ...defaultPkiOptions, out: certsDirOf(options.dataDir), subjectPrefix },
    {
      serverName: member.name,
      listen: `${member.host}:${member.clientPort}`,
      jetStreamDir: member.storeDir,
      cluster: {
        name: options.clusterName,
        listen: `${member.host}:${member.clusterPort}`,
        routes: options.members.map((each) => each.routeUrl),
      },
    },
  );
}

/** The servers of a NATS_URL: one URL, or a cluster's several separated by commas. */
export function natsServerList(natsUrl: string): string[] {
  return natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

/** nats.js TLS options for one identity of the stack (e.g. `cli` for tools and tests). */
export function natsClientTls(certsDir: string, identity: string): NatsClientTls {
  const read = (file: string) => readFileSync(file, 'utf8');
  const cert = read(join(certsDir, identity, 'tls.crt'));
  const key = read(join(certsDir, identity, 'tls.key'));
  const ca = read(caFileOf(certsDir));
  return { ...pqcTlsClientOptions({ cert, key, ca }), cert, key, ca, rejectUnauthorized: true };
}

/**
 * nats.js connect options to act as one identity: its certificate (when `certsDir` is given) and
 * its own inbox prefix, the only inbox a service identity may read; `cli`, the operator's tool,
 * keeps nats.js's default `_INBOX`. `servers` is one URL or, for a cluster, several separated by
 * commas (as NATS_URL is); nats.js takes the list.
 */
export function identityConnectOptions(
  servers: string,
  certsDir: string | undefined,
  identity: string,
): { servers: string[]; tls?: NatsClientTls; inboxPrefix?: string } {
  return {
    servers: natsServerList(servers),
    ...(certsDir === undefined ? {} : { tls: natsClientTls(certsDir, identity) }),
    ...inboxOptionsOf(identity),
  };
}

/** The gateway's API keys in a development stack: the keys file and the admin key's token. */
export interface StackApiKeys {
  /** `<certsDir>/api-keys.json` (digests only), given to the gateway as MAPEK_GATEWAY_API_KEYS_FILE. */
  readonly keysFile: string;
  /** `<certsDir>/admin.api-key`: the token of the `admin` key (mode 0600), for curl and tests. */
  readonly adminTokenFile: string;
  readonly adminToken: string;
  readonly created: boolean;
}

/**
 * The development stack runs its gateway with API keys, as production must: on first start it
 * creates an `admin` key (role admin) and keeps its token beside the other development
 * credentials. Later starts reuse it; `mapek pki api-key create --out <certsDir>` adds more.
 */
export async function ensureStackApiKeys(certsDir: string): Promise<StackApiKeys> {
  const keysFile = join(certsDir, 'api-keys.json');
  const adminTokenFile = join(certsDir, 'admin.api-key');
  if (existsSync(keysFile) && existsSync(adminTokenFile)) {
    return { keysFile, adminTokenFile, adminToken: readFileSync(adminTokenFile, 'utf8').trim(), created: false };
  }
  const { token } = await createApiKey({ file: keysFile, name: 'admin', role: ApiRole.admin });
  await writeFile(adminTokenFile, `${token}\n`, { mode: 0o600 });
  return { keysFile, adminTokenFile, adminToken: token, created: true };
}
