import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { initPki, defaultPkiOptions } from '@mapek/pki';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { helmLint, helmTemplate, runHelm, type TemplateOptions } from './helm.runner.js';
import { validateAgainstSchemas } from './kubernetes-schema.validator.js';
import { type KubernetesObject, parseManifests } from './manifests.js';
import { openIngressPolicies, workloadsWithoutPolicy } from './network-policy.js';
import { type Json, recordAt, recordsAt } from './object-paths.js';
import { podPolicyViolations } from './pod-policy.js';

// charts/mapek rendered by the real helm (the pinned build ./mapek test puts on PATH), then every
// object checked against the Kubernetes API schemas and the chart's policies.
const repoRoot = resolve(import.meta.dirname, '../../..');
const chart = join(repoRoot, 'charts', 'mapek');
const productionValues = join(chart, 'values-production.yaml');
const services = ['knowledge', 'monitor', 'analyzer', 'planner', 'executor', 'gateway'] as const;
const ports: Record<string, number> = { monitor: 9101, analyzer: 9102, planner: 9103, executor: 9104, knowledge: 9105, gateway: 8080 };

const targets = [
  {
    name: 'orders',
    metricsUrl: 'http://orders.shop.svc:3000/metrics',
    healthUrl: 'http://orders.shop.svc:3000/health',
    labels: { team: 'payments' },
  },
];
const monitorRules = [
  {
    name: 'memory',
    metric: 'process_resident_memory_bytes',
    op: '>',
    threshold: 536870912,
    severity: 'critical',
    description: 'resident memory above 512 MB',
  },
];
const dependencies = [['orders', 'postgres']];
/** The example configuration file, as a platform team would put it in its values. */
const configuration = parseYaml(readFileSync(join(repoRoot, 'examples', 'mapek.yaml'), 'utf8')) as Record<string, unknown>;

/** Every optional part switched on: demo app, cert-manager, ServiceMonitor, spread, config files. */
const everything: TemplateOptions = {
  setJson: {
    'demoApp.enabled': true,
    'identity.certManager.enabled': true,
    'identity.certManager.issuerRef': { name: 'mapek-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    'serviceMonitor.enabled': true,
    'topologySpread.enabled': true,
    'monitor.targets': targets,
    'monitor.rules': monitorRules,
    'analyzer.dependencies': dependencies,
    config: configuration,
    'planner.rules': [
      {
        name: 'memory-leak/free-memory',
        cause: 'memory_leak',
        priority: 'high',
        candidates: [{ name: 'clear', steps: [{ action: 'clear_cache' }] }],
      },
    ],
    'networkPolicy.metricsFrom': [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    'provision.command': ['node', 'tools/stack/dist/provision-cli.js'],
    'provision.workingDir': '/app',
  },
};
const development: TemplateOptions = {
  setJson: { environment: 'development', 'identity.enabled': false, 'gateway.apiKeys.enabled': false },
};
/** The executor's Kubernetes effector granted in two namespaces, its API server reachable on 6443. */
const kubernetesEffector: TemplateOptions = {
  setJson: {
    'executor.kubernetesEffector.namespaces': ['shop', 'payments'],
    'executor.kubernetesEffector.apiServer.ports': [{ port: 6443, protocol: 'TCP' }],
  },
};
const scenarios: Record<string, TemplateOptions> = {
  'the default values': {},
  'the Kubernetes effector': kubernetesEffector,
  'values-production.yaml': { valuesFiles: [productionValues] },
  'every option on': everything,
  'development without identities': development,
};

async function render(options: TemplateOptions): Promise<KubernetesObject[]> {
  const result = await helmTemplate(chart, options);
  if (!result.ok) throw new Error(`helm template failed (exit ${result.exitCode}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

const find = (objects: readonly KubernetesObject[], kind: string, name: string): KubernetesObject => {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (object === undefined)
    throw new Error(`${kind}/${name} was not rendered (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return object;
};
const podSpec = (object: KubernetesObject): Json => recordAt(object, 'spec', 'template', 'spec') ?? {};
const mainContainer = (object: KubernetesObject): Json => recordsAt(podSpec(object), 'containers')[0] ?? {};
/** The container's environment, as name → value (valueFrom entries as their JSON). */
const environment = (object: KubernetesObject): Record<string, string> =>
  Object.fromEntries(
    recordsAt(mainContainer(object), 'env').map((entry) => [
      String(entry['name']),
      typeof entry['value'] === 'string' ? entry['value'] : JSON.stringify(entry['valueFrom']),
    ]),
  );
const names = (objects: readonly KubernetesObject[], kind: string): string[] =>
  objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();
const decode = (secret: KubernetesObject, key: string): string => {
  const encoded = recordAt(secret, 'data')?.[key];
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : '';
};
/** Where each item of the identity volume lands: path → "secret:key". */
const identityLayout = (object: KubernetesObject): Record<string, string> => {
  const volume = recordsAt(podSpec(object), 'volumes').find((v) => v['name'] === 'identity');
  const layout: Record<string, string> = {};
  for (const source of recordsAt(volume, 'projected', 'sources')) {
    const secret = recordAt(source, 'secret');
    for (const item of recordsAt(secret, 'items')) layout[String(item['path'])] = `${String(secret?.['name'])}:${String(item['key'])}`;
  }
  return layout;
};

describe('charts/mapek', () => {
  const rendered = new Map<string, KubernetesObject[]>();

  beforeAll(async () => {
    const version = await runHelm(['version', '--short']);
    if (!version.ok) throw new Error(`helm does not run: ${version.stderr}`);
    for (const [name, options] of Object.entries(scenarios)) rendered.set(name, await render(options));
  });
  const objectsOf = (scenario: string): KubernetesObject[] => rendered.get(scenario) ?? [];

  it('passes helm lint --strict with the default values and with values-production.yaml', async () => {
    for (const values of [{}, { valuesFiles: [productionValues] }, everything]) {
      const result = await helmLint(chart, values);
      expect({ ok: result.ok, output: result.stdout + result.stderr }).toEqual({
        ok: true,
        output: expect.stringContaining('0 chart(s) failed'),
      });
    }
  });

  describe.each(Object.keys(scenarios))('rendered with %s', (scenario) => {
    it('renders only objects that match their Kubernetes API schema', () => {
      expect(objectsOf(scenario).length).toBeGreaterThan(20);
      expect(validateAgainstSchemas(objectsOf(scenario))).toEqual([]);
    });

    it('runs every container as non-root on a read-only root filesystem with limits, and every service with liveness and readiness probes', () => {
      expect(podPolicyViolations(objectsOf(scenario))).toEqual([]);
    });

    it('lets only the gateway take ingress from anyone, and restricts every workload in and out', () => {
      const objects = objectsOf(scenario);
      expect(openIngressPolicies(objects)).toEqual(['mapek-gateway']);
      expect(workloadsWithoutPolicy(objects, 'Ingress')).toEqual([]);
      expect(workloadsWithoutPolicy(objects, 'Egress')).toEqual([]);
    });
  });

  it('has a Deployment, a Service and a PodDisruptionBudget per service, the demo app only when enabled', () => {
    const expected = services.map((service) => `mapek-${service}`).sort();
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget'])
      expect(names(objectsOf('the default values'), kind)).toEqual(expected);
    expect(names(objectsOf('every option on'), 'Deployment')).toEqual([...expected, 'mapek-demo-app'].sort());
  });

  it('probes /health/live and /health/ready on the HTTP port, over HTTPS on the gateway when it has an identity', () => {
    for (const [scenario, gatewayScheme] of [
      ['the default values', 'HTTPS'],
      ['development without identities', 'HTTP'],
    ] as const) {
      for (const service of services) {
        const container = mainContainer(find(objectsOf(scenario), 'Deployment', `mapek-${service}`));
        const scheme = service === 'gateway' ? gatewayScheme : 'HTTP';
        expect(recordsAt(container, 'ports')).toEqual([{ name: 'http', containerPort: ports[service], protocol: 'TCP' }]);
        expect(recordAt(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/health/live', port: 'http', scheme });
        expect(recordAt(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/health/ready', port: 'http', scheme });
      }
    }
  });

  it('gives each service the production environment the stack gives it, bound to 0.0.0.0 in the pod', () => {
    for (const service of services) {
      const deployment = find(objectsOf('the default values'), 'Deployment', `mapek-${service}`);
      expect(environment(deployment)).toEqual(
        expect.objectContaining({
          ENVIRONMENT: 'production',
          NATS_URL: 'tls://nats:4222',
          MAPEK_SUBJECT_PREFIX: 'mapek',
          MAPEK_STREAM_REPLICAS: '1',
          MAPEK_HTTP_HOST: '0.0.0.0',
          MAPEK_HTTP_PORT: String(ports[service]),
          MAPEK_NATS_PROVISION: 'false',
          MAPEK_IDENTITY_DIR: '/etc/mapek/identity',
          MAPEK_IDENTITY: service,
        }),
      );
      // Only knowledge gets the database, only the monitor its targets: services refuse unknown
      // variables under their own prefix.
      expect('DATABASE_URL' in environment(deployment)).toBe(service === 'knowledge');
      expect('MAPEK_MONITOR_TARGETS' in environment(deployment)).toBe(service === 'monitor');
    }
    const gateway = environment(find(objectsOf('the default values'), 'Deployment', 'mapek-gateway'));
    expect(gateway['MAPEK_GATEWAY_API_KEYS_FILE']).toBe('/etc/mapek/api-keys/api-keys.json');
    const knowledge = environment(find(objectsOf('the default values'), 'Deployment', 'mapek-knowledge'));
    expect(JSON.parse(knowledge['DATABASE_URL'] ?? '{}')).toEqual({ secretKeyRef: { name: 'mapek-database', key: 'DATABASE_URL' } });
  });

  it('runs production with two replicas of everything, streams at R3 and TLS to PostgreSQL', () => {
    const objects = objectsOf('values-production.yaml');
    for (const service of services) {
      const deployment = find(objects, 'Deployment', `mapek-${service}`);
      expect(recordAt(deployment, 'spec')?.['replicas']).toBeGreaterThanOrEqual(2);
      expect(environment(deployment)['MAPEK_STREAM_REPLICAS']).toBe('3');
      expect(environment(deployment)['NATS_URL']).toMatch(/^tls:\/\//);
    }
    expect(environment(find(objects, 'Deployment', 'mapek-knowledge'))['MAPEK_DATABASE_TLS']).toBe('true');
    expect(environment(find(objects, 'Job', 'mapek-provision'))['MAPEK_STREAM_REPLICAS']).toBe('3');
  });

  it('provisions the streams before install and upgrade with a hook Job that runs provision-cli as cli', () => {
    const job = find(objectsOf('the default values'), 'Job', 'mapek-provision');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(mainContainer(job)['image']).toBe('mapek/provision:0.1.0');
    // The image's own command runs provision-cli unless provision.command says otherwise.
    expect(mainContainer(job)['command']).toBeUndefined();
    expect(environment(job)).toEqual({
      NATS_URL: 'tls://nats:4222',
      MAPEK_SUBJECT_PREFIX: 'mapek',
      MAPEK_STREAM_REPLICAS: '1',
      MAPEK_IDENTITY_DIR: '/etc/mapek/identity',
      MAPEK_IDENTITY: 'cli',
    });
    // The release's ServiceAccount does not exist yet when a pre-install hook runs.
    expect(podSpec(job)['serviceAccountName']).toBeUndefined();
    expect(identityLayout(job)).toEqual({
      'ca.crt': 'mapek-trust:ca.crt',
      'cli/tls.crt': 'mapek-identity-cli:tls.crt',
      'cli/tls.key': 'mapek-identity-cli:tls.key',
    });
    // With cert-manager the cli certificate is a hook too, issued before the Job that mounts it.
    const objects = objectsOf('every option on');
    const withCertManager = find(objects, 'Job', 'mapek-provision');
    expect(mainContainer(withCertManager)).toEqual(
      expect.objectContaining({ command: ['node', 'tools/stack/dist/provision-cli.js'], workingDir: '/app' }),
    );
    expect(identityLayout(withCertManager)).toEqual({
      'ca.crt': 'mapek-x509-cli:ca.crt',
      'cli/tls.crt': 'mapek-x509-cli:tls.crt',
      'cli/tls.key': 'mapek-x509-cli:tls.key',
    });
    const certificate = find(objects, 'Certificate', 'mapek-cli');
    expect(certificate.metadata.annotations).toEqual(
      expect.objectContaining({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-10' }),
    );
  });

  it("passes the monitor's targets and rules and the analyzer's dependencies as files from ConfigMaps", () => {
    const objects = objectsOf('every option on');
    const monitorConfig = recordAt(find(objects, 'ConfigMap', 'mapek-monitor'), 'data') ?? {};
    expect(JSON.parse(String(monitorConfig['targets.json']))).toEqual([
      targets[0],
      {
        name: 'demo-app',
        metricsUrl: 'http://mapek-demo-app.mapek.svc:8000/metrics',
        healthUrl: 'http://mapek-demo-app.mapek.svc:8000/health',
      },
    ]);
    expect(JSON.parse(String(monitorConfig['rules.json']))).toEqual({ rules: monitorRules });
    expect(JSON.parse(String(recordAt(find(objects, 'ConfigMap', 'mapek-analyzer'), 'data')?.['dependencies.json']))).toEqual(dependencies);
    const monitor = find(objects, 'Deployment', 'mapek-monitor');
    expect(environment(monitor)).toEqual(
      expect.objectContaining({
        MAPEK_MONITOR_TARGETS: '@/etc/mapek/config/targets.json',
        MAPEK_MONITOR_RULES_FILE: '/etc/mapek/config/rules.json',
      }),
    );
    expect(environment(find(objects, 'Deployment', 'mapek-analyzer'))['MAPEK_ANALYZER_DEPENDENCIES']).toBe(
      '@/etc/mapek/config/dependencies.json',
    );
    expect(environment(find(objects, 'Deployment', 'mapek-planner'))['MAPEK_PLANNER_RULES_FILE']).toBe('/etc/mapek/config/rules.json');
    expect(recordsAt(mainContainer(monitor), 'volumeMounts')).toContainEqual({
      name: 'config',
      mountPath: '/etc/mapek/config',
      readOnly: true,
    });
    // A changed ConfigMap rolls the Deployment: the services read these files at start.
    expect(recordAt(monitor, 'spec', 'template', 'metadata', 'annotations')?.['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hands every service the configuration file from one ConfigMap, mounted as a directory so a change reaches the running pods', () => {
    const objects = objectsOf('every option on');
    expect(parseYaml(String(recordAt(find(objects, 'ConfigMap', 'mapek-config'), 'data')?.['mapek.yaml']))).toEqual(configuration);
    for (const service of services) {
      const deployment = find(objects, 'Deployment', `mapek-${service}`);
      expect([service, environment(deployment)['MAPEK_CONFIG_FILE']]).toEqual([service, '/etc/mapek/mapek/mapek.yaml']);
      expect(recordsAt(mainContainer(deployment), 'volumeMounts')).toContainEqual({
        name: 'mapek-config',
        mountPath: '/etc/mapek/mapek',
        readOnly: true,
      });
      expect(recordsAt(podSpec(deployment), 'volumes')).toContainEqual(
        expect.objectContaining({ name: 'mapek-config', configMap: expect.objectContaining({ name: 'mapek-config' }) }),
      );
    }
    expect(objectsOf('the default values').some((object) => object.kind === 'ConfigMap' && object.metadata.name === 'mapek-config')).toBe(
      false,
    );
    expect(environment(find(objectsOf('the default values'), 'Deployment', 'mapek-monitor'))['MAPEK_CONFIG_FILE']).toBeUndefined();
  });

  it('mounts each identity as `mapek pki init` lays out its directory', () => {
    expect(identityLayout(find(objectsOf('the default values'), 'Deployment', 'mapek-gateway'))).toEqual({
      'ca.crt': 'mapek-trust:ca.crt',
      'ca.ml-dsa-65.pub.json': 'mapek-trust:ca.ml-dsa-65.pub.json',
      'trust-bundle.json': 'mapek-trust:trust-bundle.json',
      'gateway/tls.crt': 'mapek-identity-gateway:tls.crt',
      'gateway/tls.key': 'mapek-identity-gateway:tls.key',
      'gateway/pqc-keys.json': 'mapek-identity-gateway:pqc-keys.json',
      'gateway/https.crt': 'mapek-identity-gateway:https.crt',
      'gateway/https.key': 'mapek-identity-gateway:https.key',
    });
    // With cert-manager the X.509 files come from its Secrets, the PQC keys still from mapek pki.
    expect(identityLayout(find(objectsOf('every option on'), 'Deployment', 'mapek-knowledge'))).toEqual({
      'ca.crt': 'mapek-x509-knowledge:ca.crt',
      'ca.ml-dsa-65.pub.json': 'mapek-trust:ca.ml-dsa-65.pub.json',
      'trust-bundle.json': 'mapek-trust:trust-bundle.json',
      'knowledge/tls.crt': 'mapek-x509-knowledge:tls.crt',
      'knowledge/tls.key': 'mapek-x509-knowledge:tls.key',
      'knowledge/pqc-keys.json': 'mapek-identity-knowledge:pqc-keys.json',
    });
    expect(identityLayout(find(objectsOf('development without identities'), 'Deployment', 'mapek-knowledge'))).toEqual({});
  });

  it('asks cert-manager for certificates that carry the SPIFFE id, as mapek pki issues them', () => {
    const certificate = find(objectsOf('every option on'), 'Certificate', 'mapek-executor');
    expect(recordAt(certificate, 'spec')).toEqual(
      expect.objectContaining({
        secretName: 'mapek-x509-executor',
        commonName: 'executor',
        uris: ['spiffe://mapek.local/executor'],
        usages: ['digital signature', 'client auth', 'server auth'],
        issuerRef: { name: 'mapek-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      }),
    );
    expect(recordAt(find(objectsOf('every option on'), 'Certificate', 'mapek-gateway-https'), 'spec')?.['dnsNames']).toContain(
      'mapek-gateway.mapek.svc',
    );
  });

  it('scrapes every /metrics with one ServiceMonitor, the gateway over HTTPS', () => {
    const monitor = find(objectsOf('every option on'), 'ServiceMonitor', 'mapek');
    expect(recordsAt(monitor, 'spec', 'endpoints').map((endpoint) => [endpoint['port'], endpoint['scheme'], endpoint['path']])).toEqual([
      ['http', 'http', '/metrics'],
      ['https', 'https', '/metrics'],
    ]);
    expect(recordsAt(find(objectsOf('every option on'), 'Service', 'mapek-gateway'), 'spec', 'ports')[0]?.['name']).toBe('https');
    expect(names(objectsOf('the default values'), 'ServiceMonitor')).toEqual([]);
  });

  it('lets the monitor reach its targets, knowledge reach PostgreSQL, and no one else', () => {
    const objects = objectsOf('every option on');
    const egressPorts = (name: string) =>
      recordsAt(find(objects, 'NetworkPolicy', name), 'spec', 'egress').flatMap((rule) =>
        recordsAt(rule, 'ports').map((port) => port['port']),
      );
    expect(egressPorts('mapek-knowledge')).toEqual([53, 53, 4222, 5432]);
    expect(egressPorts('mapek-monitor')).toEqual([53, 53, 4222, 8000]);
    for (const service of ['analyzer', 'planner', 'executor', 'gateway']) expect(egressPorts(`mapek-${service}`)).toEqual([53, 53, 4222]);
    const demoIngress = recordsAt(find(objects, 'NetworkPolicy', 'mapek-demo-app'), 'spec', 'ingress')[0];
    expect(recordsAt(demoIngress, 'from')).toEqual([
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/component': 'monitor',
            'app.kubernetes.io/instance': 'mapek',
            'app.kubernetes.io/name': 'mapek',
          },
        },
      },
    ]);
  });

  it('grants the executor’s Kubernetes effector only its verbs, in its namespaces, and a token to no other service', () => {
    const objects = objectsOf('the Kubernetes effector');
    const roles = objects.filter((object) => object.kind === 'Role');
    expect(roles.map((role) => role.metadata.namespace).sort()).toEqual(['payments', 'shop']);
    for (const role of roles) {
      expect(recordsAt(role, 'rules')).toEqual([
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] },
      ]);
    }
    const bindings = objects.filter((object) => object.kind === 'RoleBinding');
    expect(bindings.flatMap((binding) => recordsAt(binding, 'subjects'))).toEqual([
      { kind: 'ServiceAccount', name: 'mapek-executor', namespace: 'mapek' },
      { kind: 'ServiceAccount', name: 'mapek-executor', namespace: 'mapek' },
    ]);
    expect(podSpec(find(objects, 'Deployment', 'mapek-executor'))).toMatchObject({
      serviceAccountName: 'mapek-executor',
      automountServiceAccountToken: true,
    });
    for (const service of services.filter((name) => name !== 'executor'))
      expect(podSpec(find(objects, 'Deployment', `mapek-${service}`))['automountServiceAccountToken']).toBe(false);
    const egressPorts = recordsAt(find(objects, 'NetworkPolicy', 'mapek-executor'), 'spec', 'egress').flatMap((rule) =>
      recordsAt(rule, 'ports').map((port) => port['port']),
    );
    expect(egressPorts).toEqual([53, 53, 4222, 6443]);
    expect(names(objectsOf('the default values'), 'Role')).toEqual([]);
  });

  describe('values.schema.json', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a negative replica count', { 'monitor.replicas': -1 }, "at '/monitor/replicas'"],
      ['replicas as text', { 'planner.replicas': 'two' }, "at '/planner/replicas'"],
      ['a misspelt key', { 'monitor.replica': 2 }, "additional properties 'replica' not allowed"],
      ['an unknown environment', { environment: 'staging' }, "at '/environment'"],
      ['NATS over HTTP', { 'nats.url': 'http://nats:4222' }, "at '/nats/url'"],
      // null removes a default in Helm's merge of values.
      ['a container without limits', { 'gateway.resources.limits': null }, "missing property 'limits'"],
      [
        'a memory limit without a unit it knows',
        { 'knowledge.resources.limits.memory': 'lots' },
        "at '/knowledge/resources/limits/memory'",
      ],
      ['production without identities', { 'identity.enabled': false }, "at '/identity/enabled'"],
      ['production without API keys', { 'gateway.apiKeys.enabled': false }, "at '/gateway/apiKeys/enabled'"],
      ['TLS to PostgreSQL without an identity', { ...development.setJson, 'postgresql.tls': true }, "at '/identity/enabled'"],
      ['cert-manager without an issuer', { 'identity.certManager.enabled': true }, "at '/identity/certManager/issuerRef/name'"],
      ['a target name with a space', { 'monitor.targets': [{ name: 'my orders' }] }, "at '/monitor/targets/0/name'"],
      ['a one-sided dependency', { 'analyzer.dependencies': [['orders']] }, "at '/analyzer/dependencies/0'"],
      [
        'a rule with an unknown severity',
        { 'monitor.rules': [{ ...monitorRules[0], severity: 'urgent' }] },
        "at '/monitor/rules/0/severity'",
      ],
      [
        'a lower-case environment variable',
        { 'planner.env': { mapek_planner_cooldown_ms: '1000' } },
        "'mapek_planner_cooldown_ms' does not match pattern",
      ],
      ['a stream replica count NATS refuses', { 'nats.streamReplicas': 7 }, "at '/nats/streamReplicas'"],
    ])('refuses %s', async (_what, setJson, where) => {
      const result = await helmTemplate(chart, { setJson });
      expect(result.ok).toBe(false);
      expect(result.stderr).toContain("values don't meet the specifications of the schema");
      expect(result.stderr).toContain(where);
    });
  });

  it('refuses what the schema cannot see: a variable the chart sets itself, or identity files it was asked to create but not given', async () => {
    const overridden = await helmTemplate(chart, { setJson: { 'monitor.env': { NATS_URL: 'nats://elsewhere:4222' } } });
    expect(overridden.ok).toBe(false);
    expect(overridden.stderr).toContain('monitor.env.NATS_URL: the chart sets NATS_URL itself');
    const empty = await helmTemplate(chart, { setJson: { 'identity.create': true } });
    expect(empty.ok).toBe(false);
    expect(empty.stderr).toContain('identity.files.trust.caCrt is empty');
  });

  describe('with the identities of a real `mapek pki init`', () => {
    let certs: string;

    beforeAll(async () => {
      certs = await mkdtemp(join(tmpdir(), 'mapek-chart-pki-'));
      await initPki({ ...defaultPkiOptions, out: certs });
    });

    afterAll(async () => {
      await rm(certs, { recursive: true, force: true });
    });

    it('creates Secrets that hold its files byte for byte (scripts/identity-values.mjs)', async () => {
      const script = join(chart, 'scripts', 'identity-values.mjs');
      const { stdout } = await promisify(execFile)(process.execPath, [script, certs], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const valuesFile = join(certs, 'identity-values.json');
      await writeFile(valuesFile, stdout);
      const objects = await render({ valuesFiles: [valuesFile], setJson: { 'demoApp.enabled': true } });
      expect(validateAgainstSchemas(objects)).toEqual([]);
      const file = (...parts: string[]) => readFile(join(certs, ...parts), 'utf8');

      const trust = find(objects, 'Secret', 'mapek-trust');
      for (const name of ['ca.crt', 'ca.ml-dsa-65.pub.json', 'trust-bundle.json']) expect(decode(trust, name)).toBe(await file(name));
      for (const identity of [...services, 'agent']) {
        const secret = find(objects, 'Secret', `mapek-identity-${identity}`);
        for (const name of ['tls.crt', 'tls.key', 'pqc-keys.json']) expect(decode(secret, name)).toBe(await file(identity, name));
      }
      const gateway = find(objects, 'Secret', 'mapek-identity-gateway');
      expect(decode(gateway, 'https.crt')).toBe(await file('gateway', 'https.crt'));
      const cli = find(objects, 'Secret', 'mapek-provision-cli');
      expect(cli.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(decode(cli, 'tls.key')).toBe(await file('cli', 'tls.key'));
      // The CA's private keys never leave the directory.
      expect(stdout).not.toContain(await file('ca', 'ca.key'));
      // A rotated identity rolls its Deployment.
      expect(
        recordAt(find(objects, 'Deployment', 'mapek-planner'), 'spec', 'template', 'metadata', 'annotations')?.['checksum/identity'],
      ).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
