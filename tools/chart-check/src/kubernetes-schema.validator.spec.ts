import { describe, expect, it } from '@jest/globals';
import { schemaProblems } from './kubernetes-schema.validator.js';
import { parseManifests } from './manifests.js';

describe('schemaProblems', () => {
  const deployment = (replicas: unknown) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mapek-planner' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'planner' } },
      template: { spec: { containers: [{ name: 'planner', image: 'mapek/planner:0.1.0' }] } },
    },
  });

  it('accepts an object that matches its API schema', () => {
    expect(schemaProblems(deployment(2))).toEqual([]);
  });

  it('names the field that breaks the schema', () => {
    expect(schemaProblems(deployment('two'))).toEqual(['Deployment/mapek-planner: /spec/replicas must be integer']);
  });

  it('refuses a kind it has no schema for, rather than letting it through unchecked', () => {
    expect(schemaProblems({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget/w: no schema for example.org/v1 Widget (add its model to kubernetes-schema.validator.ts)',
    ]);
  });

  it('checks custom resources against their CRD schema', () => {
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'c' },
      spec: { secretName: 's', issuerRef: { name: 'ca' }, usages: ['not a usage'] },
    };
    expect(schemaProblems(certificate)).toEqual([
      expect.stringContaining('Certificate/c: /spec/usages/0 must be equal to one of the allowed values'),
    ]);
  });
});

describe('parseManifests', () => {
  it('reads every object of a multi-document stream and skips empty documents', () => {
    const objects = parseManifests(
      '---\n# Source: x\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n',
    );
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });
});
