#!/usr/bin/env node
// Turns a `mapek pki init` directory into a values file for `identity.create: true`, so that the
// chart creates the identity Secrets itself:
//
//   node charts/mapek/scripts/identity-values.mjs ./certs > mapek-identities.json
//   helm upgrade --install mapek charts/mapek -f mapek-identities.json
//
// JSON is YAML, so Helm reads the output as a values file; every file is copied byte for byte.
// It reads the CA certificate, the CA's ML-DSA-65 public key, the trust bundle, each identity's
// tls.crt, tls.key and pqc-keys.json (the gateway's https.crt and https.key too) and, when
// present, api-keys.json. Never the CA's private keys (ca/). The values hold private keys, and
// Helm keeps values in its release Secret: keep the file out of version control.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  process.stderr.write('usage: identity-values.mjs <mapek pki directory>\n');
  process.exit(2);
}
const read = (...parts) => readFileSync(join(dir, ...parts), 'utf8');
for (const file of ['ca.crt', 'ca.ml-dsa-65.pub.json', 'trust-bundle.json']) {
  if (!existsSync(join(dir, file))) {
    process.stderr.write(`identity-values: ${join(dir, file)} is missing (run: mapek pki init --out ${dir})\n`);
    process.exit(1);
  }
}

const files = { trust: { caCrt: read('ca.crt'), caPublicKey: read('ca.ml-dsa-65.pub.json'), trustBundle: read('trust-bundle.json') } };
const identities = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway', 'agent', 'cli'];
for (const name of identities) {
  if (!existsSync(join(dir, name, 'tls.crt'))) continue; // not issued (e.g. --identities): the chart names what it needs
  const identity = { tlsCrt: read(name, 'tls.crt'), tlsKey: read(name, 'tls.key') };
  if (name !== 'cli') identity.pqcKeys = read(name, 'pqc-keys.json');
  if (name === 'gateway' && existsSync(join(dir, name, 'https.crt'))) {
    identity.httpsCrt = read(name, 'https.crt');
    identity.httpsKey = read(name, 'https.key');
  }
  files[name] = identity;
}

const values = { identity: { create: true, files } };
if (existsSync(join(dir, 'api-keys.json'))) values.gateway = { apiKeys: { file: read('api-keys.json') } };
process.stdout.write(`${JSON.stringify(values, null, 2)}\n`);
