import { analyzeIncident as analyze, type DependencyGraph, type Symptom } from '@mapek/anomaly';
import type { AnalysisV1 } from '@mapek/contracts';

/** A symptom as the analysis needs it (wire symptom + its envelope id, target and time). */
export type ObservedSymptom = Symptom;

/**
 * Builds the analysis of an incident. The logic lives in `@mapek/anomaly` (shared with the
 * planner's replay of stored incidents, ADR 0010); this fixes its type as the wire's.
 */
export function analyzeIncident(
  incidentSymptoms: readonly ObservedSymptom[],
  recent: readonly ObservedSymptom[],
  graph: DependencyGraph,
): AnalysisV1 {
  return analyze(incidentSymptoms, recent, graph);
}
