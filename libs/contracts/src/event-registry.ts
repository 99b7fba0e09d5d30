import type { z } from 'zod';
import { analysisV1Schema } from './events/analysis.schema.js';
import { commandV1Schema } from './events/command.schema.js';
import { decisionV1Schema } from './events/decision.schema.js';
import { executionV1Schema } from './events/execution.schema.js';
import { flagChangedV1Schema } from './events/flag.schema.js';
import { heartbeatV1Schema } from './events/heartbeat.schema.js';
import { outcomeV1Schema } from './events/outcome.schema.js';
import { planV1Schema } from './events/plan.schema.js';
import { isSampleBatchV2AsIs, sampleBatchV2Schema } from './events/sample-batch.schema.js';
import { alertResolvedV1Schema, incidentResolvedV1Schema } from './events/resolution.schema.js';
import { symptomV1Schema } from './events/symptom.schema.js';
import { SubjectKind, StreamName, ServiceName } from './wire.constants.js';

/**
 * The one registry of loop events: type → schema of `data`, version, subject kind, stream and the
 * services allowed to emit it. Publish and handle are generic over it, so a wrong
 * subject/payload pair does not compile. Versions only grow: add `<type>` entries for V2 beside V1.
 * A busy type may add `accepts`: a check of `data` that builds nothing, `true` only when the schema
 * accepts it and would return it unchanged (its spec holds it to the schema). The publisher asks it
 * before the schema, whose parse copies `data` whole, and parseEnvelope keeps data it accepts as
 * parsed; what it says no to goes through the schema as usual.
 */
export const eventRegistry = {
  /** v2: the scrapes of several targets in one signed event (v1 carried one target's). */
  'sample.batch': {
    version: 2,
    schema: sampleBatchV2Schema,
    accepts: isSampleBatchV2AsIs,
    subjectKind: SubjectKind.samples,
    stream: StreamName.telemetry,
    emitters: [ServiceName.monitor],
  },
  symptom: {
    version: 1,
    schema: symptomV1Schema,
    subjectKind: SubjectKind.symptoms,
    stream: StreamName.events,
    /**
     * The monitor (scrapes, probes), the analyzer (anomalies), an embedded agent (a threshold
     * crossing of its own gauges, pushed as it happens) and the gateway (a firing Alertmanager alert).
     */
    emitters: [ServiceName.monitor, ServiceName.analyzer, ServiceName.agent, ServiceName.gateway],
  },
  analysis: {
    version: 1,
    schema: analysisV1Schema,
    subjectKind: SubjectKind.analyses,
    stream: StreamName.events,
    emitters: [ServiceName.analyzer],
  },
  'plan.proposed': {
    version: 1,
    schema: planV1Schema,
    subjectKind: SubjectKind.plansProposed,
    stream: StreamName.events,
    emitters: [ServiceName.planner],
  },
  'plan.approved': {
    version: 1,
    schema: planV1Schema,
    subjectKind: SubjectKind.plansApproved,
    stream: StreamName.events,
    emitters: [ServiceName.planner],
  },
  'plan.rejected': {
    version: 1,
    schema: planV1Schema,
    subjectKind: SubjectKind.plansRejected,
    stream: StreamName.events,
    emitters: [ServiceName.planner],
  },
  decision: {
    version: 1,
    schema: decisionV1Schema,
    subjectKind: SubjectKind.decisions,
    stream: StreamName.events,
    emitters: [ServiceName.gateway],
  },
  execution: {
    version: 1,
    schema: executionV1Schema,
    subjectKind: SubjectKind.executions,
    stream: StreamName.events,
    emitters: [ServiceName.executor],
  },
  outcome: {
    version: 1,
    schema: outcomeV1Schema,
    subjectKind: SubjectKind.outcomes,
    stream: StreamName.events,
    emitters: [ServiceName.executor],
  },
  /** A manual command from an operator; its spec is sealed to the executor (see commandV1Schema). */
  command: {
    version: 1,
    schema: commandV1Schema,
    subjectKind: SubjectKind.commands,
    stream: StreamName.events,
    emitters: [ServiceName.gateway],
  },
  /**
   * A runtime flag changed: by an operator (the gateway publishes it, the planner stores it in KV)
   * or by the planner's autonomy ladder after an outcome.
   */
  'flag.changed': {
    version: 1,
    schema: flagChangedV1Schema,
    subjectKind: SubjectKind.flags,
    stream: StreamName.events,
    emitters: [ServiceName.gateway, ServiceName.planner],
  },
  /** An Alertmanager alert that had become a symptom was resolved (the gateway's webhook receiver). */
  'alert.resolved': {
    version: 1,
    schema: alertResolvedV1Schema,
    subjectKind: SubjectKind.alerts,
    stream: StreamName.events,
    emitters: [ServiceName.gateway],
  },
  /** An incident's signal went away before a remedy ran: its plans that have not started are cancelled. */
  'incident.resolved': {
    version: 1,
    schema: incidentResolvedV1Schema,
    subjectKind: SubjectKind.incidents,
    stream: StreamName.events,
    emitters: [ServiceName.analyzer],
  },
  /**
   * A target is alive: pushed by its embedded agent, or by anything else through the gateway's
   * `POST /api/v1/heartbeats/<target>`. Telemetry, like samples: the monitor follows it live.
   */
  heartbeat: {
    version: 1,
    schema: heartbeatV1Schema,
    subjectKind: SubjectKind.heartbeats,
    stream: StreamName.telemetry,
    emitters: [ServiceName.agent, ServiceName.gateway],
  },
} as const;

export type EventRegistry = typeof eventRegistry;

/** What a registry entry gives those who check an event's data (the publisher, parseEnvelope). */
export interface EventContract {
  readonly version: number;
  readonly schema: z.ZodType;
  readonly accepts?: (data: unknown) => boolean;
}
export type EventType = keyof EventRegistry;
export type EventData<T extends EventType> = z.infer<EventRegistry[T]['schema']>;
export const eventTypes = Object.keys(eventRegistry) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventRegistry, value);
}

/** The event type carried on a subject kind (decisions are keyed by plan id, the rest by target). */
export function eventTypeForSubject(subject: string, prefix: string): EventType | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const rest = subject.slice(prefix.length + 1);
  let best: EventType | undefined;
  let bestLength = -1;
  for (const type of eventTypes) {
    const kind = eventRegistry[type].subjectKind;
    if (rest.startsWith(`${kind}.`) && kind.length > bestLength) {
      best = type;
      bestLength = kind.length;
    }
  }
  return best;
}
