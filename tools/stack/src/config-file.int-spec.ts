import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort, waitFor } from '@mapek/testing';
import { DEFAULT_SERVICES, ServiceName } from './service-catalog.js';
import { startStack, type Stack } from './stack.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

interface MonitorStatus {
  readonly configuration: { file: string; loads: number; rejections: number; lastError?: { problems: string[] } } | null;
  readonly targets: Array<{ name: string; probes: string[] }>;
}

/**
 * `./mapek start --config`: the stack hands the file to the services, and the monitor, a real
 * process, follows it: a changed file is taken without a restart, a bad one is refused while the
 * last good one stays in force, visible in /status and in the metrics.
 */
describe('the stack with a configuration file', () => {
  let dataDir: string;
  let file: string;
  let refusedPort: number;
  let stack: Stack | undefined;

  const config = (targets: string[]) =>
    `version: 1\ntargets:\n${targets.map((name) => `  - { name: ${name}, probes: [{ kind: tcp, host: 127.0.0.1, port: ${refusedPort} }] }`).join('\n')}\n`;

  const status = async (): Promise<MonitorStatus> =>
    (await (await fetch(`${stack?.serviceUrl(ServiceName.monitor)}/status`)).json()) as MonitorStatus;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-config-stack-'));
    file = join(dataDir, 'mapek.yaml');
    refusedPort = await closedPort();
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with a bad file, naming the problem, before anything runs', async () => {
    const bad = join(dataDir, 'bad.yaml');
    await writeFile(bad, 'version: 1\ntargets: [{ name: orders, colour: blue }]\n');
    const child = spawn(process.execPath, [cli, '--data-dir', join(dataDir, 'cli'), '--services', '', '--any-free-port', '--config', bad], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`configuration file ${bad} is invalid`);
    expect(output).toContain('targets.0: Unrecognized key: "colour"');
    expect(output).not.toContain('nats-server');
  });

  it('gives the monitor the file beside the demo app, and the monitor follows the file while it runs', async () => {
    await writeFile(file, config(['orders']));
    const services = DEFAULT_SERVICES.filter((service) => service.name === ServiceName.monitor || service.name === ServiceName.analyzer);
    stack = await startStack({
      dataDir,
      configFile: file,
      services,
      security: 'off',
      withoutDatabase: true,
      anyFreePort: true,
      output: null,
      serviceEnv: {
        [ServiceName.monitor]: {
          MAPEK_CONFIG_RELOAD_MS: '100',
          MAPEK_MONITOR_TARGETS: JSON.stringify([{ name: 'demo-app', healthUrl: `http://127.0.0.1:${refusedPort}/health` }]),
        },
        [ServiceName.analyzer]: { MAPEK_CONFIG_RELOAD_MS: '100' },
      },
    });
    expect(stack.configFile).toBe(file);
    const first = await status();
    expect(first.configuration).toMatchObject({ file, loads: 1, rejections: 0 });
    expect(first.targets.map((target) => target.name)).toEqual(['demo-app', 'orders']);

    await writeFile(file, config(['orders', 'payments']));
    await waitFor(async () => (await status()).targets.some((target) => target.name === 'payments'), {
      what: 'the monitor to take the changed file',
    });
    // The analyzer follows the file on its own timer: it must have taken this version too before
    // the next write, or it may never see it (it reads what is there when its timer fires).
    const analyzerMetricsText = async () => (await fetch(`${stack?.serviceUrl(ServiceName.analyzer)}/metrics`)).text();
    await waitFor(async () => /^mapek_configuration_loads_total\{service="analyzer"\} 2$/m.test(await analyzerMetricsText()), {
      what: 'the analyzer to take the changed file',
    });

    await writeFile(file, 'version: 1\ntargets: [{ name: "not a name" }]\n');
    const refused = await waitFor(
      async () => {
        const now = await status();
        return now.configuration?.rejections === 1 && now;
      },
      { what: 'the monitor to refuse the bad file' },
    );
    expect(refused.configuration?.lastError?.problems.join('\n')).toContain('targets.0.name');
    expect(refused.targets.map((target) => target.name)).toEqual(['demo-app', 'orders', 'payments']);
    const metrics = await (await fetch(`${stack.serviceUrl(ServiceName.monitor)}/metrics`)).text();
    expect(metrics).toMatch(/^mapek_configuration_last_load_success\{service="monitor"\} 0$/m);
    expect(metrics).toMatch(/^mapek_configuration_rejections_total\{service="monitor"\} 1$/m);
    // The analyzer reads the same file (its dependsOn edges) and refuses the same bad version.
    const analyzerMetrics = await waitFor(
      async () => {
        const text = await analyzerMetricsText();
        return /^mapek_configuration_last_load_success\{service="analyzer"\} 0$/m.test(text) && text;
      },
      { what: 'the analyzer to refuse the bad file' },
    );
    expect(analyzerMetrics).toMatch(/^mapek_configuration_loads_total\{service="analyzer"\} 2$/m);
  });
});
