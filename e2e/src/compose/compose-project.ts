import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@mapek/testing';
import { execute, repositoryRoot } from './docker-engine.js';

/**
 * Copies the working tree (tracked files and new ones git does not ignore, as they are on disk
 * now) to `dir`, with `.env` and the build's extra CA certificates, which git ignores. The stack
 * is built from the copy, so files edited while the test runs cannot change the build half-way
 * (each image is its own `docker build`, and they must share one compile). Outside a git checkout
 * the tree itself is used.
 */
export async function snapshotWorkingTree(dir: string): Promise<string> {
  if (!existsSync(join(repositoryRoot, '.git'))) return repositoryRoot;
  await mkdir(dir, { recursive: true });
  await execute('bash', [
    '-c',
    'set -o pipefail; git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -c 2>/dev/null | tar -x -C "$1"',
    'snapshot',
    dir,
  ]);
  await copyFile(join(repositoryRoot, '.env'), join(dir, '.env'));
  const caDir = join(repositoryRoot, 'docker', 'build-ca');
  for (const file of (await readdir(caDir)).filter((name) => name.endsWith('.crt')))
    await copyFile(join(caDir, file), join(dir, 'docker', 'build-ca', file));
  return dir;
}

export interface ContainerState {
  readonly service: string;
  readonly id: string;
  readonly status: string;
  /** `healthy`, `unhealthy`, `starting`, or `none` without a health check. */
  readonly health: string;
  readonly exitCode: number;
}

/** One compose project (`docker-compose -p <name>`) run from a directory with its own environment. */
export class ComposeProject {
  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly environment: Record<string, string>,
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.environment, COMPOSE_PROJECT_NAME: this.name };
  }

  run(args: readonly string[], timeoutMs = 120_000): Promise<string> {
    return execute('docker-compose', ['--ansi', 'never', ...args], { cwd: this.dir, env: this.env, timeoutMs });
  }

  /** The container of a service (its first replica). */
  async containerId(service: string): Promise<string> {
    const id = (await this.run(['ps', '-q', service])).trim().split('\n')[0];
    if (!id) throw new Error(`service ${service} has no container in project ${this.name}`);
    return id;
  }

  async states(): Promise<ContainerState[]> {
    const ids = (await this.run(['ps', '-q'])).trim().split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const inspected = JSON.parse(await execute('docker', ['inspect', ...ids])) as Array<{
      Id: string;
      Config: { Labels: Record<string, string> };
      State: { Status: string; ExitCode: number; Health?: { Status: string } };
    }>;
    return inspected.map((container) => ({
      service: container.Config.Labels['com.docker.compose.service'] ?? '',
      id: container.Id,
      status: container.State.Status,
      health: container.State.Health?.Status ?? 'none',
      exitCode: container.State.ExitCode,
    }));
  }

  /**
   * Waits until every service in `services` runs and reports healthy, and fails with the state and
   * the last log lines of those that do not.
   */
  async waitHealthy(services: readonly string[], timeoutMs = 180_000): Promise<void> {
    try {
      await waitFor(
        async () => {
          const states = await this.states();
          return services.every((service) =>
            states.some((state) => state.service === service && state.status === 'running' && state.health === 'healthy'),
          );
        },
        { timeoutMs, intervalMs: 500, what: `${services.join(', ')} to be healthy` },
      );
    } catch (error) {
      const states = await this.states();
      const waiting = services.filter((service) => !states.some((state) => state.service === service && state.health === 'healthy'));
      const details = await Promise.all(
        waiting.map(async (service) => {
          const state = states.find((candidate) => candidate.service === service);
          const logs = await this.run(['logs', '--tail', '25', service]).catch((reason: unknown) => String(reason));
          return `${service}: ${state ? `${state.status}/${state.health} (exit ${state.exitCode})` : 'no container'}\n${logs}`;
        }),
      );
      throw new Error(`${(error as Error).message}\n${details.join('\n')}`, { cause: error });
    }
  }

  /**
   * `error` with the last log lines of `services` appended, for a failure the test output alone
   * cannot explain (CI keeps only that output).
   */
  async explained(error: unknown, services: readonly string[], lines = 40): Promise<Error> {
    const logs = await Promise.all(
      services.map(async (service) => {
        const tail = await this.run(['logs', '--no-color', '--timestamps', '--tail', String(lines), service]).catch((reason: unknown) =>
          String(reason),
        );
        return `--- ${service}, last ${lines} lines ---\n${tail}`;
      }),
    );
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`${message}\n${logs.join('\n')}`, { cause: error });
  }

  /** `docker kill` (SIGKILL) of a service's container. Docker counts it as a manual stop: no restart policy brings it back. */
  async kill(service: string): Promise<void> {
    await execute('docker', ['kill', await this.containerId(service)]);
  }

  async start(service: string): Promise<void> {
    await execute('docker', ['start', await this.containerId(service)]);
  }
}
