import { BucketName, eventRegistry, type EventType } from '@mapek/contracts';
import { IdentityName } from './service-identities.js';

export interface SubjectPermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  /** May reply to requests it received (core request-reply, NATS services framework). */
  readonly allowResponses: boolean;
}

/**
 * Rights every JetStream client needs: the JS API, acks, replies on its inbox, and the
 * max-deliveries advisory its consumers watch to dead-letter what the server gave up on.
 */
const jetStreamClient = {
  publish: ['$JS.API.>', '$JS.ACK.>'],
  subscribe: ['_INBOX.>', '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>'],
} as const;
/** KV puts of a service that checkpoints state: its own bucket only (analyzer, planner, executor). */
const kvWriter = (bucket: BucketName) => [`$KV.${bucket}.>`] as const;

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

/**
 * Who may publish and subscribe where, following the subject hierarchy of DESIGN.md §2
 * (prefix default `mapek`). Event subjects come from the registry's emitters. Consumers read their
 * inputs through JetStream pull consumers, so most identities need no core subscription on event
 * subjects: deliveries arrive on their _INBOX.
 *   monitor   → samples, symptoms            (receives alerts from the gateway)
 *   analyzer  → analyses, symptoms (the registry lets it emit derived symptoms); KV
 *   planner   → plans.{proposed,approved,rejected}; queries knowledge; KV
 *   executor  → executions, outcomes, actuate (core request to the agent); KV
 *   gateway   → decisions, commands, alerts; queries knowledge; reads everything but actuate
 *   knowledge → answers mapek.svc.> (NATS services framework, $SRV discovery)
 *   agent     → only answers mapek.actuate.> requests; no JetStream
 *   cli       → commands and knowledge queries; reads everything but actuate
 */
export function natsPermissions(prefix: string): Readonly<Record<IdentityName, SubjectPermissions>> {
  const s = (kind: string) => `${prefix}.${kind}.>`;
  const dlq = s('dlq');
  const readAll = { allow: [`${prefix}.>`, ...jetStreamClient.subscribe], deny: [s('actuate')] };
  const emits = (identity: string) => eventSubjectsEmittedBy(identity, prefix);
  return {
    [IdentityName.monitor]: {
      publish: { allow: [...emits(IdentityName.monitor), dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [s('alerts'), ...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.analyzer]: {
      publish: { allow: [...emits(IdentityName.analyzer), dlq, ...jetStreamClient.publish, ...kvWriter(BucketName.analyzerState)] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.planner]: {
      publish: { allow: [...emits(IdentityName.planner), s('svc'), dlq, ...jetStreamClient.publish, ...kvWriter(BucketName.plannerPlans)] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.executor]: {
      publish: { allow: [...emits(IdentityName.executor), s('actuate'), dlq, ...jetStreamClient.publish, ...kvWriter(BucketName.executorExecutions)] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.knowledge]: {
      publish: { allow: [dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [s('svc'), '$SRV.>', ...jetStreamClient.subscribe] },
      allowResponses: true,
    },
    [IdentityName.gateway]: {
      publish: { allow: [...emits(IdentityName.gateway), s('commands'), s('alerts'), s('svc'), dlq, ...jetStreamClient.publish] },
      subscribe: readAll,
      allowResponses: false,
    },
    [IdentityName.agent]: {
      publish: { allow: [], deny: ['>'] },
      subscribe: { allow: [s('actuate')] },
      allowResponses: true,
    },
    [IdentityName.cli]: {
      publish: { allow: [s('commands'), s('svc'), ...jetStreamClient.publish] },
      subscribe: readAll,
      allowResponses: false,
    },
  };
}
