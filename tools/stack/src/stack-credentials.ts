import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPkiOptions, inboxOptionsOf, initPki } from '@mapek/pki';
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
export async function ensureStackCredentials(options: { dataDir: string; natsPort: number; subjectPrefix: string }): Promise<StackCredentials> {
  const certsDir = certsDirOf(options.dataDir);
  const report = await initPki({
    ...defaultPkiOptions,
    out: certsDir,
    natsListen: `127.0.0.1:${options.natsPort}`,
    jetStreamDir: join(options.dataDir, 'nats'),
    subjectPrefix: options.subjectPrefix,
  });
  return { certsDir, natsConfig: join(certsDir, 'nats', 'nats-server.conf'), created: report.created.includes(caFileOf(certsDir)) };
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
 * keeps nats.js's default `_INBOX`.
 */
export function identityConnectOptions(servers: string, certsDir: string | undefined, identity: string): { servers: string; tls?: NatsClientTls; inboxPrefix?: string } {
  return {
    servers,
    ...(certsDir === undefined ? {} : { tls: natsClientTls(certsDir, identity) }),
    ...inboxOptionsOf(identity),
  };
}
