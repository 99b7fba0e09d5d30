import { CauseKind, causeKindForMetric, rootKindOf } from './cause-kind.js';
import { byCodeUnits } from './code-unit-order.js';
import type { DependencyGraph } from './dependency-graph.js';
import type { RootCause } from './root-cause.js';
import { severityWeight, type Symptom } from './symptom.js';

/** Highest confidence a root cause can get. */
export const maxRootCauseConfidence = 0.95;

interface TargetTrouble {
  readonly target: string;
  readonly symptoms: readonly Symptom[];
  readonly firstTime: number;
  readonly severity: number;
  readonly kind: CauseKind;
  /** The other kinds of trouble on the target, which `kind` explains. */
  readonly alsoSeen: readonly CauseKind[];
}

const summarise = (target: string, symptoms: readonly Symptom[]): TargetTrouble => {
  const weightByKind = new Map<CauseKind, number>();
  for (const symptom of symptoms) {
    const kind = causeKindForMetric(symptom.metric);
    weightByKind.set(kind, (weightByKind.get(kind) ?? 0) + severityWeight[symptom.severity]);
  }
  const kind = weightByKind.size > 0 ? rootKindOf(weightByKind) : CauseKind.anomaly;
  return {
    alsoSeen: [...weightByKind.keys()].filter((other) => other !== kind),
    target,
    symptoms,
    firstTime: Math.min(...symptoms.map((symptom) => symptom.time)),
    severity: Math.max(...symptoms.map((symptom) => severityWeight[symptom.severity])),
    kind,
  };
};

const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Ranks root-cause hypotheses for a set of symptoms. A target whose dependents (through declared
 * or learned edges) are also in trouble explains their symptoms, so a failing upstream — a
 * database, a broker — outranks the services that depend on it, and a target explained by a
 * troubled upstream is demoted to `dependency_failure`. An upstream with no symptoms of its own
 * but several troubled dependents is inferred as a lower-confidence candidate.
 */
export const rankRootCauses = (symptoms: readonly Symptom[], graph: DependencyGraph): RootCause[] => {
  const byTarget = new Map<string, Symptom[]>();
  for (const symptom of symptoms) {
    const own = byTarget.get(symptom.target);
    if (own) own.push(symptom);
    else byTarget.set(symptom.target, [symptom]);
  }
  const troubles = new Map([...byTarget].map(([target, own]) => [target, summarise(target, own)]));
  const upstream = new Map([...troubles.keys()].map((target) => [target, graph.upstreamOf(target)]));

  // Candidates: every troubled target, plus silent upstreams shared by two or more troubled targets.
  const silentVotes = new Map<string, number>();
  for (const reached of upstream.values()) {
    for (const target of reached.keys()) if (!troubles.has(target)) silentVotes.set(target, (silentVotes.get(target) ?? 0) + 1);
  }
  const candidates = [...troubles.keys(), ...[...silentVotes].filter(([, votes]) => votes >= 2).map(([target]) => target)];
  const others = Math.max(1, troubles.size - 1);

  const ranked = candidates.map((candidate): RootCause => {
    const own = troubles.get(candidate);
    const explained = [...troubles.values()].filter(
      (trouble) => trouble.target !== candidate && upstream.get(trouble.target)?.has(candidate) === true,
    );
    const coverage = explained.reduce((sum, trouble) => sum + (upstream.get(trouble.target)?.get(candidate)?.weight ?? 0), 0);
    const explainedIds = explained.flatMap((trouble) => trouble.symptoms.map((symptom) => symptom.id));
    const dependents = explained.map((trouble) => trouble.target).join(', ');
    if (own === undefined) {
      const confidence = Math.min(maxRootCauseConfidence, 0.25 + 0.4 * (coverage / others));
      return {
        target: candidate,
        cause: CauseKind.dependencyFailure,
        confidence: round(confidence),
        explains: explainedIds,
        reasoning: `no symptoms of its own, but ${explained.length} dependents are in trouble (${dependents}): likely unmonitored upstream failure`,
      };
    }
    // Troubled upstreams of this candidate explain it in turn.
    const explainers = [...(upstream.get(candidate)?.entries() ?? [])].filter(([target]) => troubles.has(target));
    const earliest = explained.every((trouble) => own.firstTime <= trouble.firstTime);
    let confidence = 0.35 + 0.25 * own.severity + 0.35 * (coverage / others) + (explained.length > 0 && earliest ? 0.05 : 0);
    let cause = own.kind;
    let reasoning =
      explained.length > 0
        ? `${own.kind} on ${candidate} explains ${explained.length} troubled dependent(s) (${dependents})${earliest ? ', and it was first' : ''}`
        : `${own.symptoms.length} symptom(s) of ${own.kind} on ${candidate}, no troubled dependents`;
    if (own.alsoSeen.length > 0) reasoning += `; ${own.kind} explains the ${own.alsoSeen.join(', ')} seen with it`;
    if (explainers.length > 0) {
      const [upstreamTarget, via] = explainers.sort((a, b) => b[1].weight - a[1].weight)[0] ?? ['', { weight: 0, path: [] }];
      confidence *= 1 - 0.6 * via.weight;
      cause = CauseKind.dependencyFailure;
      reasoning = `its upstream ${upstreamTarget} is in trouble (${via.path.join(' → ')}); ${reasoning}`;
    }
    return {
      target: candidate,
      cause,
      confidence: round(Math.min(maxRootCauseConfidence, confidence)),
      explains: [...own.symptoms.map((symptom) => symptom.id), ...explainedIds],
      reasoning,
    };
  });
  return ranked.sort((a, b) => b.confidence - a.confidence || b.explains.length - a.explains.length || byCodeUnits(a.target, b.target));
};
