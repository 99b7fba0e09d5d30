import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openssl } from './openssl.runner.js';

/** ECDSA P-256 keys and certificates, made by Debian's openssl CLI (see docs/adr/0002-pki.md). */
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'] as const;

export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

export async function createCertificateAuthority(files: CertificateFiles, options: { trustDomain: string; days: number }): Promise<void> {
  await mkdir(path.dirname(files.key), { recursive: true });
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-sha256',
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    String(options.days),
    '-subj',
    `/O=mapek/OU=${options.trustDomain}/CN=mapek development CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    'subjectKeyIdentifier=hash',
  ]);
  await chmod(files.key, 0o600);
}

export interface LeafOptions {
  readonly ca: CertificateFiles;
  readonly commonName: string;
  readonly trustDomain: string;
  /** subjectAltName entries, e.g. ["URI:spiffe://mapek.local/planner"] or ["DNS:localhost"]. */
  readonly subjectAltNames: readonly string[];
  readonly extendedKeyUsage: readonly ('serverAuth' | 'clientAuth')[];
  readonly days: number;
}

/** A leaf certificate signed by the CA (`openssl req -x509 -CA`, OpenSSL ≥ 3.0). */
export async function issueCertificate(files: CertificateFiles, options: LeafOptions): Promise<void> {
  await mkdir(path.dirname(files.key), { recursive: true });
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-sha256',
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-CA',
    options.ca.cert,
    '-CAkey',
    options.ca.key,
    '-days',
    String(options.days),
    '-subj',
    `/O=mapek/OU=${options.trustDomain}/CN=${options.commonName}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    `extendedKeyUsage=${options.extendedKeyUsage.join(',')}`,
    '-addext',
    `subjectAltName=${options.subjectAltNames.join(',')}`,
  ]);
  await chmod(files.key, 0o600);
}
