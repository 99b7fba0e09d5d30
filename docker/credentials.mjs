// The compose stack's first step (service `credentials`): checks that the credentials directory
// the operator made (MAPEK_CERTS_DIR, mounted at /source) holds everything the stack needs, names
// every missing or unusable file and refuses (exit 78) if anything is wrong; otherwise gives each
// container a volume of its own with only its own key material, readable by the user it runs as.
//
// Run as root: the source files are 0600 and belong to whoever ran `mapek pki`; the containers run
// as uid 10001 (services, NATS), 65534 (Prometheus) or root dropping to postgres (PostgreSQL).
// Run it again after `mapek pki rotate` or `mapek pki api-key …`: `docker-compose up -d credentials`
// (services reload the trust bundle and the gateway its keys file without a restart).
import { X509Certificate, createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const source = process.env.MAPEK_CREDENTIALS_SOURCE ?? '/source';
const target = process.env.MAPEK_CREDENTIALS_TARGET ?? '/volumes';
const serviceUid = 10001;
const prometheusUid = 65534;
const grafanaUid = 472;
const natsHosts = ['nats-1', 'nats-2', 'nats-3'];
const initCommand = 'docker/init-credentials.sh <MAPEK_CERTS_DIR>';

const trust = ['ca.crt', 'ca.ml-dsa-65.pub.json', 'trust-bundle.json'];
const identity = (name) => [`${name}/tls.crt`, `${name}/tls.key`, `${name}/pqc-keys.json`];

/** Each volume: who reads it, as which uid, and the files it gets (same layout as the source). */
const volumes = {
  monitor: { uid: serviceUid, files: [...trust, ...identity('monitor')] },
  analyzer: { uid: serviceUid, files: [...trust, ...identity('analyzer')] },
  planner: { uid: serviceUid, files: [...trust, ...identity('planner')] },
  executor: { uid: serviceUid, files: [...trust, ...identity('executor')] },
  knowledge: { uid: serviceUid, files: [...trust, ...identity('knowledge')] },
  gateway: { uid: serviceUid, files: [...trust, ...identity('gateway'), 'gateway/https.crt', 'gateway/https.key', 'api-keys.json'] },
  agent: { uid: serviceUid, files: [...trust, ...identity('agent')] },
  cli: { uid: serviceUid, files: [...trust, ...identity('cli')] },
  nats: {
    uid: serviceUid,
    files: ['ca.crt', 'nats/nats-server.conf', 'nats/server.crt', 'nats/server.key', 'nats/route.crt', 'nats/route.key'],
  },
  postgres: { uid: 0, files: ['ca.crt', 'postgres/server.crt', 'postgres/server.key'] },
  prometheus: { uid: prometheusUid, files: ['ca.crt'] },
  // Only with the `observability` profile; Grafana refuses to start without it.
  grafana: { uid: grafanaUid, files: [], optional: ['grafana/admin-password'] },
};

const problems = [];
const readable = (file) => {
  try {
    return statSync(join(source, file)).isFile();
  } catch {
    return false;
  }
};

if (!existsSync(source) || !statSync(source).isDirectory()) {
  problems.push(`the credentials directory is not mounted (MAPEK_CERTS_DIR in .env); create it with: ${initCommand}`);
} else {
  const missing = [...new Set(Object.values(volumes).flatMap((volume) => volume.files))].filter((file) => !readable(file));
  for (const file of missing) {
    const users = Object.entries(volumes)
      .filter(([, volume]) => volume.files.includes(file))
      .map(([name]) => name);
    problems.push(`missing ${file} (needed by ${users.join(', ')})`);
  }
  if (missing.length > 0) problems.push(`create what is missing with: ${initCommand}`);
}

/** Checks one certificate: issued by the CA, valid now, for the names and uses the stack connects with. */
function checkCertificate(file, { hosts = [], clientAuth = false }) {
  if (!readable(file) || !readable('ca.crt')) return;
  let certificate;
  let ca;
  try {
    certificate = new X509Certificate(readFileSync(join(source, file)));
    ca = new X509Certificate(readFileSync(join(source, 'ca.crt')));
  } catch (error) {
    problems.push(`${file}: not a PEM certificate (${error.message})`);
    return;
  }
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) problems.push(`${file}: not issued by the CA in ca.crt`);
  const now = Date.now();
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) {
    problems.push(`${file}: valid only from ${certificate.validFrom} to ${certificate.validTo}`);
  }
  for (const host of hosts) {
    if (certificate.checkHost(host) === undefined)
      problems.push(`${file}: has no DNS name ${host}; ${initCommand} issues it with the names the stack uses`);
  }
  if (clientAuth && !(certificate.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.2'))
    problems.push(`${file}: cannot be used as a client certificate (extended key usage)`);
}

checkCertificate('nats/server.crt', { hosts: natsHosts });
checkCertificate('nats/route.crt', { hosts: natsHosts, clientAuth: true });
checkCertificate('postgres/server.crt', { hosts: ['postgres'] });
checkCertificate('gateway/https.crt', { hosts: ['localhost'] });

if (readable('api-keys.json')) {
  try {
    const keys = JSON.parse(readFileSync(join(source, 'api-keys.json'), 'utf8')).keys ?? [];
    const active = keys.filter(
      (key) => key.revokedAt === undefined && (key.expiresAt === undefined || Date.parse(key.expiresAt) > Date.now()),
    );
    if (active.length === 0)
      console.warn(
        'credentials: api-keys.json has no active key: nobody can call the gateway (./mapek pki api-key create --out <MAPEK_CERTS_DIR> --name … --role admin)',
      );
  } catch (error) {
    problems.push(`api-keys.json: not a keys file of \`mapek pki api-key\` (${error.message})`);
  }
}

if (problems.length > 0) {
  console.error(`credentials: refusing to start the stack, ${source} (MAPEK_CERTS_DIR) is not complete:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(78); // EX_CONFIG
}

/** Writes a file atomically (a reader never sees half of it) with its owner and mode. */
function install(file, content, uid, mode) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  const partial = `${file}.partial-${process.pid}`;
  writeFileSync(partial, content, { mode });
  chownSync(partial, uid, uid);
  chmodSync(partial, mode);
  renameSync(partial, file);
}

const secret = (file) => /\.key$|pqc-keys\.json$|api-keys\.json$|password$/.test(file);
for (const [name, volume] of Object.entries(volumes)) {
  const root = join(target, name);
  if (!existsSync(root)) {
    problems.push(`no volume mounted at ${root}`);
    continue;
  }
  chownSync(root, volume.uid, volume.uid);
  chmodSync(root, 0o755);
  for (const file of [...volume.files, ...(volume.optional ?? []).filter(readable)]) {
    install(join(root, file), readFileSync(join(source, file)), volume.uid, secret(file) ? 0o400 : 0o444);
    chownSync(dirname(join(root, file)), volume.uid, volume.uid);
  }
}

// Routes accept only the route certificate, not any certificate of the CA (every service has one):
// nats-server pins the SHA-256 of its public key.
const route = new X509Certificate(readFileSync(join(source, 'nats/route.crt')));
const pin = createHash('sha256')
  .update(route.publicKey.export({ type: 'spki', format: 'der' }))
  .digest('hex');
install(
  join(target, 'nats', 'nats', 'route-pin.conf'),
  `# Written by docker/credentials.mjs from nats/route.crt.\npinned_certs: ["${pin}"]\n`,
  serviceUid,
  0o444,
);

if (problems.length > 0) {
  console.error(`credentials: ${problems.join('; ')}`);
  process.exit(78);
}
console.log(`credentials: ${Object.keys(volumes).length} volumes ready from ${source}`);
