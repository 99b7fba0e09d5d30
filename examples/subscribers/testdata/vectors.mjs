// Test vectors shared by the Python and Go subscribers, made with libs/pqc itself: canonical JSON
// of tricky documents, signed events (genuine, re-serialised, tampered, wrong key) and a trust
// bundle signed by a CA key. The subscribers' own tests read vectors.json; this script writes it
// and, with --check, proves that libs/pqc still agrees with every expectation in it.
//
//   npx tsc -b libs/pqc
//   node examples/subscribers/testdata/vectors.mjs           # rewrite vectors.json (new signatures)
//   node examples/subscribers/testdata/vectors.mjs --check   # exit 1 when libs/pqc disagrees
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pqc = await import(join(here, '..', '..', '..', 'libs', 'pqc', 'dist', 'index.js'));
const {
  canonicalJson,
  createEventSigner,
  createEventVerifier,
  createNodeCryptoBackend,
  keyIdFor,
  openTrustBundle,
  signTrustBundle,
  signatureToHeaders,
  toBase64Url,
} = pqc;
const vectorsFile = join(here, 'vectors.json');
const backend = createNodeCryptoBackend();

// Raw JSON texts: what a subscriber receives. Expected: libs/pqc's canonicalJson(JSON.parse(text)).
const documents = {
  'keys sort by UTF-16 code units, not code points': String.raw`{"b":1,"a":2,"é":3,"\uff5e":4,"😀":5,"A":6,"":7,"aa":8,"a\u0000":9}`,
  'numbers as ECMAScript writes them': String.raw`[0,-0,1.0,1e21,1e20,123e-20,1e-6,1e-7,0.000001234,1.5e300,-2.5,100,1E2,0.1,5e-324,1.7976931348623157e308,12345678901234567890,9007199254740993,123456789012345680000,1.23456789e-7,4.194304e8,-0.0,1e-400]`,
  'strings escaped as JSON.stringify does':
    String.raw`["quote\" backslash\\ slash\/ nl\n tab\t cr\r bs\b ff\f ctrl\u0001\u001f del` +
    '\u007f' +
    String.raw` ls\u2028 ps\u2029 é😀 \u00e9 \ud83d\ude00 lone\ud800 lone\udc00x <script>&"]`,
  'literals, nesting, empty containers and whitespace':
    ' { "z" : [ true , false , null , { } , [ ] , [ [ { "b" : { "a" : [ ] } } ] ] ] ,\n\t"y":"" } ',
  'a duplicate key keeps the last value': '{"a":1,"b":2,"a":{"c":3}}',
};

// Throw-away keys from fixed, public seeds: good for these vectors and nothing else.
const seed = (byte) => new Uint8Array(32).fill(byte);
const monitorKey = backend.mlDsa65.keyPairFromSeed(seed(1));
const expiredKey = backend.mlDsa65.keyPairFromSeed(seed(2));
const caKey = backend.mlDsa65.keyPairFromSeed(seed(3));
const kid = (pair) => keyIdFor('ML-DSA-65', pair.publicKey);
const verifyAt = '2030-01-01T00:00:00.000Z';
const bundle = {
  v: 1,
  trustDomain: 'mapek.local',
  issuedAt: '2025-01-01T00:00:00.000Z',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2099-01-01T00:00:00.000Z',
  identities: [
    {
      name: 'monitor',
      spiffeId: 'spiffe://mapek.local/monitor',
      keys: [
        {
          kid: kid(monitorKey),
          use: 'sig',
          alg: 'ML-DSA-65',
          publicKey: toBase64Url(monitorKey.publicKey),
          notBefore: '2025-01-01T00:00:00.000Z',
          notAfter: '2099-01-01T00:00:00.000Z',
        },
        {
          kid: kid(expiredKey),
          use: 'sig',
          alg: 'ML-DSA-65',
          publicKey: toBase64Url(expiredKey.publicKey),
          notBefore: '2025-01-01T00:00:00.000Z',
          notAfter: '2026-01-01T00:00:00.000Z',
        },
      ],
    },
  ],
};
const caPublicKey = { kid: kid(caKey), alg: 'ML-DSA-65', publicKey: toBase64Url(caKey.publicKey) };

function signedEvents() {
  const time = '2029-12-31T23:59:50.000Z';
  const envelope = {
    id: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b',
    type: 'symptom',
    version: 1,
    source: 'monitor',
    time,
    target: 'demo-app',
    data: {
      source: 'threshold',
      rule: 'memory',
      severity: 'critical',
      metric: 'process_resident_memory_bytes',
      value: 452984832.5,
      threshold: 419430400,
      labels: { zone: 'é-1', '😀': 'x', '\uff5e': 'y' },
      description: 'resident memory above 400 MB\u2028 "quoted" \ud800 tiny 1e-7',
      tiny: 1e-7,
      huge: 1e21,
      observedAt: time,
    },
  };
  const subject = 'mapek.symptoms.demo-app';
  const sign = (env, on = subject, key = monitorKey) =>
    signatureToHeaders(createEventSigner({ backend, key: { kid: kid(key), secretKey: key.secretKey } }).sign(on, env).signature);
  const headers = sign(envelope);
  const body = JSON.stringify(envelope);
  const reordered = (value) =>
    Array.isArray(value)
      ? value.map(reordered)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reordered(v)]),
          )
        : value;
  const flipped = { ...headers, 'Mapek-Sig': flipFirst(headers['Mapek-Sig']) };
  const bySpiffe = { ...envelope, source: 'spiffe://mapek.local/monitor' };
  const stranger = { ...envelope, source: 'intruder' };
  return [
    { name: 'genuine', subject, body, headers, expect: 'ok' },
    {
      name: 'genuine, serialised otherwise (key order, whitespace, number forms)',
      subject,
      body: JSON.stringify(reordered(envelope), null, 2)
        .replace('419430400', '4.194304E8')
        .replace('"huge": 1e+21', '"huge": 1000000000000000000000.0'),
      headers,
      expect: 'ok',
    },
    { name: 'source given as SPIFFE id', subject, body: JSON.stringify(bySpiffe), headers: sign(bySpiffe), expect: 'ok' },
    { name: 'tampered data', subject, body: body.replace('452984832.5', '1'), headers, expect: 'bad_signature' },
    { name: 'replayed on another subject', subject: 'mapek.symptoms.other-app', body, headers, expect: 'bad_signature' },
    { name: 'a flipped signature byte', subject, body, headers: flipped, expect: 'bad_signature' },
    { name: 'no signature headers', subject, body, headers: {}, expect: 'bad_signature' },
    { name: 'signed with a key past its notAfter', subject, body, headers: sign(envelope, subject, expiredKey), expect: 'unknown_key' },
    { name: 'a source the bundle does not know', subject, body: JSON.stringify(stranger), headers: sign(stranger), expect: 'unknown_key' },
  ];
}

function flipFirst(base64url) {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[0] ^= 1;
  return bytes.toString('base64url');
}

/** libs/pqc's verdict on a signed event: 'ok' or its rejection reason. */
function verdict(vector, trust) {
  const verifier = createEventVerifier({ backend, trust, policy: { symptom: ['monitor'] }, clockSkewMs: 60_000 });
  const signature = vector.headers['Mapek-Sig'] && {
    alg: vector.headers['Mapek-Sig-Alg'],
    kid: vector.headers['Mapek-Sig-Kid'],
    sig: vector.headers['Mapek-Sig'],
  };
  const result = verifier.verify(vector.subject, { envelope: JSON.parse(vector.body), signature }, { at: Date.parse(verifyAt) });
  return result.ok ? 'ok' : result.reason;
}

if (process.argv.includes('--check')) {
  const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8'));
  const problems = [];
  for (const { name, json, canonical } of vectors.canonicalJson) {
    let actual;
    try {
      actual = canonicalJson(JSON.parse(json));
    } catch (error) {
      actual = `error: ${error.message}`;
    }
    if (actual !== canonical) problems.push(`canonical JSON "${name}": libs/pqc gives ${actual}`);
  }
  const trust = openTrustBundle(
    backend,
    vectors.trustBundle,
    { kid: vectors.caPublicKey.kid, publicKey: Buffer.from(vectors.caPublicKey.publicKey, 'base64url') },
    Date.parse(vectors.verifyAt),
  );
  for (const vector of vectors.signedEvents) {
    const actual = verdict(vector, trust);
    if (actual !== vector.expect) problems.push(`signed event "${vector.name}": libs/pqc says ${actual}, the vectors ${vector.expect}`);
  }
  try {
    openTrustBundle(
      backend,
      vectors.tamperedTrustBundle,
      { kid: vectors.caPublicKey.kid, publicKey: Buffer.from(vectors.caPublicKey.publicKey, 'base64url') },
      Date.parse(vectors.verifyAt),
    );
    problems.push('the tampered trust bundle opens');
  } catch {
    // expected: bundle_bad_signature
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(
    `vectors.json agrees with libs/pqc (${vectors.canonicalJson.length} documents, ${vectors.signedEvents.length} signed events)`,
  );
} else {
  const trustBundle = signTrustBundle(backend, bundle, { kid: caPublicKey.kid, secretKey: caKey.secretKey });
  const tamperedTrustBundle = { ...trustBundle, bundle: { ...trustBundle.bundle, notAfter: '2199-01-01T00:00:00.000Z' } };
  const vectors = {
    comment: 'Generated by vectors.mjs from libs/pqc; do not edit. Keys are throw-away keys from fixed seeds.',
    verifyAt,
    canonicalJson: Object.entries(documents).map(([name, json]) => ({ name, json, canonical: canonicalJson(JSON.parse(json)) })),
    caPublicKey,
    trustBundle,
    tamperedTrustBundle,
    signedEvents: signedEvents(),
  };
  const trust = openTrustBundle(backend, trustBundle, { kid: caPublicKey.kid, publicKey: caKey.publicKey }, Date.parse(verifyAt));
  for (const vector of vectors.signedEvents) {
    if (verdict(vector, trust) !== vector.expect) throw new Error(`libs/pqc does not give ${vector.expect} for "${vector.name}"`);
  }
  writeFileSync(vectorsFile, `${JSON.stringify(vectors, null, 2)}\n`);
  console.log(`wrote ${vectorsFile}`);
}
