import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (this file is e2e/src/compose/). */
export const repositoryRoot = join(import.meta.dirname, '..', '..', '..');

export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  readonly code = 'command_failed';
  readonly retryable = false;
  constructor(
    readonly command: string,
    readonly exitCode: number | string | null,
    readonly output: string,
  ) {
    super(`${command} failed (${exitCode ?? 'killed'}):\n${output.split('\n').slice(-40).join('\n')}`);
  }
}

export interface ExecuteOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a program (no shell) and resolves with its stdout; rejects with the tail of its output. */
export function execute(command: string, args: readonly string[], options: ExecuteOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      [...args],
      {
        cwd: options.cwd ?? repositoryRoot,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const exitCode = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : (error.signal ?? null);
          reject(new CommandFailedError(`${command} ${args.join(' ')}`, exitCode, `${stdout}${stderr}`));
          return;
        }
        resolve(stdout);
      },
    );
    // Nothing to read: a program that forwards its input (docker-compose run) sees the end at once.
    child.stdin?.end();
  });
}

/**
 * Whether the container tests can run here. `impossible` is true only where no Docker engine can
 * run at all (not Linux: dockerd is a Linux program and these tests start Linux containers);
 * anywhere else a missing engine is a failure that says what to run, never a silent skip.
 */
export type DockerEngineStatus =
  | { readonly available: true; readonly version: string }
  | { readonly available: false; readonly impossible: boolean; readonly reason: string };

const howToGetOne = [
  'Run the tests with ./mapek test as root on Debian 12 (it installs docker.io, docker-compose and debootstrap and starts a dockerd of its own),',
  'or start a Docker engine, point DOCKER_HOST at it and install docker-compose 1.29 and debootstrap, then run again:',
  '  sudo ./mapek test',
  '  # or, in a shell of your own: source scripts/docker-engine.sh && ensure_docker_engine   (exports DOCKER_HOST)',
].join('\n');

export async function dockerEngineStatus(): Promise<DockerEngineStatus> {
  if (process.platform !== 'linux') {
    return {
      available: false,
      impossible: true,
      reason: `no Docker engine can run on ${process.platform} here (dockerd and these Linux containers need Linux)`,
    };
  }
  let version: string;
  try {
    version = (await execute('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 })).trim();
  } catch (error) {
    const detail = error instanceof CommandFailedError ? error.output.trim().split('\n').slice(-2).join(' ') : (error as Error).message;
    return {
      available: false,
      impossible: false,
      reason: `no Docker engine answers at ${process.env['DOCKER_HOST'] ?? 'the default socket'} (${detail}).\n${howToGetOne}`,
    };
  }
  try {
    await execute('docker-compose', ['version', '--short'], { timeoutMs: 15_000 });
  } catch {
    return { available: false, impossible: false, reason: `docker-compose (1.29) is missing.\n${howToGetOne}` };
  }
  return { available: true, version };
}

/** Build arguments (environment variables for docker-compose.yml) that select the local base images. */
export interface LocalImages {
  readonly MAPEK_DEBIAN_IMAGE: string;
  readonly MAPEK_NODE_IMAGE: string;
  readonly MAPEK_NATS_SERVER_IMAGE: string;
  readonly MAPEK_POSTGRES_IMAGE: string;
  readonly MAPEK_PROMETHEUS_IMAGE: string;
  /** Made only where scripts/toolchain.sh `ensure_jaeger` built the pinned Jaeger (`./mapek test` does). */
  readonly MAPEK_JAEGER_IMAGE: string;
  readonly MAPEK_NODE_VERSION: string;
}

/**
 * Loads the local base images into the engine, or makes them once (scripts/docker-engine.sh keeps
 * them in ~/.cache/mapek, keyed by the pinned versions), and returns their names.
 */
export async function ensureLocalImages(): Promise<LocalImages> {
  await execute('bash', ['scripts/docker-engine.sh', 'images'], { timeoutMs: 15 * 60_000 });
  const lines = (await execute('bash', ['scripts/docker-engine.sh', 'env'])).trim().split('\n');
  const values = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const read = (name: keyof LocalImages): string => {
    const value = values[name];
    if (value === undefined || value === '') throw new Error(`scripts/docker-engine.sh env printed no ${name}`);
    return value;
  };
  return {
    MAPEK_DEBIAN_IMAGE: read('MAPEK_DEBIAN_IMAGE'),
    MAPEK_NODE_IMAGE: read('MAPEK_NODE_IMAGE'),
    MAPEK_NATS_SERVER_IMAGE: read('MAPEK_NATS_SERVER_IMAGE'),
    MAPEK_POSTGRES_IMAGE: read('MAPEK_POSTGRES_IMAGE'),
    MAPEK_PROMETHEUS_IMAGE: read('MAPEK_PROMETHEUS_IMAGE'),
    MAPEK_JAEGER_IMAGE: read('MAPEK_JAEGER_IMAGE'),
    MAPEK_NODE_VERSION: read('MAPEK_NODE_VERSION'),
  };
}

/** Image name -> size in MB, as `docker image ls` reports it. */
export async function imageSizes(reference: string): Promise<Record<string, number>> {
  const out = await execute('docker', [
    'image',
    'ls',
    '--filter',
    `reference=${reference}`,
    '--format',
    '{{.Repository}}:{{.Tag}} {{.ID}}',
  ]);
  const sizes: Record<string, number> = {};
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [name = '', id = ''] = line.split(' ');
    const bytes = Number((await execute('docker', ['image', 'inspect', '--format', '{{.Size}}', id])).trim());
    sizes[name] = Math.round(bytes / 1e6);
  }
  return sizes;
}
