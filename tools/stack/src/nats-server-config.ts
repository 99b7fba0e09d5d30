import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * JetStream's fsync interval (`jetstream.sync_interval`): how often nats-server flushes stored
 * messages to disk. Unset, nats-server's default applies (every 2 minutes): an acknowledged
 * message can be lost when the machine, not just the process, goes down. `always` fsyncs every
 * write (production: with R3 in a cluster, see docs/nats-server.md); or a Go duration such as
 * `10s`.
 */
export type NatsSyncInterval = 'always' | `${number}${'ms' | 's' | 'm' | 'h'}`;

const syncIntervalPattern = /^(always|[1-9]\d*(ms|s|m|h))$/;

/** Whether a text is a {@link NatsSyncInterval} (the stack's MAPEK_NATS_SYNC_INTERVAL). */
export function isNatsSyncInterval(text: string): text is NatsSyncInterval {
  return syncIntervalPattern.test(text);
}

export interface StackNatsConfigOptions {
  /** Where the file goes; `include` paths are taken relative to it. */
  readonly file: string;
  /** JetStream store directory. */
  readonly storeDir: string;
  /** The config `mapek pki` wrote (TLS, identities, permissions), with security on. */
  readonly pkiConfig?: string;
  /** Unset: nats-server's default (2 min). */
  readonly syncInterval?: NatsSyncInterval;
}

/**
 * The nats-server config the stack starts its server with: `mapek pki`'s config (TLS with client
 * certificates, one user per identity), included as it is, then the JetStream block, which the
 * stack owns (the store and the fsync interval; it replaces the one in the included file).
 * Address and ports come from the command line.
 */
export function renderStackNatsConfig(options: StackNatsConfigOptions): string {
  // nats-server resolves an include relative to the including file and accepts no absolute path.
  const include = options.pkiConfig === undefined ? undefined : relative(dirname(options.file), options.pkiConfig).split(sep).join('/');
  return [
    '# Written by the mapek stack on every start: change the stack options, not this file.',
    ...(include === undefined ? [] : [`include ${JSON.stringify(include)}`]),
    '',
    'jetstream {',
    `  store_dir: ${JSON.stringify(options.storeDir)}`,
    ...(options.syncInterval === undefined
      ? ["  # sync_interval: nats-server's default (2m)"]
      : [`  sync_interval: ${JSON.stringify(options.syncInterval)}`]),
    '}',
    '',
  ].join('\n');
}

/** Writes {@link renderStackNatsConfig} to `<dataDir>/nats-server.conf` and returns its path. */
export async function writeStackNatsConfig(dataDir: string, options: Omit<StackNatsConfigOptions, 'file' | 'storeDir'>): Promise<string> {
  const file = join(dataDir, 'nats-server.conf');
  await writeFile(file, renderStackNatsConfig({ ...options, file, storeDir: join(dataDir, 'nats') }));
  return file;
}
