import { SymptomSource } from '@mapek/contracts';

/** A symptom of the plan's kind of trouble read back from the stream. */
export interface SeenSymptom {
  /** When it was observed (ms): its `observedAt`, or its arrival in the stream when that is earlier. */
  readonly at: number;
  readonly source: SymptomSource;
  readonly metric: string;
}

export interface SymptomState {
  readonly active: boolean;
  readonly detail: string;
}

/**
 * Sources that re-evaluate the target on every scrape or probe and publish a symptom each time
 * the rule is still broken: silence from them for `staleAfterMs` means the trouble is gone.
 * An alert comes once per firing (Alertmanager repeats it only hours later), so its silence
 * means nothing: an alert stays active until it is resolved.
 */
const repeating: ReadonlySet<SymptomSource> = new Set([SymptomSource.threshold, SymptomSource.health, SymptomSource.anomaly]);

/**
 * Is the trouble a plan addresses still there right before a step? `seen` are the target's
 * symptoms of the plan's kind since its incident opened. Active when a repeating source reported
 * one within the last `staleAfterMs`, or an alert fired (and was not resolved) since the incident
 * opened; gone otherwise.
 */
export function symptomState(seen: readonly SeenSymptom[], now: number, staleAfterMs: number): SymptomState {
  const fresh = seen.filter((symptom) => repeating.has(symptom.source) && symptom.at >= now - staleAfterMs);
  const latestFresh = fresh.at(-1);
  if (latestFresh)
    return {
      active: true,
      detail: `active: ${fresh.length} ${latestFresh.metric} symptom(s) in the last ${staleAfterMs} ms, the latest ${Math.max(0, now - latestFresh.at)} ms ago`,
    };
  const alert = seen.filter((symptom) => symptom.source === SymptomSource.alert).at(-1);
  if (alert)
    return { active: true, detail: `active: alert ${alert.metric} fired ${Math.max(0, now - alert.at)} ms ago and is not resolved` };
  const latest = seen.at(-1);
  return {
    active: false,
    detail: latest
      ? `gone: the last ${latest.metric} symptom was ${now - latest.at} ms ago, none in the last ${staleAfterMs} ms`
      : 'gone: no symptom of this kind since the incident opened',
  };
}

/**
 * Which symptoms judge a remedy in the verification window: with `verify: probe` on every step that
 * acted (their capabilities say the effect shows in the target's probes), only the failing probes
 * (`health` symptoms); otherwise every symptom of the plan's kind.
 */
export function verifiedBy(verifications: readonly ('symptom_cleared' | 'probe' | undefined)[]): (symptom: SeenSymptom) => boolean {
  const probeOnly = verifications.length > 0 && verifications.every((verify) => verify === 'probe');
  return probeOnly ? (symptom) => symptom.source === SymptomSource.health : () => true;
}
