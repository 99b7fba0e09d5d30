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
import { provisionNats } from './nats-provisioner.js';
import { natsClientTls } from './stack-credentials.js';

function fail(message: string): never {
  process.stderr.write(`mapek provision: ${message}\n`);
  process.exit(78); // EX_CONFIG
}

const env = process.env;
const natsUrl = env['NATS_URL'] || 'nats://127.0.0.1:4222';
const prefix = env['MAPEK_SUBJECT_PREFIX'] || 'mapek';
if (!/^[A-Za-z0-9_-]+$/.test(prefix)) fail(`MAPEK_SUBJECT_PREFIX must be one subject token, got "${prefix}"`);
const replicas = Number(env['MAPEK_STREAM_REPLICAS'] || '1');
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) fail(`MAPEK_STREAM_REPLICAS must be an integer from 1 to 5, got "${env['MAPEK_STREAM_REPLICAS']}"`);
const identityDir = env['MAPEK_IDENTITY_DIR'] || undefined;
const identity = env['MAPEK_IDENTITY'] || 'cli';
if (identityDir !== undefined && !existsSync(join(identityDir, identity, 'tls.crt'))) fail(`no ${identity} identity in ${identityDir} (create it with \`./mapek pki init\`)`);

try {
  const report = await provisionNats({ natsUrl, prefix, replicas, ...(identityDir !== undefined ? { tls: natsClientTls(identityDir, identity) } : {}) });
  console.log(`provisioned ${natsUrl}: streams ${report.streams.join(', ')}; buckets ${report.buckets.join(', ')} (replicas ${replicas})`);
} catch (error) {
  process.stderr.write(`mapek provision: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(69); // EX_UNAVAILABLE
}
