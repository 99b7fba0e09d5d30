#!/usr/bin/env node
import { type ApiKeyRecordV1, ApiRole } from '@mapek/contracts';
import { BackendChoice } from '@mapek/pqc';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey, isApiRole, listApiKeys, revokeApiKey } from './api-keys.js';
import {
  defaultPkiOptions,
  initPki,
  migrateKeyFiles,
  type PkiOptions,
  type PkiReport,
  rotateIdentity,
  writeNatsConfig,
  writeTrustBundle,
} from './pki.commands.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';
import { ALL_IDENTITIES, isIdentityName } from './service-identities.js';

const usage = `usage: mapek pki <command> [options]

commands:
  init                 create the dev CA, every identity, the nats-server config and the trust bundle
                       (keeps what already exists)
  rotate --identity N  new ML-DSA-65 + X-Wing keys and certificate for N; old keys stay valid
                       for --overlap-hours, then drop out of the bundle
  migrate              store the keys of key files written before v2 as seeds (where a key has
                       one; says what it did and what is left)
  bundle               re-sign trust-bundle.json from the identities' key files
  nats-config          rewrite nats/nats-server.conf
  api-key create --name N --role R [--days D]
                       new gateway API key: prints its token once on stdout; the file keeps only
                       a digest (no expiry without --days)
  api-key list         one line per key: id, name, role, created, expires, revoked
  api-key revoke --id ID
                       the gateway refuses the key from then on; the record is kept

options:
  --out DIR             output directory (default ./certs)
  --trust-domain TD     SPIFFE trust domain (default mapek.local)
  --days N              validity of certificates, keys and bundle (default 90);
                        of an API key (default: no expiry)
  --identities a,b      subset of: ${ALL_IDENTITIES.join(', ')}
  --identity N          identity to rotate
  --overlap-hours H     rotation overlap (default 24)
  --nats-listen H:P     nats-server listen address (default 127.0.0.1:4222)
  --nats-hostname H     extra DNS name or IP address for the nats-server certificate (repeatable)
  --jetstream-dir DIR   JetStream store dir in the config (default <out>/nats/jetstream)
  --prefix P            subject prefix (default mapek)
  --backend B           auto | node | liboqs (default auto)
  --name N              API key holder, the actor of its decisions and commands (letters, digits, . _ @ : -)
  --role R              API key role: ${Object.values(ApiRole).join(' | ')}
  --id ID               API key id (16 hex characters, as in the token and in api-key list)
  --keys-file F         API keys file (default <out>/api-keys.json)
`;

function integer(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new PkiError(PkiErrorCode.usage, `${flag} must be a positive integer`);
  return value;
}

/** A command's output: the result on stdout, for scripts; remarks for the person on stderr. */
interface Printed {
  readonly stdout: string;
  readonly stderr?: string;
}

const roleWidth = Math.max(...Object.values(ApiRole).map((role) => role.length));

function describeKey(key: ApiKeyRecordV1, nameWidth = 0): string {
  return [
    key.id,
    key.name.padEnd(nameWidth),
    key.role.padEnd(roleWidth),
    `created ${key.createdAt}`,
    `expires ${key.expiresAt ?? 'never'}`,
    `revoked ${key.revokedAt ?? 'no'}`,
  ].join('  ');
}

async function apiKeyCommand(
  action: string | undefined,
  values: { readonly name?: string; readonly role?: string; readonly days?: string; readonly id?: string },
  file: string,
): Promise<Printed> {
  switch (action) {
    case 'create': {
      if (values.name === undefined || values.role === undefined)
        throw new PkiError(PkiErrorCode.usage, 'api-key create needs --name and --role');
      if (!isApiRole(values.role))
        throw new PkiError(PkiErrorCode.invalidApiPrincipal, `--role must be one of ${Object.values(ApiRole).join(', ')}`);
      const days = values.days === undefined ? undefined : integer(values.days, 0, '--days');
      const { token, record } = await createApiKey({ file, name: values.name, role: values.role, ...(days !== undefined && { days }) });
      const expiry = record.expiresAt === undefined ? 'no expiry' : `expires ${record.expiresAt}`;
      return {
        stdout: token,
        stderr: `created API key ${record.id} (${record.name}, ${record.role}, ${expiry}) in ${file}; store it now: it cannot be shown again`,
      };
    }
    case 'list': {
      const keys = await listApiKeys(file);
      if (keys.length === 0) return { stdout: '', stderr: `no API keys in ${file}` };
      const nameWidth = Math.max(...keys.map((key) => key.name.length));
      return { stdout: keys.map((key) => describeKey(key, nameWidth)).join('\n') };
    }
    case 'revoke': {
      if (values.id === undefined) throw new PkiError(PkiErrorCode.usage, 'api-key revoke needs --id');
      return { stdout: describeKey(await revokeApiKey({ file, id: values.id })) };
    }
    case undefined:
    default:
      throw new PkiError(PkiErrorCode.usage, `api-key needs create, list or revoke\n\n${usage}`);
  }
}

async function main(argv: readonly string[]): Promise<PkiReport | Printed | string> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      'trust-domain': { type: 'string' },
      days: { type: 'string' },
      identities: { type: 'string' },
      identity: { type: 'string' },
      'overlap-hours': { type: 'string' },
      'nats-listen': { type: 'string' },
      'nats-hostname': { type: 'string', multiple: true },
      'jetstream-dir': { type: 'string' },
      prefix: { type: 'string' },
      backend: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      id: { type: 'string' },
      'keys-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) return usage;
  const backend = values.backend ?? 'auto';
  if (!(Object.values(BackendChoice) as string[]).includes(backend))
    throw new PkiError(PkiErrorCode.usage, `--backend must be auto, node or liboqs`);
  const identities = values.identities?.split(',').map((name) => name.trim()) ?? ALL_IDENTITIES;
  const unknown = identities.filter((name) => !isIdentityName(name));
  if (unknown.length > 0) throw new PkiError(PkiErrorCode.unknownIdentity, `unknown identities: ${unknown.join(', ')}`);
  const options: PkiOptions = {
    ...defaultPkiOptions,
    ...(values.out !== undefined && { out: values.out }),
    ...(values['trust-domain'] !== undefined && { trustDomain: values['trust-domain'] }),
    ...(values['nats-listen'] !== undefined && { natsListen: values['nats-listen'] }),
    ...(values['jetstream-dir'] !== undefined && { jetStreamDir: values['jetstream-dir'] }),
    ...(values.prefix !== undefined && { subjectPrefix: values.prefix }),
    natsHostnames: values['nats-hostname'] ?? [],
    days: integer(values.days, defaultPkiOptions.days, '--days'),
    identities: identities.filter(isIdentityName),
    backend: backend as BackendChoice,
  };
  switch (command) {
    case 'init':
      return initPki(options);
    case 'rotate': {
      const name = values.identity;
      if (name === undefined || !isIdentityName(name))
        throw new PkiError(PkiErrorCode.usage, `rotate needs --identity (one of ${ALL_IDENTITIES.join(', ')})`);
      return rotateIdentity(options, name, integer(values['overlap-hours'], 24, '--overlap-hours'));
    }
    case 'migrate':
      return migrateKeyFiles(options);
    case 'bundle':
      return `wrote ${await writeTrustBundle(options)}`;
    case 'nats-config':
      return `wrote ${await writeNatsConfig(options)}`;
    case 'api-key':
      return apiKeyCommand(positionals[1], values, values['keys-file'] ?? path.join(options.out, 'api-keys.json'));
    default:
      throw new PkiError(PkiErrorCode.usage, `unknown command "${command}"\n\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (result) => {
    if (typeof result === 'string') {
      process.stdout.write(result.endsWith('\n') ? result : `${result}\n`);
      return;
    }
    if ('stdout' in result) {
      if (result.stderr !== undefined) process.stderr.write(`${result.stderr}\n`);
      if (result.stdout !== '') process.stdout.write(`${result.stdout}\n`);
      return;
    }
    for (const file of result.created) process.stdout.write(`created  ${file}\n`);
    for (const file of result.migrated) process.stdout.write(`migrated ${file}\n`);
    for (const file of result.kept) process.stdout.write(`kept     ${file}\n`);
    for (const note of result.notes) process.stdout.write(`note     ${note}\n`);
  },
  (error: unknown) => {
    const code = error instanceof PkiError ? error.code : 'error';
    process.stderr.write(`mapek pki: ${error instanceof Error ? error.message : String(error)} [${code}]\n`);
    process.exitCode = 1;
  },
);
