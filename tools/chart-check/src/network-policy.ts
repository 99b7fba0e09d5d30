import { describeObject, type KubernetesObject } from './manifests.js';
import { labelsAt, recordAt, recordsAt } from './object-paths.js';
import { podSpecOf } from './pod-policy.js';

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const policiesOf = (objects: readonly KubernetesObject[]) =>
  objects.filter((object) => object.apiVersion === 'networking.k8s.io/v1' && object.kind === 'NetworkPolicy');

/** The NetworkPolicies with an ingress rule that admits any source (no `from`, or an empty one). */
export function openIngressPolicies(objects: readonly KubernetesObject[]): string[] {
  return policiesOf(objects)
    .filter((policy) => recordsAt(policy, 'spec', 'ingress').some((rule) => !Array.isArray(rule['from']) || rule['from'].length === 0))
    .map((policy) => policy.metadata.name);
}

/** Workloads whose pods no NetworkPolicy restricts in the given direction. */
export function workloadsWithoutPolicy(objects: readonly KubernetesObject[], direction: 'Ingress' | 'Egress'): string[] {
  const policies = policiesOf(objects).filter((policy) => {
    const types = recordAt(policy, 'spec')?.['policyTypes'];
    return Array.isArray(types) && types.includes(direction);
  });
  return objects
    .filter((object) => podSpecOf(object) !== undefined)
    .filter((object) => {
      const labels = labelsAt(object, 'spec', 'template', 'metadata', 'labels');
      return !policies.some((policy) => selects(labelsAt(policy, 'spec', 'podSelector', 'matchLabels'), labels));
    })
    .map(describeObject);
}
