import { request } from 'node:http';
import { sendJson } from './json-request.js';

/** The Docker Engine answered with an error status; `status` is the HTTP status. */
export class DockerEngineError extends Error {
  override readonly name = 'DockerEngineError';
  readonly code = 'docker_engine_error';
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.retryable = status >= 500;
  }
}

/** The socket could not be reached, or the call did not finish in time. */
export class DockerEngineUnavailableError extends Error {
  override readonly name = 'DockerEngineUnavailableError';
  readonly retryable = true;
  constructor(
    readonly code: 'timeout' | 'transport',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The parts of `GET /containers/json` the container effector reads. */
export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly State: string;
  readonly Labels: Readonly<Record<string, string>>;
}

/** The parts of `GET /containers/{id}/json` the container effector reads (the rest is passed through when cloning). */
export interface ContainerInspection {
  readonly Id: string;
  readonly Name: string;
  readonly State: { readonly Running: boolean; readonly StartedAt: string; readonly Status: string };
  readonly Config: Record<string, unknown> & { readonly Labels?: Record<string, string> | null };
  readonly HostConfig: Record<string, unknown>;
  readonly NetworkSettings: { readonly Networks?: Record<string, { readonly Aliases?: readonly string[] | null }> | null };
}

/**
 * A small client of the Docker Engine API over its Unix socket (plain `node:http`, no docker CLI,
 * no SDK): only the calls the container effector makes. Paths are unversioned, so the engine
 * answers at its own API version.
 */
export class DockerEngineClient {
  constructor(
    /** The Unix socket, `/var/run/docker.sock` or a `unix://` URL's path. */
    private readonly socketPath: string,
  ) {}

  listContainers(labels: Readonly<Record<string, string>>): Promise<ContainerSummary[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) });
    return this.call<ContainerSummary[]>('GET', `/containers/json?all=true&filters=${encodeURIComponent(filters)}`);
  }

  inspect(id: string, timeoutMs = 10_000): Promise<ContainerInspection> {
    return this.call<ContainerInspection>('GET', `/containers/${encodeURIComponent(id)}/json`, undefined, timeoutMs);
  }

  async restart(id: string, stopTimeoutS: number, timeoutMs: number): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/restart?t=${stopTimeoutS}`, undefined, timeoutMs);
  }

  /** Stops the container; one already stopped is fine (304). */
  async stop(id: string, stopTimeoutS: number, timeoutMs: number): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/stop?t=${stopTimeoutS}`, undefined, timeoutMs);
  }

  /** Starts the container; one already running is fine (304). */
  async start(id: string, timeoutMs: number): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/start`, undefined, timeoutMs);
  }

  async create(name: string, body: Record<string, unknown>, timeoutMs: number): Promise<string> {
    const created = await this.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body, timeoutMs);
    return created.Id;
  }

  async remove(id: string, timeoutMs: number): Promise<void> {
    await this.call('DELETE', `/containers/${encodeURIComponent(id)}?force=true`, undefined, timeoutMs);
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
    const where = `${method} ${path.split('?')[0] ?? path}`;
    const { status, text } = await sendJson(
      (options, onAnswer) => request({ ...options, socketPath: this.socketPath, path }, onAnswer),
      { method, url: `http://docker${path}`, headers: { host: 'docker' }, body, timeoutMs },
      {
        timedOut: () => new DockerEngineUnavailableError('timeout', `the Docker engine did not answer ${where} in ${timeoutMs} ms`),
        unreachable: (error) =>
          new DockerEngineUnavailableError('transport', `Docker engine at ${this.socketPath}: ${error.message}`, { cause: error }),
      },
    );
    if (status === 304 || status === 204 || (status >= 200 && status < 300 && text.length === 0)) return undefined as T;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new DockerEngineError(
          status,
          `the Docker engine answered ${method} ${path} with text that is not JSON: ${(error as Error).message}`,
        );
      }
    }
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // the engine's message is plain text
    }
    throw new DockerEngineError(status, `${where}: ${status} ${message.trim()}`);
  }
}

/** The socket path of a `DOCKER_HOST`-style value (`unix:///run/docker.sock`) or a plain path. */
export function dockerSocketPath(value: string): string {
  return value.startsWith('unix://') ? value.slice('unix://'.length) : value;
}
