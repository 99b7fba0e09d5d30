import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repositoryRoot } from '@mapek/stack';
import { freePort, waitFor } from '@mapek/testing';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const TARGET = 'inventory-py';

/** A plain Python HTTP service (examples/foreign-service): no mapek code runs inside it. */
const servicePy = join(repositoryRoot(), 'examples', 'foreign-service', 'service.py');

async function pidOf(pidFile: string): Promise<number> {
  return Number((await readFile(pidFile, 'utf8')).trim());
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Onboarding a service mapek does not own, the way an SRE would: it is declared only in the
 * configuration file — its metrics URL, a threshold rule on its own gauge, a remediation rule and
 * the process effector that restarts it by its pid file. It develops a fault; mapek sees it in
 * the service's metrics and restarts the process, once.
 */
describe('a service none of mapek runs inside, declared only in the configuration file', () => {
  let running: LoopStack;
  let dir: string;
  let pidFile: string;
  let serviceUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-e2e-foreign-'));
    pidFile = join(dir, 'inventory.pid');
    const port = await freePort();
    serviceUrl = `http://127.0.0.1:${port}`;
    const argv = ['python3', servicePy, '--port', String(port), '--pid-file', pidFile];
    // Started the way its own supervisor would start it: detached, with a pid file.
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: 'ignore' });
    child.unref();
    await waitFor(async () => (await fetch(`${serviceUrl}/health`)).ok, { timeoutMs: 15_000, what: 'the Python service to answer' });

    const configFile = join(dir, 'mapek.yaml');
    await writeFile(
      configFile,
      [
        'version: 1',
        'targets:',
        `  - name: ${TARGET}`,
        `    metricsUrl: ${serviceUrl}/metrics`,
        '    rules:',
        '      - { name: inventory-errors, metric: foreign_error_ratio, op: ">", threshold: 0.5, severity: critical, description: more than half of the requests fail }',
        '    effector:',
        '      kind: process',
        '      supervisor:',
        '        kind: pidfile',
        `        pidFile: ${pidFile}`,
        `        start: { argv: ${JSON.stringify(argv)} }`,
        '      capabilities:',
        '        - { action: restart_service, verify: symptom_cleared, timeoutMs: 30000 }',
        '    remediation:',
        '      - name: restart-inventory',
        '        cause: error_rate',
        '        priority: high',
        '        candidates:',
        '          - { name: restart, prior: 0.9, steps: [{ action: restart_service, timeoutMs: 30000 }] }',
        '',
      ].join('\n'),
    );
    running = await startLoopStack(
      'foreign',
      {
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
        planner: { MAPEK_PLANNER_COOLDOWN_MS: '0' },
      },
      { configFile },
    );
  }, 240_000);

  afterAll(async () => {
    await running?.stop();
    const pid = await pidOf(pidFile).catch(() => undefined);
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('detects the fault in the service own metrics and heals it by restarting its process: outcome success, exactly one execution', async () => {
    const before = await pidOf(pidFile);
    const since = Date.now();
    expect((await fetch(`${serviceUrl}/fault/errors`, { method: 'POST' })).status).toBe(200);

    const healed = await running.loop.waitForIncident(
      since,
      (incident) => incident.target === TARGET && incident.outcome !== null,
      120_000,
      'the Python service to be healed',
    );
    expect(healed).toMatchObject({ target: TARGET, cause: 'error_rate', executionStatus: 'completed', outcome: 'success' });

    const detail = await running.loop.incident(healed.id);
    const executions = detail.events.executions.map(
      (event) => event.data as { executionId: string; status: string; steps: Array<{ action: string; status: string }> },
    );
    expect(new Set(executions.map((execution) => execution.executionId)).size).toBe(1);
    expect(executions.at(-1)?.steps.map((step) => [step.action, step.status])).toEqual([['restart_service', 'completed']]);

    // A new process, started from the configured argv, serving without the fault.
    const after = await pidOf(pidFile);
    expect(after).not.toBe(before);
    expect(isAlive(before)).toBe(false);
    const metrics = await (await fetch(`${serviceUrl}/metrics`)).text();
    expect(metrics).toMatch(/^foreign_error_ratio 0(\.0)?$/m);

    // Nothing else was done to it: one incident for the target, its plan the only one.
    const incidents = (await running.loop.incidents()).filter(
      (incident) => incident.target === TARGET && Date.parse(incident.openedAt) >= since - 1000,
    );
    expect(incidents).toHaveLength(1);
  });
});
