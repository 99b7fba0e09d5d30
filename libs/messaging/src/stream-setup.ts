import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { StreamName, SubjectKind, subjectWildcard } from '@mapek/contracts';

export interface StreamTopology {
  readonly prefix: string;
  /** 1 locally, 3 in a cluster. */
  readonly replicas: number;
  readonly telemetryMaxAgeMs?: number;
  readonly eventsMaxAgeMs?: number;
  readonly duplicateWindowMs?: number;
}

/** The three streams mapek needs; every service ensures them at start (idempotent). */
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
      duplicate_window: nanos(60_000),
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
      ].map((kind) => `${p}.${kind}.>`),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(topology.eventsMaxAgeMs ?? 7 * 24 * 3600_000),
      duplicate_window: nanos(topology.duplicateWindowMs ?? 10 * 60_000),
      num_replicas: topology.replicas,
    },
    {
      name: StreamName.deadLetter,
      subjects: [subjectWildcard(SubjectKind.dlq, p)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(14 * 24 * 3600_000),
      duplicate_window: nanos(10 * 60_000),
      num_replicas: topology.replicas,
    },
  ];
}

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
