import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigurationFileError, parseConfiguration, watchConfigurationFile } from './configuration-file.js';

const good = `
version: 1
sources:
  prometheus: { url: http://127.0.0.1:9090 }
targets:
  - name: orders-db
    probes: [{ kind: postgres, url: postgres://monitor@127.0.0.1:5432/orders }]
  - name: inventory
    metricsUrl: http://127.0.0.1:8080/metrics
    dependsOn: [orders-db]
    prometheus:
      - { name: errors, query: 'sum(rate(http_errors_total[1m]))', threshold: 5, severity: critical, description: more than 5 errors a second }
    effector:
      kind: container
      container: inventory
      capabilities:
        - { action: restart_service, timeoutMs: 60000 }
`;

describe('the configuration file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads targets, sources and effectors with their defaults filled in', () => {
    const config = parseConfiguration(good);
    expect(config.targets.map((target) => target.name)).toEqual(['orders-db', 'inventory']);
    expect(config.targets[0]?.effector).toEqual({ kind: 'none' });
    expect(config.targets[1]?.effector).toMatchObject({
      kind: 'container',
      socket: '/var/run/docker.sock',
      capabilities: [{ action: 'restart_service', verify: 'symptom_cleared', timeoutMs: 60_000 }],
    });
    expect(config.limits).toEqual({ targetsPerMinute: 5, actionsPerEffectorPerHour: 30, leaseTtlMs: 120_000 });
  });

  it('names every problem with its path: unknown keys, unknown dependencies, PromQL without Prometheus', () => {
    const bad = `
version: 1
targets:
  - name: a
    dependsOn: [b]
    colour: blue
    prometheus: [{ name: q, query: up, threshold: 1, severity: info, description: d }]
`;
    expect(() => parseConfiguration(bad, 'bad.yaml')).toThrow(ConfigurationFileError);
    try {
      parseConfiguration(bad, 'bad.yaml');
    } catch (error) {
      const problems = (error as ConfigurationFileError).problems.join('\n');
      expect(problems).toContain('targets.0: Unrecognized key: "colour"');
    }
    const unknownDependency = 'version: 1\ntargets: [{ name: a, dependsOn: [b] }]\n';
    expect(() => parseConfiguration(unknownDependency)).toThrow(/targets.0.dependsOn.0: unknown target b/);
    const promqlAlone =
      'version: 1\ntargets: [{ name: a, prometheus: [{ name: q, query: up, threshold: 1, severity: info, description: d }] }]\n';
    expect(() => parseConfiguration(promqlAlone)).toThrow(/PromQL rules need sources.prometheus.url/);
    expect(() => parseConfiguration('version: 1\ntargets: [ {')).toThrow(/not readable YAML/);
  });

  it('takes a changed file into force, and refuses a bad one while the last good one stays', async () => {
    const file = join(dir, 'mapek.yaml');
    await writeFile(file, good);
    const seen: string[][] = [];
    const live = await watchConfigurationFile(file, {
      intervalMs: 60_000,
      onChange: (next) => void seen.push(next.targets.map((target) => target.name)),
    });
    try {
      await writeFile(file, `${good}  - name: billing\n`);
      await live.check();
      expect(seen).toEqual([['orders-db', 'inventory', 'billing']]);
      expect(live.status()).toMatchObject({ loads: 2, rejections: 0 });

      await writeFile(file, 'version: 2\n');
      await live.check();
      expect(live.current().targets).toHaveLength(3);
      expect(live.status()).toMatchObject({ loads: 2, rejections: 1, lastError: { problems: [expect.stringContaining('version')] } });
      expect(seen).toHaveLength(1);
    } finally {
      live.stop();
    }
  });

  it('refuses to start on a file that is missing', async () => {
    await expect(watchConfigurationFile(join(dir, 'absent.yaml'))).rejects.toThrow(/not readable/);
  });
});
