import { ActionType, type ActionType as Action, type EffectorConfig } from '@mapek/contracts';
import {
  DockerEngineClient,
  DockerEngineError,
  DockerEngineUnavailableError,
  dockerSocketPath,
  type ContainerInspection,
} from './docker-engine.client.js';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';

type ContainerEffectorConfig = Extract<EffectorConfig, { kind: 'container' }>;

/** What the container effector does; `params.operation` picks it, or the action's default. */
export const ContainerOperation = { restart: 'restart', stop: 'stop', start: 'start', scale: 'scale' } as const;
export type ContainerOperation = (typeof ContainerOperation)[keyof typeof ContainerOperation];

const defaultOperation: Partial<Record<Action, ContainerOperation>> = {
  [ActionType.restartService]: ContainerOperation.restart,
  [ActionType.scaleUp]: ContainerOperation.scale,
  [ActionType.scaleDown]: ContainerOperation.scale,
};

export const composeProjectLabel = 'com.docker.compose.project';
export const composeServiceLabel = 'com.docker.compose.service';
export const composeNumberLabel = 'com.docker.compose.container-number';

const isOperation = (value: unknown): value is ContainerOperation =>
  typeof value === 'string' && Object.values<string>(ContainerOperation).includes(value);

/**
 * Acts on a container, or on every container of a compose service, through the Docker Engine API
 * on its Unix socket: restart, stop, start, and (compose services only) scale to a number of
 * containers, as compose does it: new containers are clones of the lowest-numbered one with the
 * next numbers, and scaling down removes the highest-numbered ones.
 *
 * Params: `operation` (restart, stop, start, scale; by default restart for `restart_service`,
 * scale for `scale_up`/`scale_down`), `stop_timeout_s` (how long a stop waits before SIGKILL,
 * default 10), for scale `replicas` (the number wanted) or `by` (how many more, default 1;
 * `scale_down` takes that many away).
 */
export class ContainerEffector implements Effector {
  readonly name = 'container';
  private readonly engine: DockerEngineClient;

  constructor(private readonly config: ContainerEffectorConfig) {
    this.engine = new DockerEngineClient(dockerSocketPath(config.socket));
  }

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const { step } = request;
    const operation = step.params['operation'] ?? defaultOperation[step.action];
    if (!isOperation(operation))
      return {
        ok: false,
        detail: `the container effector has no operation for ${step.action} (set params.operation: restart, stop, start or scale)`,
        errorCode: 'unsupported_action',
      };
    const stopTimeoutS = Number(step.params['stop_timeout_s'] ?? 10);
    const timeoutMs = step.timeoutMs;
    try {
      const containers = await this.containers(timeoutMs);
      if (operation === ContainerOperation.scale) return await this.scale(containers, step.action, step.params, timeoutMs);
      if (containers.length === 0) return { ok: false, detail: `no container found for ${this.describe()}`, errorCode: 'not_found' };
      for (const container of containers) {
        if (operation === ContainerOperation.restart) await this.engine.restart(container.Id, stopTimeoutS, timeoutMs);
        else if (operation === ContainerOperation.stop) await this.engine.stop(container.Id, stopTimeoutS, timeoutMs);
        else await this.engine.start(container.Id, timeoutMs);
      }
      return { ok: true, detail: `${operation}: ${containers.map((container) => container.Name.replace(/^\//, '')).join(', ')}` };
    } catch (error) {
      if (error instanceof DockerEngineUnavailableError) throw new EffectorUnavailableError(error.code, error.message, { cause: error });
      if (error instanceof DockerEngineError)
        return { ok: false, detail: error.message, errorCode: error.status === 404 ? 'not_found' : 'engine_error' };
      throw error;
    }
  }

  private describe(): string {
    return this.config.compose
      ? `compose service ${this.config.compose.project}/${this.config.compose.service}`
      : `container ${this.config.container ?? ''}`;
  }

  /** The target's containers, inspected; a compose service's in container-number order. */
  private async containers(timeoutMs: number): Promise<ContainerInspection[]> {
    if (this.config.container) return [await this.engine.inspect(this.config.container, timeoutMs)];
    const compose = this.config.compose;
    if (!compose) return [];
    const listed = await this.engine.listContainers({ [composeProjectLabel]: compose.project, [composeServiceLabel]: compose.service });
    const inspected = await Promise.all(listed.map((container) => this.engine.inspect(container.Id, timeoutMs)));
    return inspected.sort((a, b) => numberOf(a) - numberOf(b));
  }

  private async scale(
    containers: ContainerInspection[],
    action: Action,
    params: EffectorRequest['step']['params'],
    timeoutMs: number,
  ): Promise<EffectorResult> {
    if (!this.config.compose)
      return {
        ok: false,
        detail: `${this.describe()} is not a compose service: only a compose service scales`,
        errorCode: 'unsupported_action',
      };
    const template = containers[0];
    if (!template) return { ok: false, detail: `no container found for ${this.describe()}: nothing to scale from`, errorCode: 'not_found' };
    const by = Number(params['by'] ?? 1);
    const wanted =
      params['replicas'] !== undefined
        ? Number(params['replicas'])
        : action === ActionType.scaleDown
          ? containers.length - by
          : containers.length + by;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 100)
      return { ok: false, detail: `cannot scale ${this.describe()} to ${wanted} containers (1–100)`, errorCode: 'invalid_params' };
    const before = containers.length;
    let highest = Math.max(...containers.map(numberOf));
    for (let count = before; count < wanted; count++) {
      highest++;
      const id = await this.engine.create(cloneName(template, highest), cloneBody(template, highest), timeoutMs);
      await this.engine.start(id, timeoutMs);
    }
    for (const surplus of containers.slice(wanted).reverse()) await this.engine.remove(surplus.Id, timeoutMs);
    return { ok: true, detail: `scaled ${this.describe()} from ${before} to ${wanted} containers` };
  }
}

function numberOf(container: ContainerInspection): number {
  const value = Number(container.Config.Labels?.[composeNumberLabel] ?? 1);
  return Number.isInteger(value) ? value : 1;
}

/** Compose's own naming: the template's name with its number replaced (`p_s_1` → `p_s_3`, `p-s-1` → `p-s-3`). */
function cloneName(template: ContainerInspection, number: number): string {
  const name = template.Name.replace(/^\//, '');
  return /[-_]\d+$/.test(name) ? name.replace(/\d+$/, String(number)) : `${name}-${number}`;
}

/** A create body for a clone: the template's config and host config, its networks with their aliases, the new number. */
function cloneBody(template: ContainerInspection, number: number): Record<string, unknown> {
  // Ids, names and the host name belong to the template; the clone gets its own.
  const config: Record<string, unknown> = { ...template.Config };
  delete config['Hostname'];
  const networks = Object.fromEntries(
    Object.entries(template.NetworkSettings.Networks ?? {}).map(([network, settings]) => [
      network,
      { Aliases: (settings.Aliases ?? []).filter((alias) => !template.Id.startsWith(alias)) },
    ]),
  );
  return {
    ...config,
    Labels: { ...(template.Config.Labels ?? {}), [composeNumberLabel]: String(number) },
    HostConfig: template.HostConfig,
    NetworkingConfig: { EndpointsConfig: networks },
  };
}
