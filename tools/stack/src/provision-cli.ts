#!/usr/bin/env node
/**
 * `./mapek provision` (`node tools/stack/dist/provision-cli.js`): creates or updates mapek's
 * JetStream streams and KV buckets on an existing NATS, as the administrator. Run it before the
 * services start wherever they run with identities (their NATS users may not manage streams), and
 * again after an upgrade. The start command does this itself for the stack it starts.
 *
 * Environment: NATS_URL (default nats://127.0.0.1:4222), MAPEK_SUBJECT_PREFIX (default mapek),
 * MAPEK_STREAM_REPLICAS (default 1; 3 in a cluster), MAPEK_IDENTITY_DIR (the `mapek pki` directory:
 * connect over mTLS as MAPEK_IDENTITY, default `cli`; unset: a plain connection).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, commonConfig, env, loadConfig } from '@mapek/config';
import { provisionNats } from './nats-provisioner.js';
import { natsClientTls } from './stack-credentials.js';

function fail(message: string, exitCode: number): never {
  process.stderr.write(`mapek provision: ${message}\n`);
  process.exit(exitCode);
}

// The same variables, with the same validation and messages, as the services read.
const common = commonConfig(0);
const spec = {
  NATS_URL: common.NATS_URL,
  MAPEK_SUBJECT_PREFIX: common.MAPEK_SUBJECT_PREFIX,
  MAPEK_STREAM_REPLICAS: common.MAPEK_STREAM_REPLICAS,
  MAPEK_IDENTITY_DIR: common.MAPEK_IDENTITY_DIR,
  MAPEK_IDENTITY: { schema: env.string('cli'), description: 'identity under MAPEK_IDENTITY_DIR that may manage streams and buckets' },
};
function readSettings() {
  try {
    return loadConfig(spec, { service: 'mapek provision' }).values;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.problems.join('; '), 78); // EX_CONFIG
    throw error;
  }
}
const {
  NATS_URL: natsUrl,
  MAPEK_SUBJECT_PREFIX: prefix,
  MAPEK_STREAM_REPLICAS: replicas,
  MAPEK_IDENTITY_DIR: identityDir,
  MAPEK_IDENTITY: identity,
} = readSettings();
if (identityDir !== undefined && !existsSync(join(identityDir, identity, 'tls.crt')))
  fail(`no ${identity} identity in ${identityDir} (create it with \`./mapek pki init\`)`, 78);

try {
  const report = await provisionNats({
    natsUrl,
    prefix,
    replicas,
    ...(identityDir !== undefined ? { tls: natsClientTls(identityDir, identity) } : {}),
  });
  console.log(`provisioned ${natsUrl}: streams ${report.streams.join(', ')}; buckets ${report.buckets.join(', ')} (replicas ${replicas})`);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error), 69); // EX_UNAVAILABLE
}
