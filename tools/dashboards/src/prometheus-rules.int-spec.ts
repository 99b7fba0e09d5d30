import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DeployPath, deployPath } from './deploy-paths.js';

const run = promisify(execFile);

/** Debian's promtool (installed with Prometheus by ./mapek test), or the one PROMTOOL names. */
const promtool = process.env.PROMTOOL ?? 'promtool';

async function promtoolRun(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args, { cwd: deployPath(DeployPath.rules) });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: string | number; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT')
      throw new Error(`${promtool} not found: install Prometheus' promtool (apt-get install prometheus) or set PROMTOOL`, { cause: error });
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

interface RuleFile {
  groups: Array<{
    name: string;
    rules: Array<{ alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
  }>;
}

interface RuleTestFile {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

const ruleFiles = async () => (await readdir(deployPath(DeployPath.rules))).filter((name) => name.endsWith('.rules.yml'));
const testFiles = async () => (await readdir(deployPath(DeployPath.rules))).filter((name) => name.endsWith('.test.yml'));
const readYaml = async <T>(name: string): Promise<T> => parse(await readFile(join(deployPath(DeployPath.rules), name), 'utf8')) as T;

describe('the Prometheus rules for mapek itself', () => {
  it('pass promtool check rules', async () => {
    const files = await ruleFiles();
    expect(files.length).toBeGreaterThan(0);
    const result = await promtoolRun('check', 'rules', ...files);
    expect(result).toMatchObject({ ok: true });
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their promtool unit tests', async () => {
    const files = await testFiles();
    expect(files.length).toBeGreaterThan(0);
    const result = await promtoolRun('test', 'rules', ...files);
    expect(result).toMatchObject({ ok: true });
    expect(result.output).toMatch(/SUCCESS/);
  });

  it('fail promtool test when an expectation is wrong, so the passing run means something', async () => {
    const { mkdtemp, rm, writeFile, copyFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'mapek-rules-'));
    try {
      for (const file of await ruleFiles()) await copyFile(join(deployPath(DeployPath.rules), file), join(dir, file));
      const tests = await readFile(join(deployPath(DeployPath.rules), 'mapek.rules.test.yml'), 'utf8');
      await writeFile(join(dir, 'broken.test.yml'), tests.replace('severity: critical', 'severity: info'));
      const result = await promtoolRun('test', 'rules', join(dir, 'broken.test.yml'));
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/FAILED/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('give every alert a severity, a summary and a description, and test every alert in both directions', async () => {
    const alerts = new Set<string>();
    for (const file of await ruleFiles()) {
      for (const group of (await readYaml<RuleFile>(file)).groups) {
        for (const rule of group.rules.filter((candidate) => candidate.alert !== undefined)) {
          alerts.add(rule.alert as string);
          expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
            alert: rule.alert,
            severity: expect.stringMatching(/^(critical|warning|info)$/),
          });
          expect(rule.annotations).toEqual({ summary: expect.any(String), description: expect.any(String) });
        }
      }
    }
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of await testFiles()) {
      for (const test of (await readYaml<RuleTestFile>(file)).tests) {
        for (const check of test.alert_rule_test ?? []) (check.exp_alerts.length > 0 ? firing : quiet).add(check.alertname);
      }
    }
    expect([...alerts].filter((alert) => !firing.has(alert))).toEqual([]);
    // …and quiet where it must be: before its `for` ran out, on a look-alike, or after the trouble cleared.
    expect([...alerts].filter((alert) => !quiet.has(alert))).toEqual([]);
  });

  it('are what deploy/prometheus/prometheus.yml loads, and that config passes promtool check config', async () => {
    const config = parse(await readFile(deployPath(DeployPath.prometheusConfig), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string }>;
    };
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
    expect(config.scrape_configs.map((scrape) => scrape.job_name).sort()).toEqual([
      'mapek-analyzer',
      'mapek-executor',
      'mapek-gateway',
      'mapek-knowledge',
      'mapek-monitor',
      'mapek-planner',
    ]);
    const result = await promtoolRun('check', 'config', deployPath(DeployPath.prometheusConfig));
    expect(result).toMatchObject({ ok: true });
  });
});
