import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from './manifests.js';
import { openIngressPolicies, workloadsWithoutPolicy } from './network-policy.js';
import { podPolicyViolations } from './pod-policy.js';

type Mutable = Record<string, unknown>;

interface TestDeployment extends KubernetesObject {
  readonly spec: {
    readonly template: { readonly metadata: Mutable; readonly spec: Mutable & { containers: Mutable[]; volumes: Mutable[] } };
  };
}

/** A Deployment that meets the whole policy; each test breaks one thing. */
function compliantDeployment(): TestDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mapek-monitor' },
    spec: {
      template: {
        metadata: { labels: { 'app.kubernetes.io/component': 'monitor' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'monitor',
              ports: [{ name: 'http', containerPort: 9101 }],
              livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

const container = (deployment: TestDeployment): Mutable => deployment.spec.template.spec.containers[0] ?? {};

describe('podPolicyViolations', () => {
  it('finds nothing wrong with a hardened Deployment', () => {
    expect(podPolicyViolations([compliantDeployment()])).toEqual([]);
  });

  it.each([
    ['a missing liveness probe', (c: Mutable) => delete c['livenessProbe'], 'no livenessProbe'],
    ['a missing readiness probe', (c: Mutable) => delete c['readinessProbe'], 'no readinessProbe'],
    [
      'a probe on an undeclared port',
      (c: Mutable) => (c['readinessProbe'] = { httpGet: { path: '/', port: 'metrics' } }),
      'readinessProbe probes port metrics',
    ],
    [
      'no memory limit',
      (c: Mutable) => (c['resources'] = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } }),
      'no memory limit',
    ],
    ['no requests', (c: Mutable) => (c['resources'] = { limits: { cpu: '1', memory: '1Gi' } }), 'no cpu request'],
    [
      'a writable root filesystem',
      (c: Mutable) => (c['securityContext'] = { ...(c['securityContext'] as Mutable), readOnlyRootFilesystem: false }),
      'root filesystem is writable',
    ],
    [
      'privilege escalation',
      (c: Mutable) => (c['securityContext'] = { ...(c['securityContext'] as Mutable), allowPrivilegeEscalation: true }),
      'allowPrivilegeEscalation is not false',
    ],
    [
      'kept capabilities',
      (c: Mutable) => (c['securityContext'] = { ...(c['securityContext'] as Mutable), capabilities: { add: ['NET_ADMIN'] } }),
      'does not drop ALL capabilities',
    ],
    ['root', (c: Mutable) => (c['securityContext'] = { ...(c['securityContext'] as Mutable), runAsNonRoot: false }), 'may run as root'],
    ['no /tmp', (c: Mutable) => (c['volumeMounts'] = []), 'has no emptyDir at /tmp'],
  ])('reports %s', (_what, breakIt, expected) => {
    const deployment = compliantDeployment();
    breakIt(container(deployment));
    const violations = podPolicyViolations([deployment]);
    expect(violations).toEqual(
      expect.arrayContaining([expect.stringContaining(`Deployment/mapek-monitor container monitor: ${expected}`)]),
    );
  });

  it('lets a pod mount a token only when its service account is bound to a Role the chart renders', () => {
    const deployment = compliantDeployment();
    const pod = deployment.spec.template.spec;
    pod['automountServiceAccountToken'] = true;
    pod['serviceAccountName'] = 'mapek-executor';
    expect(podPolicyViolations([deployment])).toEqual(['Deployment/mapek-monitor: mounts a service account token']);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'shop' },
      subjects: [{ kind: 'ServiceAccount', name: 'mapek-executor', namespace: 'mapek' }],
    };
    expect(podPolicyViolations([deployment, binding])).toEqual([]);
  });

  it('reports pods that mount a token, keep service links or have no seccomp profile', () => {
    const deployment = compliantDeployment();
    const pod = deployment.spec.template.spec;
    delete pod['automountServiceAccountToken'];
    pod['enableServiceLinks'] = true;
    pod['securityContext'] = { runAsNonRoot: true };
    expect(podPolicyViolations([deployment])).toEqual([
      'Deployment/mapek-monitor: mounts a service account token',
      'Deployment/mapek-monitor: enableServiceLinks is not false',
      'Deployment/mapek-monitor container monitor: seccomp profile is not RuntimeDefault',
    ]);
  });

  it('does not ask a run-to-completion Job for probes, but holds it to the rest', () => {
    const deployment = compliantDeployment();
    delete container(deployment)['livenessProbe'];
    delete container(deployment)['readinessProbe'];
    const job: KubernetesObject = { ...deployment, apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'provision' } };
    expect(podPolicyViolations([job])).toEqual([]);
    delete container(deployment)['resources'];
    expect(podPolicyViolations([job])).toContain('Job/provision container monitor: no cpu limit');
  });
});

describe('network policy checks', () => {
  const policy = (name: string, ingress: Mutable[]): KubernetesObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/component': name } }, policyTypes: ['Ingress'], ingress },
  });

  it('names the policies whose ingress admits any source', () => {
    const objects = [
      policy('gateway', [{ ports: [{ port: 8080 }] }]),
      policy('monitor', [{ from: [{ podSelector: {} }], ports: [{ port: 9101 }] }]),
      policy('planner', []),
    ];
    expect(openIngressPolicies(objects)).toEqual(['gateway']);
  });

  it('names the workloads no policy selects', () => {
    expect(workloadsWithoutPolicy([compliantDeployment(), policy('planner', [])], 'Ingress')).toEqual(['Deployment/mapek-monitor']);
    expect(workloadsWithoutPolicy([compliantDeployment(), policy('monitor', [])], 'Ingress')).toEqual([]);
    expect(workloadsWithoutPolicy([compliantDeployment(), policy('monitor', [])], 'Egress')).toEqual(['Deployment/mapek-monitor']);
  });
});
