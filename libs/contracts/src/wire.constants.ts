/**
 * Wire constants: every subject, stream, consumer and bucket name mapek puts on NATS.
 *
 * Subject hierarchy (prefix defaults to `mapek`, see {@link DEFAULT_SUBJECT_PREFIX}):
 *
 * ```
 * <prefix>.samples.<partition>              telemetry stream: one sample batch per scrape round and partition of targets
 * <prefix>.heartbeats.<target>              telemetry stream: the target is alive (its agent, or the gateway's heartbeat endpoint)
 * <prefix>.symptoms.<target>                events stream: threshold / health / anomaly / alert violations
 * <prefix>.analyses.<target>                events stream: incident analysis with ranked root causes
 * <prefix>.plans.proposed.<target>          events stream: a scored remediation plan
 * <prefix>.plans.approved.<target>          events stream: a plan cleared to run (planner only)
 * <prefix>.plans.rejected.<target>          events stream: a plan that will not run (rejected/expired)
 * <prefix>.decisions.<planId>               events stream: an operator's approve/reject (gateway only)
 * <prefix>.executions.<target>              events stream: execution status changes (executor only)
 * <prefix>.outcomes.<target>                events stream: verified outcome of an execution
 * <prefix>.commands.<target>                events stream: an operator's manual command (gateway only, sealed to the executor)
 * <prefix>.flags.<target|global>            events stream: a runtime flag changed (gateway: an operator; planner: the autonomy ladder)
 * <prefix>.alerts.<target>                  events stream: an Alertmanager alert was resolved (gateway only)
 * <prefix>.incidents.<target>               events stream: an incident's signal went away before a remedy (analyzer only)
 * <prefix>.actuate.<target>                 core NATS request-reply to the managed service's agent
 * <prefix>.svc.knowledge.<endpoint>         NATS services framework: knowledge queries
 * <prefix>.svc.planner.<endpoint>           NATS services framework: the planner's replay of a stored incident
 * <prefix>.dlq.<consumer>                   dead-letter stream: rejected / poison messages
 * ```
 */
export const DEFAULT_SUBJECT_PREFIX = 'mapek';

export const SubjectKind = {
  samples: 'samples',
  /** A target's heartbeats (its agent, or the gateway's endpoint); telemetry stream. */
  heartbeats: 'heartbeats',
  symptoms: 'symptoms',
  analyses: 'analyses',
  plansProposed: 'plans.proposed',
  plansApproved: 'plans.approved',
  plansRejected: 'plans.rejected',
  decisions: 'decisions',
  executions: 'executions',
  outcomes: 'outcomes',
  /** Manual commands from an operator (gateway only), sealed to the executor. */
  commands: 'commands',
  /** Runtime flag changes (gateway and planner), keyed by target or `global`. */
  flags: 'flags',
  /** Resolved Alertmanager alerts (gateway only); firing ones are symptoms. */
  alerts: 'alerts',
  /** Incidents whose signal went away before a remedy (analyzer only). */
  incidents: 'incidents',
  actuate: 'actuate',
  dlq: 'dlq',
} as const;
export type SubjectKind = (typeof SubjectKind)[keyof typeof SubjectKind];

export const StreamName = {
  /** High-volume samples and heartbeats: limits retention, short max age. */
  telemetry: 'MAPEK_TELEMETRY',
  /** Every loop event but samples: file storage, dedupe window, configurable replicas. */
  events: 'MAPEK_EVENTS',
  /** Rejected and poison messages, with the reason in a header. */
  deadLetter: 'MAPEK_DLQ',
} as const;
export type StreamName = (typeof StreamName)[keyof typeof StreamName];

/**
 * How long each stream drops a message whose `Nats-Msg-Id` it has already stored. The shortest
 * (telemetry) bounds the accepted clock skew of signed events: a copy re-published after its
 * stream stops de-duplicating it must already be stale (see `MAPEK_EVENT_CLOCK_SKEW_MS`).
 */
export const DuplicateWindowMs = {
  [StreamName.telemetry]: 60_000,
  [StreamName.events]: 10 * 60_000,
  [StreamName.deadLetter]: 10 * 60_000,
} as const satisfies Record<StreamName, number>;

/**
 * How long each stream keeps a message (limits retention, max age). A KV record that makes a
 * redelivered event a no-op (plan, execution) must outlive every copy of that event, so it lives
 * longer than {@link StreamName.events} keeps them (libs/messaging `recordRetentionMs`).
 */
export const StreamMaxAgeMs = {
  [StreamName.telemetry]: 15 * 60_000,
  [StreamName.events]: 7 * 24 * 3600_000,
  [StreamName.deadLetter]: 14 * 24 * 3600_000,
} as const satisfies Record<StreamName, number>;

/** The largest clock skew a consumer may accept: the shortest duplicate window. */
export const maxEventClockSkewMs: number = Math.min(...Object.values(DuplicateWindowMs));

/** Durable pull consumer per consuming service; replicas of a service share it. */
export const ConsumerName = {
  analyzer: 'analyzer',
  analyzerSamples: 'analyzer-samples',
  planner: 'planner',
  executor: 'executor',
  /** The executor reading manual commands (its own durable: commands have their own verifier). */
  executorCommands: 'executor-commands',
  knowledge: 'knowledge',
  /** Knowledge reading the dead-letter stream into its audit trail. */
  knowledgeDeadLetters: 'knowledge-dead-letters',
} as const;
export type ConsumerName = (typeof ConsumerName)[keyof typeof ConsumerName];

export const BucketName = {
  analyzerState: 'mapek_analyzer',
  plannerPlans: 'mapek_plans',
  executorExecutions: 'mapek_executions',
  /**
   * The executor's safety state, shared by its replicas: a lease per target (`lease.<target>`), the
   * targets acted on in the last minute (`blast`) and each effector's actions in the last hour
   * (`effector.<kind>`).
   */
  executorLeases: 'mapek_leases',
  /** The gateway's shared state: rate-limit counters every replica reads and writes. */
  gatewayState: 'mapek_gateway',
} as const;
export type BucketName = (typeof BucketName)[keyof typeof BucketName];

export const ServiceName = {
  monitor: 'monitor',
  analyzer: 'analyzer',
  planner: 'planner',
  executor: 'executor',
  knowledge: 'knowledge',
  gateway: 'gateway',
  agent: 'agent',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];

/**
 * The core-NATS inbox prefix of one identity (`_INBOX_<identity>`): replies to its requests, JetStream
 * acks and pull deliveries arrive under it, and the NATS permissions let only that identity subscribe
 * there, so no service can read another's replies.
 */
export function inboxPrefixOf(identity: string): string {
  return `_INBOX_${identity}`;
}

/**
 * How every mapek client (services and agents) finds out that its NATS server is gone when no
 * TCP reset arrives: a node that loses power or its network, or a container whose network
 * namespace is torn down (`docker kill`), leaves the connection open and silent. The client pings
 * every `pingInterval` ms and drops the connection after `maxPingOut` unanswered pings, then
 * reconnects to another server of the cluster: about 10–15 s, where the client's defaults (2 min,
 * 2 pings) took up to 6 minutes, during which the loop stood still on that connection.
 */
export const NatsClientLiveness = { pingInterval: 5_000, maxPingOut: 2 } as const;

/** Message headers mapek sets or reads. */
export const Header = {
  msgId: 'Nats-Msg-Id',
  traceparent: 'traceparent',
  rejectReason: 'Mapek-Reject-Reason',
  rejectDetail: 'Mapek-Reject-Detail',
  originalSubject: 'Mapek-Original-Subject',
  errorCode: 'Mapek-Error-Code',
} as const;

/** The NATS services framework name and endpoints knowledge answers on. */
export const KnowledgeEndpoint = {
  stats: 'stats',
  incidents: 'incidents',
  incident: 'incident',
  insights: 'insights',
  auditVerify: 'audit-verify',
} as const;
export type KnowledgeEndpoint = (typeof KnowledgeEndpoint)[keyof typeof KnowledgeEndpoint];

/** The endpoints the planner answers on the NATS services framework (read-only; ADR 0010). */
export const PlannerEndpoint = {
  /** Re-decide a stored incident with the current rules and flags, beside what was decided then. */
  replay: 'replay',
} as const;
export type PlannerEndpoint = (typeof PlannerEndpoint)[keyof typeof PlannerEndpoint];
