import { z } from 'zod';
import { isoTimeSchema, labelsSchema, uuidSchema } from './common.schema.js';

/**
 * An external alert that fired and became a symptom is over: Alertmanager sent it as `resolved`.
 * The gateway publishes it on `<prefix>.alerts.<target>`; the analyzer decides whether the
 * incident the symptom belongs to still has a live signal (see {@link incidentResolvedV1Schema}).
 */
export const alertResolvedV1Schema = z.object({
  /** Alertmanager's fingerprint of the alert (its label set). */
  fingerprint: z.string().min(1).max(64),
  alertname: z.string().min(1).max(200),
  /** The id of the symptom the alert became when it fired (derived from fingerprint and startsAt). */
  symptomId: uuidSchema,
  /** The symptom's metric, from which the analyzer reads the cause kind. */
  metric: z.string().min(1).max(200),
  labels: labelsSchema,
  startsAt: isoTimeSchema,
  endsAt: isoTimeSchema,
});
export type AlertResolvedV1 = z.infer<typeof alertResolvedV1Schema>;

/** Why an incident's signal is gone. */
export const ResolutionReason = {
  /** Every alert the incident was made of was resolved at its source. */
  signalResolved: 'signal_resolved',
} as const;
export type ResolutionReason = (typeof ResolutionReason)[keyof typeof ResolutionReason];

/**
 * An incident's signal is gone before any remedy: the analyzer closed it. The planner cancels its
 * plans that have not started (`plan.rejected` with `rejectionCode` = the reason) and the executor
 * refuses to start one: mapek never acts on a resolved signal. Published on `<prefix>.incidents.<target>`.
 */
export const incidentResolvedV1Schema = z.object({
  reason: z.enum([ResolutionReason.signalResolved]),
  /** The resolved symptoms (the alerts) that made the signal go. */
  symptomIds: z.array(uuidSchema).min(1).max(200),
  resolvedAt: isoTimeSchema,
});
export type IncidentResolvedV1 = z.infer<typeof incidentResolvedV1Schema>;
