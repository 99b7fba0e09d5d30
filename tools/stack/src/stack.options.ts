import type { NatsSyncInterval } from './nats-server-config.js';
import type { RestartPolicy } from './process-supervisor.js';
import type { OutputSink } from './managed-process.js';
import type { ServiceDefinition } from './service-catalog.js';

/** Options of {@link startStack}; every one has a default that starts the whole mapek stack. */
export interface StackOptions {
  /** Repository root; service entries are relative to it. Default: the root this package sits in. */
  readonly rootDir?: string;
  /** Files of the spawned NATS (`nats/`), PGlite (`pglite/`) and the logs (`logs/`). Default: `<rootDir>/data`. */
  readonly dataDir?: string;
  /** Use this NATS instead of spawning nats-server (the CLI passes NATS_URL): one URL, or a cluster's several separated by commas. */
  readonly natsUrl?: string;
  /** Use this PostgreSQL instead of an embedded PGlite (the CLI passes DATABASE_URL). */
  readonly databaseUrl?: string;
  /** Start no database (for stacks whose services need none). Default false. */
  readonly withoutDatabase?: boolean;
  /** The processes to run. Default: {@link DEFAULT_SERVICES} (six services and the demo app). */
  readonly services?: readonly ServiceDefinition[];
  /** Extra environment per service name, applied last (e.g. shorter windows in e2e tests). */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Replicas of the streams and buckets the stack provisions (3 against a NATS cluster). Default 1. */
  readonly streamReplicas?: number;
  /** MAPEK_SUBJECT_PREFIX for every service. Default `mapek`. */
  readonly subjectPrefix?: string;
  /** LOG_LEVEL for every service. Default `info`. */
  readonly logLevel?: string;
  /**
   * The configuration file (`mapek.yaml`, absolute path): every loop service gets it as
   * MAPEK_CONFIG_FILE and follows its changes. The demo app, when it runs, stays a target of the
   * monitor beside the file's (a target of the file's with the demo app's name wins).
   */
  readonly configFile?: string;
  /** MAPEK_SCRAPE_INTERVAL_MS for the monitor. Default 1000. */
  readonly scrapeIntervalMs?: number;
  /**
   * Preferred ports by name (`nats`, `natsMonitor`, `postgres` or a service name) instead of the
   * usual ones; 0 means any free port. A taken port is always replaced by a free one.
   */
  readonly ports?: Readonly<Record<string, number>>;
  /** Skip the usual ports (4222, 5432, 8080, …) and take free ones: for tests beside a running stack. */
  readonly anyFreePort?: boolean;
  /** How long each process may take to become ready. Default 60 000 ms. */
  readonly readyTimeoutMs?: number;
  /** How long a SIGTERM'd process may take to exit before SIGKILL. Default 10 000 ms. */
  readonly stopTimeoutMs?: number;
  /** Receives every prefixed output line. Default: the parent's stdout. null: quiet. */
  readonly output?: OutputSink;
  /** Also write each process's raw output to `<dataDir>/logs/<name>.log`. Default true. */
  readonly logFiles?: boolean;
  /** nats-server binary, 2.12 or newer. Default: from PATH, else /usr/local/bin, /usr/bin, /usr/sbin. */
  readonly natsServerBinary?: string;
  /**
   * JetStream's fsync interval on the nats-server the stack starts (`jetstream.sync_interval`; the
   * CLI passes MAPEK_NATS_SYNC_INTERVAL). Default: nats-server's own, every 2 minutes, which is
   * fine for development. `always` fsyncs every write: what production runs, with R3 in a cluster
   * (docs/nats-server.md). Ignored with an external `natsUrl`.
   */
  readonly natsSyncInterval?: NatsSyncInterval;
  /**
   * `on` (default when the stack spawns nats-server): development credentials in
   * `<dataDir>/certs` (created on first run by tools/pki), nats-server with mTLS, verify_and_map
   * and per-identity permissions, every service with its identity (signed and checked events,
   * sealed actuation) and the gateway on HTTPS. `off` (default with an external `natsUrl`, which
   * the stack cannot configure): plain NATS and HTTP, nothing signed.
   */
  readonly security?: StackSecurity;
  /** Aborting it while the stack starts stops what was started and rejects. */
  readonly signal?: AbortSignal;
  /**
   * Restart a process that ends without being asked to (crash, kill -9), with backoff and jitter,
   * as compose or Kubernetes would (see {@link ProcessSupervisor}). Default true.
   */
  readonly supervise?: boolean;
  /** Backoff of those restarts. */
  readonly restartPolicy?: RestartPolicy;
  /**
   * Start Jaeger all-in-one (in-memory) and have every service export its spans to it over OTLP
   * (`./mapek start --traces`). Default false: no exporter, tracing costs nothing.
   */
  readonly traces?: boolean;
  /** Jaeger binary. Default: MAPEK_JAEGER_BIN (scripts/toolchain.sh ensure_jaeger), else PATH. */
  readonly jaegerBinary?: string;
}

export const StackSecurity = { on: 'on', off: 'off' } as const;
export type StackSecurity = (typeof StackSecurity)[keyof typeof StackSecurity];

export const STACK_DEFAULTS = {
  subjectPrefix: 'mapek',
  logLevel: 'info',
  scrapeIntervalMs: 1000,
  readyTimeoutMs: 60_000,
  stopTimeoutMs: 10_000,
  logFiles: true,
} as const;
