import type { Symptom } from './symptom.js';

/** Where an edge of the dependency graph comes from. */
export const EdgeSource = {
  declared: 'declared',
  learned: 'learned',
} as const;
export type EdgeSource = (typeof EdgeSource)[keyof typeof EdgeSource];

/** "dependent dependsOn dependency", with how much it is trusted in [0, 1]. */
export interface DependencyEdge {
  readonly dependent: string;
  readonly dependency: string;
  readonly source: EdgeSource;
  readonly weight: number;
}

/** The graph as plain JSON, for checkpointing. */
export interface DependencyGraphState {
  readonly declared: readonly (readonly [string, string])[];
  /** Times the dependency's trouble shortly preceded the dependent's, keyed `dependent→dependency`. */
  readonly coOccurrences: Readonly<Record<string, number>>;
  /** Incidents each target was part of. */
  readonly incidents: Readonly<Record<string, number>>;
}

/** How co-occurrence learning behaves. */
export interface LearningConfig {
  /** The dependency's first symptom must precede the dependent's by at most this. */
  readonly lagMs: number;
  /** Co-occurrences needed before a learned edge is used. */
  readonly minCoOccurrences: number;
  /** Learned edges never weigh more than this (declared edges weigh 1). */
  readonly maxLearnedWeight: number;
}

export const defaultLearningConfig: LearningConfig = { lagMs: 120_000, minCoOccurrences: 3, maxLearnedWeight: 0.8 };

const edgeArrow = '→';
const edgeKey = (dependent: string, dependency: string): string => `${dependent}${edgeArrow}${dependency}`;

/**
 * Dependencies between targets: edges declared by operators ("A dependsOn B") plus edges learned
 * from co-occurrence (B's symptoms repeatedly shortly before A's in the same incident).
 */
export class DependencyGraph {
  private readonly declared = new Map<string, Set<string>>();
  /**
   * Co-occurrence counts by dependent, then dependency: a target's learned edges are found without
   * going through every other pair (the ranking asks for them per target and hop, and a fleet-wide
   * outage makes thousands of pairs).
   */
  private readonly coOccurrences = new Map<string, Map<string, number>>();
  private readonly incidents = new Map<string, number>();

  constructor(private readonly learning: LearningConfig = defaultLearningConfig) {}

  static restore(state: DependencyGraphState, learning: LearningConfig = defaultLearningConfig): DependencyGraph {
    const graph = new DependencyGraph(learning);
    for (const [dependent, dependency] of state.declared) graph.dependsOn(dependent, dependency);
    for (const [key, count] of Object.entries(state.coOccurrences)) {
      // Targets are [A-Za-z0-9_-]+ (the envelope's contract): the arrow parts a key unambiguously.
      const arrow = key.indexOf(edgeArrow);
      if (arrow > 0) graph.counts(key.slice(0, arrow)).set(key.slice(arrow + edgeArrow.length), count);
    }
    for (const [target, count] of Object.entries(state.incidents)) graph.incidents.set(target, count);
    return graph;
  }

  /** Declares that `dependent` depends on `dependency`. */
  dependsOn(dependent: string, dependency: string): this {
    if (dependent !== dependency) this.declared.set(dependent, (this.declared.get(dependent) ?? new Set()).add(dependency));
    return this;
  }

  /**
   * Learns from one incident: each of its targets counts one incident, and one co-occurrence
   * against every target (its own or, from `around`, another's recent trouble) whose first symptom
   * came at most `lagMs` before its own. Only the incident's own targets learn: the pairs among the
   * others are theirs to learn from their own incidents, or a fleet-wide outage would count every
   * pair of its targets once per incident in it (and make every target depend on every other).
   */
  observe(incident: readonly Symptom[], around: readonly Symptom[] = []): void {
    const firstOf = (symptoms: readonly Symptom[], into = new Map<string, number>()) => {
      for (const symptom of symptoms) into.set(symptom.target, Math.min(into.get(symptom.target) ?? Infinity, symptom.time));
      return into;
    };
    const own = firstOf(incident);
    const first = firstOf(around, new Map(own));
    for (const target of own.keys()) this.incidents.set(target, (this.incidents.get(target) ?? 0) + 1);
    for (const [dependent, dependentTime] of own) {
      for (const [dependency, dependencyTime] of first) {
        const lead = dependentTime - dependencyTime;
        if (dependent === dependency || lead <= 0 || lead > this.learning.lagMs) continue;
        const counts = this.counts(dependent);
        counts.set(dependency, (counts.get(dependency) ?? 0) + 1);
      }
    }
  }

  private counts(dependent: string): Map<string, number> {
    let counts = this.coOccurrences.get(dependent);
    if (!counts) this.coOccurrences.set(dependent, (counts = new Map<string, number>()));
    return counts;
  }

  /** Direct dependencies of a target: declared ones, then learned ones that are trusted enough. */
  dependenciesOf(dependent: string): DependencyEdge[] {
    const edges: DependencyEdge[] = [...(this.declared.get(dependent) ?? [])].map((dependency) => ({
      dependent,
      dependency,
      source: EdgeSource.declared,
      weight: 1,
    }));
    for (const [dependency, count] of this.coOccurrences.get(dependent) ?? []) {
      if (count < this.learning.minCoOccurrences) continue;
      if (this.declared.get(dependent)?.has(dependency) === true) continue;
      const share = count / Math.max(count, this.incidents.get(dependent) ?? count);
      edges.push({ dependent, dependency, source: EdgeSource.learned, weight: Math.min(this.learning.maxLearnedWeight, share) });
    }
    return edges;
  }

  /**
   * Every target `dependent` reaches through dependency edges, with the strongest path weight
   * (product of edge weights) and the path itself, up to `maxDepth` hops.
   */
  upstreamOf(dependent: string, maxDepth = 4): Map<string, { weight: number; path: string[] }> {
    const reached = new Map<string, { weight: number; path: string[] }>();
    let frontier: { target: string; weight: number; path: string[] }[] = [{ target: dependent, weight: 1, path: [dependent] }];
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const node of frontier) {
        for (const edge of this.dependenciesOf(node.target)) {
          if (edge.dependency === dependent) continue;
          const weight = node.weight * edge.weight;
          if ((reached.get(edge.dependency)?.weight ?? 0) >= weight) continue;
          const path = [...node.path, edge.dependency];
          reached.set(edge.dependency, { weight, path });
          next.push({ target: edge.dependency, weight, path });
        }
      }
      frontier = next;
    }
    return reached;
  }

  snapshot(): DependencyGraphState {
    return {
      declared: [...this.declared.entries()].flatMap(([dependent, dependencies]) =>
        [...dependencies].map((dependency) => [dependent, dependency] as const),
      ),
      coOccurrences: Object.fromEntries(
        [...this.coOccurrences].flatMap(([dependent, counts]) =>
          [...counts].map(([dependency, count]) => [edgeKey(dependent, dependency), count] as const),
        ),
      ),
      incidents: Object.fromEntries(this.incidents),
    };
  }
}
