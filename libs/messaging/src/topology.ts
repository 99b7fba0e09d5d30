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
import { BucketName, DuplicateWindowMs, StreamName, SubjectKind, subjectWildcard } from '@mapek/contracts';
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
      subjects: [subjectWildcard(SubjectKind.samples, p)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(topology.telemetryMaxAgeMs ?? 15 * 60_000),
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
      ].map((kind) => `${p}.${kind}.>`),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(topology.eventsMaxAgeMs ?? 7 * 24 * 3600_000),
      duplicate_window: nanos(DuplicateWindowMs[StreamName.events]),
      num_replicas: topology.replicas,
    },
    {
      name: StreamName.deadLetter,
      subjects: [subjectWildcard(SubjectKind.dlq, p)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(14 * 24 * 3600_000),
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
  /** Values kept per key (the plans bucket keeps a short history for the gateway). */
  readonly history: number;
  /** Whole-bucket max age (nats-server 2.9 has no per-key TTL); none when undefined. */
  readonly ttlMs?: number;
}

/** Every KV bucket and how it is created; the owning service alone may write it (tools/pki). */
export const bucketSettings: Readonly<Record<BucketName, BucketSettings>> = {
  [BucketName.analyzerState]: { history: 1 },
  [BucketName.plannerPlans]: { history: 5 },
  [BucketName.executorExecutions]: { history: 1 },
};

/** The stream behind a KV bucket (`KV_<bucket>`), as nats-server names it. */
export function bucketStreamName(bucket: BucketName): string {
  return `KV_${bucket}`;
}

/** Creates (or binds to) one bucket with its settings. */
export async function ensureBucket(js: JetStreamClient, bucket: BucketName, replicas: number): Promise<KV> {
  const settings = bucketSettings[bucket];
  return new Kvm(js).create(bucket, {
    replicas,
    history: settings.history,
    ...(settings.ttlMs !== undefined ? { ttl: settings.ttlMs } : {}),
  });
}

/** Binds to a bucket someone else provisioned; a missing bucket is a {@link TopologyError}. */
export async function bindBucket(js: JetStreamClient, bucket: BucketName): Promise<KV> {
  try {
    const kv = await new Kvm(js).open(bucket);
    await kv.status(); // open() only makes a handle; this reads the bucket's stream info
    return kv;
  } catch (error) {
    throw topologyError(`KV bucket ${bucket}`, error);
  }
}

export interface ProvisionReport {
  readonly streams: readonly string[];
  readonly buckets: readonly BucketName[];
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
  const reason = missing ? 'does not exist' : denied ? 'may not be read by this NATS user' : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new TopologyError(
    missing ? 'topology_missing' : denied ? 'topology_denied' : 'topology_unreadable',
    `${what} ${reason}: provision the NATS topology first (\`./mapek provision\`, or MAPEK_NATS_PROVISION=true for a NATS user that may manage streams)`,
    { cause: error },
  );
}
