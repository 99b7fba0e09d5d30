import { deriveEventId, eventIdTime } from '@mapek/contracts';

/** The analyzer's view of one target's incident, checkpointed in KV so any replica can continue it. */
export interface IncidentState {
  readonly incidentId: string;
  readonly target: string;
  readonly openedAt: number;
  readonly lastSymptomAt: number;
  /** Most recent symptom ids (bounded). */
  readonly symptomIds: readonly string[];
  readonly status: 'open' | 'closed';
  readonly closedAt?: number;
  /** `<target>/<metric>` when an anomaly (not a static threshold) opened it: its outcome trains that series. */
  readonly anomalySeries?: string;
}

export type SymptomVerdict =
  | { kind: 'open'; incident: IncidentState }
  | { kind: 'attach'; incident: IncidentState }
  | { kind: 'stale'; incident: IncidentState };

const MAX_SYMPTOMS = 200;

/**
 * Groups one target's symptoms into incidents: the first symptom opens one (its id derived from
 * the symptom id, so a redelivered symptom opens the same incident), later ones attach to it
 * until a verified outcome or a quiet period closes it. Symptoms observed before an incident was
 * closed are stale: they describe what the remedy already addressed.
 */
export function onSymptom(
  current: IncidentState | undefined,
  symptom: { id: string; target: string; observedAt: number; anomalySeries?: string },
  quietMs: number,
): SymptomVerdict {
  if (current && current.status === 'closed' && current.closedAt !== undefined && symptom.observedAt <= current.closedAt) {
    return { kind: 'stale', incident: current };
  }
  if (current && current.status === 'open' && symptom.observedAt - current.lastSymptomAt <= quietMs) {
    if (current.symptomIds.includes(symptom.id)) return { kind: 'attach', incident: current };
    return {
      kind: 'attach',
      incident: {
        ...current,
        lastSymptomAt: Math.max(current.lastSymptomAt, symptom.observedAt),
        symptomIds: [...current.symptomIds, symptom.id].slice(-MAX_SYMPTOMS),
      },
    };
  }
  return {
    kind: 'open',
    incident: {
      incidentId: deriveEventId(symptom.id, 'incident'),
      target: symptom.target,
      openedAt: Math.min(symptom.observedAt, eventIdTime(symptom.id)),
      lastSymptomAt: symptom.observedAt,
      symptomIds: [symptom.id],
      status: 'open',
      ...(symptom.anomalySeries ? { anomalySeries: symptom.anomalySeries } : {}),
    },
  };
}

/** Closes the incident an outcome belongs to (other incidents of the target are left alone). */
export function onOutcome(current: IncidentState | undefined, incidentId: string, at: number): IncidentState | undefined {
  if (!current || current.incidentId !== incidentId || current.status === 'closed') return undefined;
  return { ...current, status: 'closed', closedAt: at };
}
