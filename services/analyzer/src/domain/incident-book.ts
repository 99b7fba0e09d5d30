import { causeKindForMetric, consequencesOf, isSecondaryKind, type CauseKind, type Symptom } from '@mapek/anomaly';
import { deriveEventId, eventIdTime } from '@mapek/contracts';

/** Whether the incident's analysis is out, or waits for the settle window to see what joins it. */
export type AnalysisState = { readonly state: 'pending'; readonly dueAt: number } | { readonly state: 'published' };

/** The analyzer's view of one target's incident, checkpointed in KV so any replica can continue it. */
export interface IncidentState {
  readonly incidentId: string;
  readonly target: string;
  readonly openedAt: number;
  readonly lastSymptomAt: number;
  /** Most recent symptom ids (bounded). */
  readonly symptomIds: readonly string[];
  /**
   * The symptoms the analysis ranks: the first of each metric (bounded). Absent in incidents
   * checkpointed before symptoms of every kind joined one incident.
   */
  readonly symptoms?: readonly Symptom[];
  /** Absent in older checkpoints, whose analysis was always published at once. */
  readonly analysis?: AnalysisState;
  readonly status: 'open' | 'closed';
  readonly closedAt?: number;
  /** `<target>/<metric>` when an anomaly (not a static threshold) opened it: its outcome trains that series. */
  readonly anomalySeries?: string;
  /** Symptoms whose source said they are over (resolved alerts); absent when none is. */
  readonly resolvedSymptomIds?: readonly string[];
  /** Set when the incident was closed because every one of its symptoms was resolved before a remedy. */
  readonly resolvedBeforeRemedy?: boolean;
  /** W3C `traceparent` of the symptom that opened it: its analysis continues that trace, whenever it is published. */
  readonly traceparent?: string;
}

export type SymptomVerdict =
  /** `analyzeNow`: publish the analysis now; otherwise it is pending until `analysis.dueAt`. */
  | { kind: 'open'; incident: IncidentState; analyzeNow: boolean }
  | { kind: 'attach'; incident: IncidentState; analyzeNow: boolean }
  | { kind: 'stale'; incident: IncidentState };

export interface IncidentBookSettings {
  /** An incident with no new symptom for this long is over; the next symptom opens another. */
  readonly quietMs: number;
  /**
   * How long the analysis of an incident that opened on a secondary kind of trouble (CPU,
   * latency, errors) waits for its likely cause (a leak, a full pool) to show up on the target.
   * 0 analyzes every incident at once.
   */
  readonly settleMs: number;
}

const MAX_SYMPTOM_IDS = 200;
const MAX_SYMPTOMS = 50;

export type ObservedSymptom = Symptom & { readonly anomalySeries?: string };

function withSymptom(symptoms: readonly Symptom[], symptom: Symptom): readonly Symptom[] {
  if (symptoms.some((known) => known.id === symptom.id || known.metric === symptom.metric) || symptoms.length >= MAX_SYMPTOMS)
    return symptoms;
  return [...symptoms, symptom];
}

/**
 * Groups one target's symptoms into incidents, whatever their kind: one fault on a service shows
 * as several kinds of trouble at once (a leak also burns CPU), and they need one analysis and one
 * remedy. The first symptom opens an incident (its id derived from the symptom id, so a
 * redelivered symptom opens the same incident); later ones attach to it until a verified outcome
 * or a quiet period closes it. Symptoms observed before an incident was closed are stale: they
 * describe what the remedy already addressed.
 *
 * An incident opened by a primary kind of trouble (a leak, a full pool, an outage) is analyzed at
 * once. One opened by a secondary kind (CPU, latency, errors) is held for `settleMs` so that its
 * cause, if it shows, is ranked with it; a primary symptom joining meanwhile releases it at once.
 */
export function onSymptom(current: IncidentState | undefined, symptom: ObservedSymptom, settings: IncidentBookSettings): SymptomVerdict {
  const observedAt = symptom.time;
  if (current && current.status === 'closed' && current.closedAt !== undefined && observedAt <= current.closedAt) {
    return { kind: 'stale', incident: current };
  }
  const { anomalySeries, ...plain } = symptom;
  const primary = !isSecondaryKind(causeKindForMetric(symptom.metric));
  if (current && current.status === 'open' && observedAt - current.lastSymptomAt <= settings.quietMs) {
    const pending = current.analysis?.state === 'pending';
    if (current.symptomIds.includes(symptom.id)) return { kind: 'attach', incident: current, analyzeNow: false };
    return {
      kind: 'attach',
      incident: {
        ...current,
        lastSymptomAt: Math.max(current.lastSymptomAt, observedAt),
        symptomIds: [...current.symptomIds, symptom.id].slice(-MAX_SYMPTOM_IDS),
        ...(current.symptoms !== undefined || pending ? { symptoms: withSymptom(current.symptoms ?? [], plain) } : {}),
      },
      analyzeNow: pending && primary,
    };
  }
  const analyzeNow = primary || settings.settleMs <= 0;
  return {
    kind: 'open',
    incident: {
      incidentId: deriveEventId(symptom.id, 'incident'),
      target: symptom.target,
      openedAt: Math.min(observedAt, eventIdTime(symptom.id)),
      lastSymptomAt: observedAt,
      symptomIds: [symptom.id],
      symptoms: [plain],
      analysis: analyzeNow ? { state: 'published' } : { state: 'pending', dueAt: observedAt + settings.settleMs },
      status: 'open',
      ...(anomalySeries ? { anomalySeries } : {}),
    },
    analyzeNow,
  };
}

/** True while the incident takes symptoms: open, and not quiet for longer than `quietMs` at `at`. */
export function isLive(incident: IncidentState, at: number, quietMs: number): boolean {
  return incident.status === 'open' && at - incident.lastSymptomAt <= quietMs;
}

/**
 * Whether a symptom of `kind` observed at `at` belongs to this live incident: a kind it already
 * has; a kind that commonly follows from one it has (`consequencesOf`: a leak's heap grows for
 * minutes before the collector burns CPU), whenever it starts; or any kind that starts within
 * `joinWindowMs` of its opening (one fault, several kinds of trouble). Any other kind that starts
 * later is another fault, with an incident of its own, so a fault that comes while another is
 * being remedied is not swallowed by it. The trade: an unrelated CPU fault that starts while a
 * leak is open waits for the leak's incident to close; its next symptom then opens its own.
 * Incidents checkpointed without their symptoms take every kind, as they did.
 */
export function takesKind(incident: IncidentState, kind: CauseKind, at: number, joinWindowMs: number): boolean {
  if (incident.symptoms === undefined) return true;
  const kinds = new Set(incident.symptoms.map((known) => causeKindForMetric(known.metric)));
  if (kinds.has(kind) || [...kinds].some((known) => consequencesOf[known].includes(kind))) return true;
  return at - incident.openedAt <= joinWindowMs;
}

/** One place a target's incident is kept (a KV key), with what was read there. */
export interface IncidentSlot {
  readonly key: string;
  readonly stored: { readonly value: IncidentState } | undefined;
}

/** The places a symptom of one kind may go, read in one round. */
export interface CandidateSlots<S> {
  /** The target's incident, whatever its kind. */
  readonly own: S;
  /** The incident of the symptom's kind that started apart from the target's incident. */
  readonly apart: S;
  /** The incidents of the kinds that commonly bring the symptom's kind about, each kept apart (`causesOf`). */
  readonly causes: readonly S[];
}

/**
 * Where a symptom of `kind` observed at `at` goes:
 * 1. a live incident of its kind kept apart keeps taking it;
 * 2. the target's live incident, when it takes the kind (`takesKind`);
 * 3. a live incident kept apart whose kind commonly brings this kind about: a leak that started
 *    while the target's incident was another fault's (awaiting an operator, say) was kept apart,
 *    and its CPU burst, a minute later, is still that leak;
 * 4. the target's slot when nothing live is there;
 * 5. else apart: another fault, with an incident of its own.
 */
export function slotFor<S extends IncidentSlot>(
  kind: CauseKind,
  at: number,
  { own, apart, causes }: CandidateSlots<S>,
  { quietMs, joinWindowMs }: { readonly quietMs: number; readonly joinWindowMs: number },
): S {
  const live = (slot: S): boolean => slot.stored !== undefined && isLive(slot.stored.value, at, quietMs);
  const takes = (slot: S): boolean =>
    slot.stored !== undefined && isLive(slot.stored.value, at, quietMs) && takesKind(slot.stored.value, kind, at, joinWindowMs);
  if (live(apart)) return apart;
  if (takes(own)) return own;
  return causes.find(takes) ?? (live(own) ? apart : own);
}

/** The incident with its analysis marked as published. */
export function analysisPublished(incident: IncidentState): IncidentState {
  return { ...incident, analysis: { state: 'published' } };
}

/** True when the incident's held analysis should go out at `now`. */
export function analysisDue(incident: IncidentState, now: number): boolean {
  return incident.status === 'open' && incident.analysis?.state === 'pending' && incident.analysis.dueAt <= now;
}

/** The id of an incident's analysis: derived from its first symptom, so every replica and retry publishes the same one. */
export function analysisIdOf(incident: IncidentState): string {
  return deriveEventId(incident.symptomIds[0] ?? incident.incidentId, 'analysis');
}

/** Closes the incident an outcome belongs to (other incidents of the target are left alone). */
export function onOutcome(current: IncidentState | undefined, incidentId: string, at: number): IncidentState | undefined {
  if (!current || current.incidentId !== incidentId || current.status === 'closed') return undefined;
  return { ...current, status: 'closed', closedAt: at };
}

export type ResolutionVerdict =
  /** The incident does not hold this symptom (or is closed): nothing to do here. */
  | { kind: 'unrelated' }
  /** The symptom is over, but others of the incident are not: the incident stays open. */
  | { kind: 'noted'; incident: IncidentState }
  /** Every symptom of the incident is over: its signal is gone, and it is closed. */
  | { kind: 'resolved'; incident: IncidentState; symptomIds: readonly string[] };

/**
 * A symptom was resolved at its source (an alert Alertmanager resolved). The incident's signal is
 * gone once every symptom it holds is resolved; a symptom that cannot be resolved (a threshold
 * crossing, a failing probe) keeps it open, since only a remedy's outcome or a quiet period ends
 * those. A closed incident no longer takes symptoms observed before `at`, like one an outcome closed.
 */
export function onSymptomResolved(current: IncidentState | undefined, symptomId: string, at: number): ResolutionVerdict {
  if (!current || current.status === 'closed' || !current.symptomIds.includes(symptomId)) return { kind: 'unrelated' };
  const resolved = [...new Set([...(current.resolvedSymptomIds ?? []), symptomId])];
  if (!current.symptomIds.every((id) => resolved.includes(id)))
    return { kind: 'noted', incident: { ...current, resolvedSymptomIds: resolved } };
  return {
    kind: 'resolved',
    incident: { ...current, resolvedSymptomIds: resolved, status: 'closed', closedAt: at, resolvedBeforeRemedy: true },
    symptomIds: resolved,
  };
}
