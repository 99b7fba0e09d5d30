import { analyzePatterns, causeKindForMetric, rankRootCauses, type DependencyGraph, type Symptom } from '@mapek/anomaly';
import type { AnalysisV1 } from '@mapek/contracts';

/** A symptom as the analysis needs it (wire symptom + its envelope id, target and time). */
export type ObservedSymptom = Symptom;

/**
 * Builds the analysis of an incident: patterns over the recent symptoms of every target, then
 * root causes ranked over the dependency graph, so a failing upstream explains its dependents.
 * The incident's own target always gets a cause, even when no pattern is found.
 */
export function analyzeIncident(
  incidentSymptoms: readonly ObservedSymptom[],
  recent: readonly ObservedSymptom[],
  graph: DependencyGraph,
): AnalysisV1 {
  const ownIds = new Set(incidentSymptoms.map((symptom) => symptom.id));
  const window = [...recent.filter((symptom) => !ownIds.has(symptom.id)), ...incidentSymptoms];
  const patterns = analyzePatterns(window).map((pattern) => ({
    kind: pattern.kind,
    confidence: pattern.confidence,
    hypothesis: pattern.diagnosis,
    evidence: [...pattern.evidence],
  }));
  const ranked = rankRootCauses(window, graph)
    .filter((cause) => cause.explains.some((id) => ownIds.has(id)))
    .map((cause) => ({
      target: cause.target,
      cause: cause.cause,
      confidence: cause.confidence,
      explains: [...cause.explains],
      reasoning: cause.reasoning,
    }));
  const rootCauses =
    ranked.length > 0
      ? ranked
      : incidentSymptoms.slice(0, 1).map((symptom) => ({
          target: symptom.target,
          cause: causeKindForMetric(symptom.metric),
          confidence: 0.5,
          explains: [symptom.id],
          reasoning: `${symptom.metric}=${symptom.value} broke its threshold on ${symptom.target}`,
        }));
  return {
    symptomIds: [...ownIds],
    patterns,
    rootCauses,
    confidence: rootCauses[0]?.confidence ?? 0,
  };
}
