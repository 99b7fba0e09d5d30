import type { MapekConfiguration } from '@mapek/contracts';

/** A declared dependency edge: the first target depends on the second. */
export type DependencyEdge = readonly [dependent: string, dependency: string];

/**
 * The edges the analyzer's dependency graph starts from: those of `MAPEK_ANALYZER_DEPENDENCIES`
 * and every `dependsOn` of the configuration file's targets, each edge once.
 */
export function declaredDependencies(
  environment: readonly DependencyEdge[],
  configuration: MapekConfiguration | undefined,
): DependencyEdge[] {
  const edges = new Map<string, DependencyEdge>();
  const add = (edge: DependencyEdge) => edges.set(JSON.stringify(edge), edge);
  environment.forEach(add);
  for (const target of configuration?.targets ?? []) for (const dependency of target.dependsOn) add([target.name, dependency]);
  return [...edges.values()];
}
