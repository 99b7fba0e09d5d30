// PQC micro-benchmarks over the built library: `npx tsc -b libs/pqc && node benchmarks/pqc.mjs`
// Options (env): PQC_BENCH_N (iterations per op, default 500), PQC_BENCH_TLS_N (handshakes, default 200).
// Prints µs per operation (mean and p99) for both backends, X-Wing seal/open, the TLS 1.3 mTLS
// handshake over loopback with and without X25519MLKEM768, and sign+verify per ~1 KB event.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import {
  Algorithm,
  createEventSigner,
  createEventVerifier,
  createLiboqsBackend,
  createNodeCryptoBackend,
  createPayloadSealer,
  createXWing,
  keyIdFor,
  negotiatedGroup,
  openTrustBundle,
  pqcTlsClientOptions,
  pqcTlsServerOptions,
  signTrustBundle,
  toBase64Url,
} from '../libs/pqc/dist/index.js';
import { mean, quantile } from './stats.mjs';

const N = Number(process.env.PQC_BENCH_N ?? 500);
const TLS_N = Number(process.env.PQC_BENCH_TLS_N ?? 200);
const WARMUP = 20;

function stats(samples) {
  return { mean: mean(samples), p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

const rows = [];
// Wall-clock per operation (mean, p50, p99) plus CPU time per operation (process.cpuUsage over the
// whole run): on a shared machine the wall p99 includes time the scheduler gave to others, the CPU
// figure does not.
function report(group, name, samples, cpuMicros) {
  const { mean, p50, p99 } = stats(samples);
  const cpu = cpuMicros / samples.length;
  rows.push({ group, name, mean, p50, p99, cpu });
  const f = (x) => x.toFixed(1).padStart(8);
  console.log(`${group.padEnd(7)} ${name.padEnd(44)} mean ${f(mean)}  p50 ${f(p50)}  p99 ${f(p99)}  cpu ${f(cpu)}  µs`);
}

function cpuSince(start) {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function bench(group, name, fn, n = N) {
  for (let i = 0; i < WARMUP; i += 1) fn(i);
  const samples = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  report(group, name, samples, cpuSince(cpuStart));
}

console.log(
  `node ${process.versions.node}, OpenSSL ${process.versions.openssl}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}, N=${N}, TLS handshakes=${TLS_N}\n`,
);

const backends = [createNodeCryptoBackend(), await createLiboqsBackend()];
const message = new Uint8Array(1024).fill(7);
for (const backend of backends) {
  const dsa = backend.mlDsa65;
  const kem = backend.mlKem768;
  const signer = dsa.generateKeyPair();
  const signature = dsa.sign(message, signer.secretKey);
  const recipient = kem.generateKeyPair();
  const { ciphertext } = kem.encapsulate(recipient.publicKey);
  bench(backend.name, 'ML-DSA-65 keygen', () => dsa.generateKeyPair());
  bench(backend.name, 'ML-DSA-65 sign (1 KiB)', () => dsa.sign(message, signer.secretKey));
  bench(backend.name, 'ML-DSA-65 verify (1 KiB)', () => dsa.verify(message, signature, signer.publicKey));
  bench(backend.name, 'ML-KEM-768 keygen', () => kem.generateKeyPair());
  bench(backend.name, 'ML-KEM-768 encapsulate', () => kem.encapsulate(recipient.publicKey));
  bench(backend.name, 'ML-KEM-768 decapsulate', () => kem.decapsulate(ciphertext, recipient.secretKey));
  const xWing = createXWing(backend);
  const xKeys = xWing.generateKeyPair();
  const xCt = xWing.encapsulate(xKeys.publicKey).ciphertext;
  bench(backend.name, 'X-Wing encapsulate', () => xWing.encapsulate(xKeys.publicKey));
  bench(backend.name, 'X-Wing decapsulate', () => xWing.decapsulate(xCt, xKeys.secretKey));
  const sealer = createPayloadSealer(backend);
  const payload = JSON.stringify({ action: 'scale', target: 'checkout', replicas: 4, reason: 'x'.repeat(400) });
  const binding = { subject: 'mapek.actuate.checkout', eventId: '0193aaaa-0000-7000-8000-000000000000' };
  const recipientKey = { kid: 'xwing:bench', publicKey: xKeys.publicKey };
  const sealed = sealer.seal(payload, recipientKey, binding);
  bench(backend.name, 'seal (X-Wing+HKDF+AES-GCM, ~0.5 KB)', () => sealer.seal(payload, recipientKey, binding));
  bench(backend.name, 'open', () => sealer.open(sealed, xKeys.secretKey, binding));

  // A typical event: ~1 KB envelope, signed by the planner, verified against a trust bundle with
  // the full policy, freshness and replay checks.
  const now = Date.now();
  const ca = dsa.generateKeyPair();
  const caKid = keyIdFor(Algorithm.mlDsa65, ca.publicKey);
  const kid = keyIdFor(Algorithm.mlDsa65, signer.publicKey);
  const iso = (ms) => new Date(ms).toISOString();
  const bundle = {
    v: 1,
    trustDomain: 'bench',
    issuedAt: iso(now),
    notBefore: iso(now - 60_000),
    notAfter: iso(now + 3_600_000),
    identities: [
      {
        name: 'planner',
        spiffeId: 'spiffe://bench/planner',
        keys: [
          {
            kid,
            use: 'sig',
            alg: 'ML-DSA-65',
            publicKey: toBase64Url(signer.publicKey),
            notBefore: iso(now - 60_000),
            notAfter: iso(now + 3_600_000),
          },
        ],
      },
    ],
  };
  const trust = openTrustBundle(backend, signTrustBundle(backend, bundle, { kid: caKid, secretKey: ca.secretKey }), {
    kid: caKid,
    publicKey: ca.publicKey,
  });
  const eventSigner = createEventSigner({ backend, key: { kid, secretKey: signer.secretKey } });
  const verifier = createEventVerifier({ backend, trust, policy: { 'plan.*': ['planner'] } });
  const data = {
    planId: 'p-1',
    risk: 'low',
    actions: Array.from({ length: 6 }, (_, i) => ({
      kind: 'scale',
      target: `svc-${i}`,
      replicas: i + 2,
      reason: 'latency p99 above objective for 5 minutes',
    })),
  };
  const envelopeFor = (i) => ({
    id: `0193aaaa-0000-7000-8000-${String(i).padStart(12, '0')}`,
    type: 'plan.approved',
    version: 1,
    source: 'planner',
    time: new Date().toISOString(),
    target: 'checkout',
    incidentId: 'inc-42',
    causationId: 'an-7',
    data,
  });
  const subject = 'mapek.plans.approved.checkout';
  const size = JSON.stringify(envelopeFor(0)).length;
  let counter = 0;
  bench(backend.name, `event sign+verify (${size} B envelope)`, () => {
    counter += 1;
    const result = verifier.verify(subject, eventSigner.sign(subject, envelopeFor(counter)));
    if (!result.ok) throw new Error(result.detail);
  });
  // Telemetry: one signature per batch, whatever the batch size.
  const samples = Array.from({ length: 1000 }, (_, i) => ({
    target: `svc-${i % 20}`,
    metric: 'latency_ms',
    value: 100 + (i % 37),
    at: now - i,
  }));
  const batchFor = (i) => ({ ...envelopeFor(i), type: 'plan.batch', data: { samples } });
  const batchSize = JSON.stringify(batchFor(0)).length;
  bench(
    backend.name,
    `batch sign+verify (1000 samples, ${Math.round(batchSize / 1024)} KiB)`,
    () => {
      counter += 1;
      const result = verifier.verify(subject, eventSigner.sign(subject, batchFor(counter)));
      if (!result.ok) throw new Error(result.detail);
    },
    Math.max(50, Math.floor(N / 5)),
  );
  console.log('');
}

// TLS 1.3 mutual-TLS handshakes over loopback. Certificates (ECDSA P-256) from the openssl CLI.
const run = promisify(execFile);
const dir = await mkdtemp(path.join(tmpdir(), 'pqc-bench-'));
try {
  const file = (name) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-subj',
    '/CN=bench ca',
    '-days',
    '1',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ]);
  for (const [name, san] of [
    ['server', 'DNS:localhost'],
    ['client', 'URI:spiffe://bench/planner'],
  ]) {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-addext',
      `subjectAltName=${san}`,
    ]);
  }
  const read = (name) => readFile(file(name), 'utf8');
  const ca = await read('ca.crt');
  const server = tls.createServer(pqcTlsServerOptions({ cert: await read('server.crt'), key: await read('server.key'), ca }), (socket) =>
    socket.end(),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const clientOptions = pqcTlsClientOptions(
    { cert: await read('client.crt'), key: await read('client.key'), ca },
    { servername: 'localhost' },
  );
  const handshake = (ecdhCurve) =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const socket = tls.connect({ ...clientOptions, ecdhCurve, host: '127.0.0.1', port }, () => {
        const micros = Number(process.hrtime.bigint() - start) / 1000;
        const group = negotiatedGroup(socket);
        socket.destroy();
        resolve({ micros, group });
      });
      socket.on('error', reject);
    });
  for (const [label, curve] of [
    ['X25519MLKEM768 (hybrid)', 'X25519MLKEM768:X25519:P-256'],
    ['X25519 (classical)', 'X25519:P-256'],
  ]) {
    for (let i = 0; i < WARMUP; i += 1) await handshake(curve);
    const samples = [];
    let group;
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < TLS_N; i += 1) {
      const result = await handshake(curve);
      samples.push(result.micros);
      group = result.group;
    }
    report('tls', `mTLS handshake ${label} → ${group}`, samples, cpuSince(cpuStart));
  }
  await new Promise((resolve) => server.close(resolve));
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (process.env.PQC_BENCH_JSON) console.log(JSON.stringify(rows));
