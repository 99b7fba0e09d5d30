import { describeObject, type KubernetesObject } from './manifests.js';
import { type Json, isRecord, recordAt, recordsAt } from './object-paths.js';

/** Kinds whose pods run until stopped: they need liveness and readiness probes. */
const longRunning = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** The pod spec of a workload, or undefined for objects that run no pods. */
export function podSpecOf(object: KubernetesObject): Json | undefined {
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return recordAt(object, 'spec', 'template', 'spec');
    case 'CronJob':
      return recordAt(object, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
    case 'Pod':
      return recordAt(object, 'spec');
    default:
      return undefined;
  }
}

export function workloads(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.filter((object) => podSpecOf(object) !== undefined);
}

function probeProblems(probe: unknown, kind: string, ports: readonly Json[]): string[] {
  if (!isRecord(probe)) return [`no ${kind}`];
  const httpGet = recordAt(probe, 'httpGet');
  if (httpGet === undefined) return [`${kind} is not an HTTP GET`];
  const port = httpGet['port'];
  const declared = ports.some((p) => p['name'] === port || p['containerPort'] === port);
  return declared ? [] : [`${kind} probes port ${String(port)}, which the container does not declare`];
}

/**
 * What a container breaks of the chart's policy: it runs as non-root with a read-only root
 * filesystem, no privilege escalation, no capabilities and the RuntimeDefault seccomp profile,
 * has CPU and memory requests and limits, a writable /tmp from an emptyDir and, in a long-running
 * workload, HTTP liveness and readiness probes on one of its ports.
 */
function containerProblems(container: Json, pod: Json, volumes: readonly Json[], needsProbes: boolean): string[] {
  const problems: string[] = [];
  const own = recordAt(container, 'securityContext') ?? {};
  const podLevel = recordAt(pod, 'securityContext') ?? {};
  const effective = (field: string): unknown => own[field] ?? podLevel[field];
  if (effective('runAsNonRoot') !== true) problems.push('may run as root (runAsNonRoot is not true)');
  if (effective('runAsUser') === 0) problems.push('runs as user 0');
  if (own['readOnlyRootFilesystem'] !== true) problems.push('root filesystem is writable (readOnlyRootFilesystem is not true)');
  if (own['allowPrivilegeEscalation'] !== false) problems.push('allowPrivilegeEscalation is not false');
  if (own['privileged'] === true) problems.push('is privileged');
  const capabilities = recordAt(own, 'capabilities') ?? {};
  const drop = Array.isArray(capabilities['drop']) ? capabilities['drop'] : [];
  if (!drop.includes('ALL')) problems.push('does not drop ALL capabilities');
  if (Array.isArray(capabilities['add']) && capabilities['add'].length > 0)
    problems.push(`adds capabilities ${capabilities['add'].join(', ')}`);
  const seccomp = recordAt(own, 'seccompProfile') ?? recordAt(podLevel, 'seccompProfile');
  if (seccomp?.['type'] !== 'RuntimeDefault') problems.push('seccomp profile is not RuntimeDefault');
  for (const bound of ['requests', 'limits']) {
    const quantities = recordAt(container, 'resources', bound) ?? {};
    for (const resource of ['cpu', 'memory']) {
      if (quantities[resource] === undefined) problems.push(`no ${resource} ${bound === 'limits' ? 'limit' : 'request'}`);
    }
  }
  const tmp = recordsAt(container, 'volumeMounts').find((mount) => mount['mountPath'] === '/tmp');
  const tmpVolume = volumes.find((volume) => volume['name'] === tmp?.['name']);
  if (tmpVolume === undefined || !isRecord(tmpVolume['emptyDir'])) problems.push('has no emptyDir at /tmp');
  if (needsProbes) {
    const ports = recordsAt(container, 'ports');
    problems.push(
      ...probeProblems(container['livenessProbe'], 'livenessProbe', ports),
      ...probeProblems(container['readinessProbe'], 'readinessProbe', ports),
    );
  }
  return problems;
}

/** Every breach of the pod policy in these objects, as "Kind/name container c: problem". */
export function podPolicyViolations(objects: readonly KubernetesObject[]): string[] {
  const violations: string[] = [];
  // Accounts the chart grants something (RoleBinding subjects): only their pods may hold a token.
  const granted = new Set(
    objects
      .filter((object) => object.kind === 'RoleBinding')
      .flatMap((binding) => recordsAt(binding, 'subjects'))
      .filter((subject) => subject['kind'] === 'ServiceAccount')
      .map((subject) => String(subject['name'])),
  );
  for (const object of workloads(objects)) {
    const pod = podSpecOf(object) ?? {};
    const where = describeObject(object);
    // The services do not call the Kubernetes API (the executor's Kubernetes effector, whose
    // account the chart binds to a Role, excepted); service links would add <SERVICE>_PORT
    // variables under the services' own prefixes, which they refuse.
    const mayHoldToken = pod['automountServiceAccountToken'] === true && granted.has(String(pod['serviceAccountName']));
    if (pod['automountServiceAccountToken'] !== false && !mayHoldToken) violations.push(`${where}: mounts a service account token`);
    if (pod['enableServiceLinks'] !== false) violations.push(`${where}: enableServiceLinks is not false`);
    if (pod['hostNetwork'] === true || pod['hostPID'] === true || pod['hostIPC'] === true)
      violations.push(`${where}: shares a host namespace`);
    const volumes = recordsAt(pod, 'volumes');
    const containers = [...recordsAt(pod, 'initContainers'), ...recordsAt(pod, 'containers')];
    if (containers.length === 0) violations.push(`${where}: has no containers`);
    for (const container of containers) {
      const needsProbes = longRunning.has(object.kind) && recordsAt(pod, 'containers').includes(container);
      for (const problem of containerProblems(container, pod, volumes, needsProbes)) {
        violations.push(`${where} container ${String(container['name'])}: ${problem}`);
      }
    }
  }
  return violations;
}
