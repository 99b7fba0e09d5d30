import { causeKindForMetric, type CauseKind } from './cause-kind.js';
import type { DependencyGraph } from './dependency-graph.js';
import type { PatternKind } from './pattern.js';
import { analyzePatterns } from './pattern-analyzer.js';
import { rankRootCauses } from './root-cause-analyzer.js';
import type { Symptom } from './symptom.js';

/** The analysis of one incident, shaped as the `analysis` event's data (AnalysisV1). */
export interface IncidentAnalysis {
  readonly symptomIds: string[];
  readonly patterns: { kind: PatternKind; confidence: number; hypothesis: string; evidence: string[] }[];
  readonly rootCauses: { target: string; cause: CauseKind; confidence: number; explains: string[]; reasoning: string }[];
  readonly confidence: number;
}

/**
 * Builds the analysis of an incident: patterns over the recent symptoms of every target, then
 * root causes ranked over the dependency graph, so a failing upstream explains its dependents.
 * The incident's own target always gets a cause, even when no pattern is found.
 *
 * Pure, so the analyzer (live) and the planner's replay of a stored incident decide alike.
 */
export function analyzeIncident(
  incidentSymptoms: readonly Symptom[],
  recent: readonly Symptom[],
  graph: DependencyGraph,
): IncidentAnalysis {
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
