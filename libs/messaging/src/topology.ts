import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { BucketName, DuplicateWindowMs, StreamMaxAgeMs, StreamName, SubjectKind, subjectWildcard } from '@mapek/contracts';
import { KvBucket } from './kv-store.js';
import { TopologyError } from './messaging.errors.js';

/**
 * What mapek needs on the NATS account: three streams and one KV bucket per stateful service.
 *
 * Provisioning (creating and updating them) is an administrator's job: `mapek provision`, the
 * start command, or a deployment job connects as the `cli` identity, which alone holds the
 * JetStream management rights. A service with an identity only checks that they exist and binds
 * to them; without an identity (development, tests) a service provisions them itself
 * (`MAPEK_NATS_PROVISION`).
 */
export interface StreamTopology {
  readonly prefix: string;
  /** 1 locally, 3 in a cluster. */
  readonly replicas: number;
  readonly telemetryMaxAgeMs?: number;
  readonly eventsMaxAgeMs?: number;
}

/** The three streams mapek needs (the KV buckets are streams too: see {@link bucketSettings}). */
export function streamConfigs(topology: StreamTopology): Array<Partial<StreamConfig> & { name: string; subjects: string[] }> {
  const p = topology.prefix;
  return [
    {
      name: StreamName.telemetry,
      subjects: [subjectWildcard(SubjectKind.samples, p), subjectWildcard(SubjectKind.heartbeats, p)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(topology.telemetryMaxAgeMs ?? StreamMaxAgeMs[StreamName.telemetry]),
      max_bytes: 512 * 1024 * 1024,
      duplicate_window: nanos(DuplicateWindowMs[StreamName.telemetry]),
      num_replicas: topology.replicas,
    },
    {
      name: StreamName.events,
      subjects: [
        SubjectKind.symptoms,
        SubjectKind.analyses,
        'plans',
        SubjectKind.decisions,
        SubjectKind.executions,
        SubjectKind.outcomes,
        SubjectKind.commands,
        SubjectKind.flags,
        SubjectKind.alerts,
        SubjectKind.incidents,
      ].map((kind) => `${p}.${kind}.>`),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(topology.eventsMaxAgeMs ?? StreamMaxAgeMs[StreamName.events]),
      duplicate_window: nanos(DuplicateWindowMs[StreamName.events]),
      num_replicas: topology.replicas,
    },
    {
      name: StreamName.deadLetter,
      subjects: [subjectWildcard(SubjectKind.dlq, p)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(StreamMaxAgeMs[StreamName.deadLetter]),
      duplicate_window: nanos(DuplicateWindowMs[StreamName.deadLetter]),
      num_replicas: topology.replicas,
    },
  ];
}

/** Creates or updates the three streams (idempotent; two provisioners racing is fine). */
export async function ensureStreams(jsm: JetStreamManager, topology: StreamTopology): Promise<void> {
  for (const config of streamConfigs(topology)) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.status === 404) {
        try {
          await jsm.streams.add(config);
        } catch (addError) {
          // Another service created it between our info and add: fine.
          if (!(addError instanceof JetStreamApiError) || !/already in use/i.test(addError.message)) throw addError;
        }
      } else {
        throw error;
      }
    }
  }
}

export interface BucketSettings {
  /**
   * Values kept per key. Every bucket keeps one: with more, an older revision written without a
   * TTL would show again once the latest, with one, expired (ADR 0007). A record's history is in
   * the event stream and knowledge.
   */
  readonly history: 1;
  /** Whole-bucket max age; none when undefined. */
  readonly ttlMs?: number;
  /**
   * Entries may carry their own time to live (`allow_msg_ttl`, nats-server 2.11+): a write with
   * `ttlMs` (see {@link KvBucket}) is removed by the server when it runs out. Once on, the server
   * never turns it off again.
   */
  readonly entryTtl: boolean;
}

/** Every KV bucket and how it is created; the owning service alone may write it (tools/pki). */
export const bucketSettings: Readonly<Record<BucketName, BucketSettings>> = {
  // index.<incidentId> entries expire; detector and incident state per target do not.
  [BucketName.analyzerState]: { history: 1, entryTtl: true },
  // plan records, cooldowns and hourly counters expire.
  [BucketName.plannerPlans]: { history: 1, entryTtl: true },
  // execution records expire; circuit breakers do not.
  [BucketName.executorExecutions]: { history: 1, entryTtl: true },
  // leases expire (a replica that dies frees its target), as do the sliding-window counters.
  [BucketName.executorLeases]: { history: 1, entryTtl: true },
  // rate-limit counters expire once their client's allowance is full again.
  [BucketName.gatewayState]: { history: 1, entryTtl: true },
};

/** The stream behind a KV bucket (`KV_<bucket>`), as nats-server names it. */
export function bucketStreamName(bucket: BucketName): string {
  return `KV_${bucket}`;
}

/**
 * Creates (or binds to) one bucket with its settings, and brings a bucket an earlier version
 * created to them: per-entry TTLs switched on, the values kept per key (earlier: 5 for plans) cut
 * to the setting, which drops the older revisions at once.
 */
export async function ensureBucket(js: JetStreamClient, bucket: BucketName, replicas: number): Promise<KvBucket> {
  const settings = bucketSettings[bucket];
  const kv = await new Kvm(js).create(bucket, {
    replicas,
    history: settings.history,
    ...(settings.ttlMs !== undefined ? { ttl: settings.ttlMs } : {}),
  });
  const jsm = await js.jetstreamManager();
  const { config } = await jsm.streams.info(bucketStreamName(bucket));
  const changes = {
    ...(settings.entryTtl && config.allow_msg_ttl !== true ? { allow_msg_ttl: true } : {}),
    ...(config.max_msgs_per_subject !== settings.history ? { max_msgs_per_subject: settings.history } : {}),
  };
  if (Object.keys(changes).length > 0) await jsm.streams.update(bucketStreamName(bucket), changes);
  return new KvBucket(kv, js, bucket);
}

/**
 * Binds to a bucket someone else provisioned; a missing bucket, or one provisioned by an earlier
 * version without the per-entry TTLs this one writes, is a {@link TopologyError}.
 */
export async function bindBucket(js: JetStreamClient, bucket: BucketName): Promise<KvBucket> {
  let allowsEntryTtl: boolean;
  let kv: KV;
  try {
    kv = await new Kvm(js).open(bucket);
    // open() only makes a handle; status() reads the bucket's stream info.
    allowsEntryTtl = (await kv.status()).streamInfo.config.allow_msg_ttl === true;
  } catch (error) {
    throw topologyError(`KV bucket ${bucket}`, error);
  }
  if (bucketSettings[bucket].entryTtl && !allowsEntryTtl) {
    throw new TopologyError(
      'topology_outdated',
      `KV bucket ${bucket} does not allow per-entry TTLs (an earlier mapek provisioned it): provision the NATS topology again (\`./mapek provision\`)`,
    );
  }
  return new KvBucket(kv, js, bucket);
}

export interface ProvisionReport {
  readonly streams: readonly string[];
  readonly buckets: readonly BucketName[];
}

/** The oldest nats-server mapek runs on: multi-filter consumers (2.10), per-message TTL (2.11), X25519MLKEM768 (2.12). */
export const MIN_NATS_SERVER_VERSION = '2.12.0';

/** Whether a nats-server version (`2.14.10`, `v2.12.0-beta.1`) is at least {@link MIN_NATS_SERVER_VERSION}. */
export function isSupportedNatsServer(version: string): boolean {
  const parse = (text: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(text) ?? []).slice(1, 4).map(Number);
  const [major = 0, minor = 0, patch = 0] = parse(version);
  const [wantMajor = 0, wantMinor = 0, wantPatch = 0] = parse(MIN_NATS_SERVER_VERSION);
  return major !== wantMajor ? major > wantMajor : minor !== wantMinor ? minor > wantMinor : patch >= wantPatch;
}

/** Refuses a server older than {@link MIN_NATS_SERVER_VERSION} with a readable {@link TopologyError}. */
export function assertSupportedNatsServer(version: string | undefined): void {
  if (version !== undefined && isSupportedNatsServer(version)) return;
  throw new TopologyError(
    'nats_server_too_old',
    `nats-server ${version ?? '(unknown version)'} is too old: mapek needs ${MIN_NATS_SERVER_VERSION} or newer (multi-filter consumers, per-message TTL, X25519MLKEM768)`,
  );
}

/** Everything an administrator sets up before the services start: the streams and every bucket. */
export async function provisionTopology(js: JetStreamClient, jsm: JetStreamManager, topology: StreamTopology): Promise<ProvisionReport> {
  await ensureStreams(jsm, topology);
  const buckets = Object.values(BucketName);
  for (const bucket of buckets) await ensureBucket(js, bucket, topology.replicas);
  return { streams: streamConfigs(topology).map((config) => config.name), buckets };
}

/** Checks that the three streams exist (a service that does not provision); throws a readable {@link TopologyError}. */
export async function verifyStreams(jsm: JetStreamManager, topology: StreamTopology): Promise<void> {
  for (const config of streamConfigs(topology)) {
    try {
      await jsm.streams.info(config.name);
    } catch (error) {
      throw topologyError(`stream ${config.name}`, error);
    }
  }
}

function topologyError(what: string, error: unknown): TopologyError {
  const missing = error instanceof JetStreamApiError && error.status === 404;
  const denied = error instanceof Error && /permission/i.test(error.name + error.message);
  const reason = missing
    ? 'does not exist'
    : denied
      ? 'may not be read by this NATS user'
      : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new TopologyError(
    missing ? 'topology_missing' : denied ? 'topology_denied' : 'topology_unreadable',
    `${what} ${reason}: provision the NATS topology first (\`./mapek provision\`, or MAPEK_NATS_PROVISION=true for a NATS user that may manage streams)`,
    { cause: error },
  );
}
