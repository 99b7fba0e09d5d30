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

const edgeKey = (dependent: string, dependency: string): string => `${dependent}→${dependency}`;

/**
 * Dependencies between targets: edges declared by operators ("A dependsOn B") plus edges learned
 * from co-occurrence (B's symptoms repeatedly shortly before A's in the same incident).
 */
export class DependencyGraph {
  private readonly declared = new Map<string, Set<string>>();
  private readonly coOccurrences = new Map<string, number>();
  private readonly incidents = new Map<string, number>();

  constructor(private readonly learning: LearningConfig = defaultLearningConfig) {}

  static restore(state: DependencyGraphState, learning: LearningConfig = defaultLearningConfig): DependencyGraph {
    const graph = new DependencyGraph(learning);
    for (const [dependent, dependency] of state.declared) graph.dependsOn(dependent, dependency);
    for (const [key, count] of Object.entries(state.coOccurrences)) graph.coOccurrences.set(key, count);
    for (const [target, count] of Object.entries(state.incidents)) graph.incidents.set(target, count);
    return graph;
  }

  /** Declares that `dependent` depends on `dependency`. */
  dependsOn(dependent: string, dependency: string): this {
    if (dependent !== dependency) this.declared.set(dependent, (this.declared.get(dependent) ?? new Set()).add(dependency));
    return this;
  }

  /**
   * Learns from one incident's symptoms: every target whose first symptom came at most `lagMs`
   * after another target's first symptom counts one co-occurrence against that earlier target.
   */
  observe(incident: readonly Symptom[]): void {
    const first = new Map<string, number>();
    for (const symptom of incident) first.set(symptom.target, Math.min(first.get(symptom.target) ?? Infinity, symptom.time));
    for (const target of first.keys()) this.incidents.set(target, (this.incidents.get(target) ?? 0) + 1);
    for (const [dependent, dependentTime] of first) {
      for (const [dependency, dependencyTime] of first) {
        const lead = dependentTime - dependencyTime;
        if (dependent === dependency || lead <= 0 || lead > this.learning.lagMs) continue;
        const key = edgeKey(dependent, dependency);
        this.coOccurrences.set(key, (this.coOccurrences.get(key) ?? 0) + 1);
      }
    }
  }

  /** Direct dependencies of a target: declared ones, then learned ones that are trusted enough. */
  dependenciesOf(dependent: string): DependencyEdge[] {
    const edges: DependencyEdge[] = [...(this.declared.get(dependent) ?? [])].map((dependency) => ({
      dependent,
      dependency,
      source: EdgeSource.declared,
      weight: 1,
    }));
    const prefix = `${dependent}→`;
    for (const [key, count] of this.coOccurrences) {
      if (!key.startsWith(prefix) || count < this.learning.minCoOccurrences) continue;
      const dependency = key.slice(prefix.length);
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
      coOccurrences: Object.fromEntries(this.coOccurrences),
      incidents: Object.fromEntries(this.incidents),
    };
  }
}
