#!/usr/bin/env node
import { BackendChoice } from '@mapek/pqc';
import { parseArgs } from 'node:util';
import { defaultPkiOptions, initPki, type PkiOptions, type PkiReport, rotateIdentity, writeNatsConfig, writeTrustBundle } from './pki.commands.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';
import { ALL_IDENTITIES, isIdentityName } from './service-identities.js';

const usage = `usage: mapek pki <command> [options]

commands:
  init                 create the dev CA, every identity, the nats-server config and the trust bundle
                       (keeps what already exists)
  rotate --identity N  new ML-DSA-65 + X-Wing keys and certificate for N; old keys stay valid
                       for --overlap-hours, then drop out of the bundle
  bundle               re-sign trust-bundle.json from the identities' key files
  nats-config          rewrite nats/nats-server.conf

options:
  --out DIR             output directory (default ./certs)
  --trust-domain TD     SPIFFE trust domain (default mapek.local)
  --days N              validity of certificates, keys and bundle (default 90)
  --identities a,b      subset of: ${ALL_IDENTITIES.join(', ')}
  --identity N          identity to rotate
  --overlap-hours H     rotation overlap (default 24)
  --nats-listen H:P     nats-server listen address (default 127.0.0.1:4222)
  --nats-hostname H     extra DNS name for the nats-server certificate (repeatable)
  --jetstream-dir DIR   JetStream store dir in the config (default <out>/nats/jetstream)
  --prefix P            subject prefix (default mapek)
  --backend B           auto | node | liboqs (default auto)
`;

function integer(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new PkiError(PkiErrorCode.usage, `${flag} must be a positive integer`);
  return value;
}

async function main(argv: readonly string[]): Promise<PkiReport | string> {
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) return usage;
  const backend = values.backend ?? 'auto';
  if (!(Object.values(BackendChoice) as string[]).includes(backend)) throw new PkiError(PkiErrorCode.usage, `--backend must be auto, node or liboqs`);
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
      if (name === undefined || !isIdentityName(name)) throw new PkiError(PkiErrorCode.usage, `rotate needs --identity (one of ${ALL_IDENTITIES.join(', ')})`);
      return rotateIdentity(options, name, integer(values['overlap-hours'], 24, '--overlap-hours'));
    }
    case 'bundle':
      return `wrote ${await writeTrustBundle(options)}`;
    case 'nats-config':
      return `wrote ${await writeNatsConfig(options)}`;
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
    for (const file of result.created) process.stdout.write(`created ${file}\n`);
    for (const file of result.kept) process.stdout.write(`kept    ${file}\n`);
  },
  (error: unknown) => {
    const code = error instanceof PkiError ? error.code : 'error';
    process.stderr.write(`mapek pki: ${error instanceof Error ? error.message : String(error)} [${code}]\n`);
    process.exitCode = 1;
  },
);
