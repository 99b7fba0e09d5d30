import { BucketName, ConsumerName, StreamName, SubjectKind, eventRegistry, inboxPrefixOf, type EventType } from '@mapek/contracts';
import { IdentityName } from './service-identities.js';

export interface SubjectPermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  /** May reply to requests it received (core request-reply, NATS services framework). */
  readonly allowResponses: boolean;
}

/** Which service owns each durable consumer, and on which stream (the services' bootstraps create them). */
export const durableConsumers: Readonly<Record<ConsumerName, { readonly owner: IdentityName; readonly stream: StreamName }>> = {
  [ConsumerName.analyzer]: { owner: IdentityName.analyzer, stream: StreamName.events },
  [ConsumerName.analyzerSamples]: { owner: IdentityName.analyzer, stream: StreamName.telemetry },
  [ConsumerName.planner]: { owner: IdentityName.planner, stream: StreamName.events },
  [ConsumerName.executor]: { owner: IdentityName.executor, stream: StreamName.events },
  [ConsumerName.executorCommands]: { owner: IdentityName.executor, stream: StreamName.events },
  [ConsumerName.knowledge]: { owner: IdentityName.knowledge, stream: StreamName.events },
  [ConsumerName.knowledgeDeadLetters]: { owner: IdentityName.knowledge, stream: StreamName.deadLetter },
};

/** Which service writes each KV bucket; others may be granted reads. */
const bucketOwners: Readonly<Record<BucketName, IdentityName>> = {
  [BucketName.analyzerState]: IdentityName.analyzer,
  [BucketName.plannerPlans]: IdentityName.planner,
  [BucketName.executorExecutions]: IdentityName.executor,
  [BucketName.executorLeases]: IdentityName.executor,
  [BucketName.gatewayState]: IdentityName.gateway,
};

const api = '$JS.API';
const streamNames = Object.values(StreamName);

/** A service's JetStream needs, turned into rights by {@link jetStreamRights}. */
interface JetStreamNeeds {
  /** Streams it reads with short-lived ordered consumers (the gateway's feed, the executor's history). */
  readonly orderedReads?: readonly StreamName[];
  /** Buckets it reads (keys, get) but does not write. */
  readonly bucketReads?: readonly BucketName[];
  /** Consumer info of every durable (the gateway's /status lag figures). */
  readonly consumerInfo?: boolean;
}

interface Rights {
  readonly publish: string[];
  readonly publishDeny: string[];
  readonly subscribe: string[];
}

/**
 * JetStream rights of one service identity, least privilege: no stream or bucket management (the
 * `cli` identity provisions them), full control of its own durable consumers only, reads of the
 * streams' info, and replies on its own inbox (`inboxPrefixOf`). Subject forms follow the
 * JetStream API as nats.js v3 calls it on nats-server 2.9:
 *   durable D on stream S   CONSUMER.{INFO,CREATE,DURABLE.CREATE,MSG.NEXT}.S.D[.filter], $JS.ACK.S.D.>,
 *                           STREAM.MSG.GET.S (to copy a message the server gave up on to the DLQ),
 *                           the max-deliveries advisory of S.D, and the dead-letter subject dlq.D
 *   ordered read of S       CONSUMER.{CREATE,MSG.NEXT,DELETE,INFO}.S.<random name>, with every
 *                           other service's durable on S denied (no stealing or redefining it)
 *   bucket B                STREAM.INFO.KV_B, DIRECT.GET / STREAM.MSG.GET, ordered push consumers
 *                           for keys() with their flow control ($JS.FC), and $KV.B.> for the owner
 */
export function jetStreamRights(identity: IdentityName, prefix: string, needs: JetStreamNeeds = {}): Rights {
  const publish: string[] = [`${api}.INFO`, ...streamNames.map((stream) => `${api}.STREAM.INFO.${stream}`)];
  const publishDeny: string[] = [];
  const subscribe: string[] = [`${inboxPrefixOf(identity)}.>`];
  const owned = (Object.entries(durableConsumers) as Array<[ConsumerName, (typeof durableConsumers)[ConsumerName]]>).filter(
    ([, c]) => c.owner === identity,
  );
  for (const [durable, { stream }] of owned) {
    publish.push(
      `${api}.CONSUMER.INFO.${stream}.${durable}`,
      `${api}.CONSUMER.CREATE.${stream}.${durable}`,
      `${api}.CONSUMER.CREATE.${stream}.${durable}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
      `${api}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.ACK.${stream}.${durable}.>`,
      `${api}.STREAM.MSG.GET.${stream}`,
      `${prefix}.${SubjectKind.dlq}.${durable}`,
    );
    subscribe.push(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`);
  }
  for (const stream of needs.orderedReads ?? []) {
    publish.push(
      `${api}.CONSUMER.CREATE.${stream}.*`,
      `${api}.CONSUMER.CREATE.${stream}.*.>`,
      `${api}.CONSUMER.MSG.NEXT.${stream}.*`,
      `${api}.CONSUMER.DELETE.${stream}.*`,
      `${api}.CONSUMER.INFO.${stream}.*`,
    );
    for (const [durable, consumer] of Object.entries(durableConsumers)) {
      if (consumer.stream !== stream || consumer.owner === identity) continue;
      publishDeny.push(
        `${api}.CONSUMER.CREATE.${stream}.${durable}`,
        `${api}.CONSUMER.CREATE.${stream}.${durable}.>`,
        `${api}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
        `${api}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
        `${api}.CONSUMER.DELETE.${stream}.${durable}`,
      );
    }
  }
  if (needs.consumerInfo) {
    for (const [durable, { stream }] of Object.entries(durableConsumers)) publish.push(`${api}.CONSUMER.INFO.${stream}.${durable}`);
  }
  const writes = (Object.entries(bucketOwners) as Array<[BucketName, IdentityName]>)
    .filter(([, owner]) => owner === identity)
    .map(([bucket]) => bucket);
  for (const bucket of [...writes, ...(needs.bucketReads ?? [])]) {
    const stream = `KV_${bucket}`;
    publish.push(
      `${api}.STREAM.INFO.${stream}`,
      `${api}.DIRECT.GET.${stream}`,
      `${api}.DIRECT.GET.${stream}.>`,
      `${api}.STREAM.MSG.GET.${stream}`,
      `${api}.CONSUMER.CREATE.${stream}.>`,
      // A watch of several keys at once (one ordered consumer with several filter subjects) is
      // created on the stream's bare subject: the planner's cooldowns, approvals and resolved marks.
      `${api}.CONSUMER.CREATE.${stream}`,
      `${api}.CONSUMER.INFO.${stream}.*`,
      `${api}.CONSUMER.DELETE.${stream}.*`,
      `$JS.FC.${stream}.>`,
    );
  }
  publish.push(...writes.map((bucket) => `$KV.${bucket}.>`));
  return { publish: [...new Set(publish)], publishDeny: [...new Set(publishDeny)], subscribe };
}

/**
 * The event subjects an identity may publish: one per event type whose `emitters` in
 * libs/contracts' eventRegistry name it. The registry is the one source; the verifier's policy
 * (libs/messaging eventPolicyFromRegistry) reads the same table.
 */
export function eventSubjectsEmittedBy(identity: string, prefix: string): string[] {
  const kinds = (Object.keys(eventRegistry) as EventType[])
    .filter((type) => (eventRegistry[type].emitters as readonly string[]).includes(identity))
    .map((type) => eventRegistry[type].subjectKind);
  return [...new Set(kinds)].map((kind) => `${prefix}.${kind}.>`);
}

/** Every event subject of the registry, whoever emits it: what a read-only subscriber may read. */
export function eventSubjects(prefix: string): string[] {
  const kinds = (Object.keys(eventRegistry) as EventType[]).map((type) => eventRegistry[type].subjectKind);
  return [...new Set(kinds)].map((kind) => `${prefix}.${kind}.>`);
}

/**
 * Who may publish and subscribe where, following the subject hierarchy of DESIGN.md §2
 * (prefix default `mapek`). Event subjects come from the registry's emitters. Services read their
 * inputs through JetStream pull consumers, so they need no core subscription on event subjects:
 * deliveries arrive on their own inbox (`_INBOX_<identity>.>`), which no one else may read.
 *   monitor   → samples, symptoms; ordered reads of the telemetry stream (the targets' heartbeats,
 *               followed live)
 *   analyzer  → analyses, symptoms (the registry lets it emit derived symptoms), incidents (a signal
 *               resolved before a remedy); its KV bucket
 *   planner   → plans.{proposed,approved,rejected}, flags (autonomy ladder); queries knowledge; its KV bucket;
 *               answers mapek.svc.planner.> (incident replay)
 *   executor  → executions, outcomes, actuate (core request to the agent); its KV bucket;
 *               ordered reads of the event stream (symptom history)
 *   gateway   → decisions, commands, flag changes, Alertmanager's alerts (firing ones as symptoms,
 *               resolved ones on alerts), heartbeats (its heartbeat endpoint); queries knowledge; ordered reads of the
 *               event stream (WebSocket feed), reads the plans bucket (plans, flags), writes its own
 *               bucket (shared rate-limit counters) and reads every durable's info (/status)
 *   knowledge → answers mapek.svc.> (NATS services framework, $SRV discovery)
 *   agent     → answers mapek.actuate.> requests; pushes symptoms (its own threshold crossings) and heartbeats;
 *               reads the stream's acknowledgements on its own inbox; no JetStream API
 *   cli       → administrator: JetStream management (provisioning), knowledge queries, reads
 *               everything but actuate, may re-file dead letters; sends no loop events
 *   subscriber → reads every event subject with core subscriptions (examples/subscribers); publishes
 *               nothing, no JetStream API, no actuate, svc or dead-letter subjects
 * No service may create, update or delete a stream or bucket, or touch another service's durable.
 */
export function natsPermissions(prefix: string): Readonly<Record<IdentityName, SubjectPermissions>> {
  const s = (kind: string) => `${prefix}.${kind}.>`;
  const emits = (identity: IdentityName) => eventSubjectsEmittedBy(identity, prefix);
  const service = (
    identity: IdentityName,
    extra: { publish?: string[]; subscribe?: string[]; subscribeDeny?: string[]; allowResponses?: boolean },
    needs?: JetStreamNeeds,
  ): SubjectPermissions => {
    const js = jetStreamRights(identity, prefix, needs);
    return {
      publish: {
        allow: [...emits(identity), ...(extra.publish ?? []), ...js.publish],
        ...(js.publishDeny.length > 0 ? { deny: js.publishDeny } : {}),
      },
      subscribe: { allow: [...(extra.subscribe ?? []), ...js.subscribe], ...(extra.subscribeDeny ? { deny: extra.subscribeDeny } : {}) },
      allowResponses: extra.allowResponses ?? false,
    };
  };
  return {
    [IdentityName.monitor]: service(IdentityName.monitor, {}, { orderedReads: [StreamName.telemetry] }),
    [IdentityName.analyzer]: service(IdentityName.analyzer, {}),
    // The planner answers its own read-only endpoints (incident replay) on the services framework.
    [IdentityName.planner]: service(IdentityName.planner, {
      publish: [s('svc')],
      subscribe: [`${prefix}.svc.planner.>`, '$SRV.>'],
      allowResponses: true,
    }),
    [IdentityName.executor]: service(IdentityName.executor, { publish: [s('actuate')] }, { orderedReads: [StreamName.events] }),
    [IdentityName.knowledge]: service(IdentityName.knowledge, { subscribe: [s('svc'), '$SRV.>'], allowResponses: true }),
    [IdentityName.gateway]: service(
      IdentityName.gateway,
      { publish: [s('svc')] },
      { orderedReads: [StreamName.events], bucketReads: [BucketName.plannerPlans], consumerInfo: true },
    ),
    // An agent answers actuation requests and pushes its own threshold crossings as symptoms
    // (the registry's emitters); the stream's acknowledgement comes back on its own inbox. It has
    // no JetStream API rights: a publish to an event subject is stored by the stream that captures it.
    [IdentityName.agent]: {
      publish: { allow: emits(IdentityName.agent) },
      subscribe: { allow: [s('actuate'), `${inboxPrefixOf(IdentityName.agent)}.>`] },
      allowResponses: true,
    },
    // The operator's identity and the administrator of the NATS topology: `mapek provision` and the
    // start command create the streams and buckets as cli. It sends no loop events.
    [IdentityName.cli]: {
      publish: { allow: [s('svc'), s('dlq'), '$JS.API.>', '$JS.ACK.>', '$JS.FC.>'] },
      subscribe: { allow: [`${prefix}.>`, '_INBOX.>', `${inboxPrefixOf(IdentityName.cli)}.>`, '$JS.EVENT.>'], deny: [s('actuate')] },
      allowResponses: false,
    },
    // A read-only observer (examples/subscribers): core subscriptions on the event subjects and its
    // own inbox. It may publish nothing at all, so it can neither send an event nor call the
    // JetStream API; it sees events as they are published, not the stream's history.
    [IdentityName.subscriber]: {
      publish: { allow: [], deny: ['>'] },
      subscribe: { allow: [...eventSubjects(prefix), `${inboxPrefixOf(IdentityName.subscriber)}.>`] },
      allowResponses: false,
    },
  };
}

/**
 * The inbox a client connecting as `identity` must use: a service identity may read replies only
 * on its own `_INBOX_<identity>` (granted above); `cli`, an operator's tool, keeps nats.js's
 * default `_INBOX`. Spread into nats.js connect options.
 */
export function inboxOptionsOf(identity: string): { inboxPrefix?: string } {
  return identity === IdentityName.cli ? {} : { inboxPrefix: inboxPrefixOf(identity) };
}
