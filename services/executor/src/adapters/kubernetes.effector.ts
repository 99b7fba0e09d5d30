import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { ActionType, type EffectorConfig } from '@mapek/contracts';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';
import { sendJson } from './json-request.js';

type KubernetesEffectorConfig = Extract<EffectorConfig, { kind: 'kubernetes' }>;

/** What the Kubernetes effector does; `params.operation` picks it, or the action's default. */
export const KubernetesOperation = { rolloutRestart: 'rollout_restart', scale: 'scale', deletePod: 'delete_pod' } as const;
export type KubernetesOperation = (typeof KubernetesOperation)[keyof typeof KubernetesOperation];

const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  readonly code = 'kubernetes_api_error';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/**
 * Acts on a Deployment through the API server, as its service account (a bearer token and the
 * cluster CA, read from their files on every call, so a rotated token is picked up): a rollout
 * restart (the pod template's `kubectl.kubernetes.io/restartedAt` annotation, as `kubectl rollout
 * restart` sets it), scaling through the `scale` subresource, and deleting one pod of the
 * Deployment (found by its selector). The Helm chart grants the executor exactly these verbs.
 *
 * Params: `operation` (rollout_restart, scale, delete_pod; by default rollout_restart for
 * `restart_service`, scale for `scale_up`/`scale_down`), for scale `replicas` or `by` (default 1).
 */
export class KubernetesEffector implements Effector {
  readonly name = 'kubernetes';

  constructor(
    private readonly config: KubernetesEffectorConfig,
    private readonly environment: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const { step } = request;
    const operation = String(
      step.params['operation'] ??
        (step.action === ActionType.restartService
          ? KubernetesOperation.rolloutRestart
          : step.action === ActionType.scaleUp || step.action === ActionType.scaleDown
            ? KubernetesOperation.scale
            : 'none'),
    );
    const deployment = `/apis/apps/v1/namespaces/${encodeURIComponent(this.config.namespace)}/deployments/${encodeURIComponent(this.config.deployment)}`;
    const name = `${this.config.namespace}/${this.config.deployment}`;
    try {
      switch (operation) {
        case KubernetesOperation.rolloutRestart: {
          const patch = { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: new Date().toISOString() } } } } };
          await this.call('PATCH', deployment, step.timeoutMs, patch, 'application/strategic-merge-patch+json');
          return { ok: true, detail: `rollout restart of deployment ${name}` };
        }
        case KubernetesOperation.scale: {
          const scale = (await this.call('GET', `${deployment}/scale`, step.timeoutMs)).body as { spec?: { replicas?: number } };
          const current = scale.spec?.replicas ?? 0;
          const by = Number(step.params['by'] ?? 1);
          const wanted =
            step.params['replicas'] !== undefined
              ? Number(step.params['replicas'])
              : step.action === ActionType.scaleDown
                ? current - by
                : current + by;
          if (!Number.isInteger(wanted) || wanted < 0 || wanted > 1000)
            return { ok: false, detail: `cannot scale ${name} to ${wanted} replicas`, errorCode: 'invalid_params' };
          await this.call('PATCH', `${deployment}/scale`, step.timeoutMs, { spec: { replicas: wanted } }, 'application/merge-patch+json');
          return { ok: true, detail: `scaled deployment ${name} from ${current} to ${wanted} replicas` };
        }
        case KubernetesOperation.deletePod: {
          const spec = (await this.call('GET', deployment, step.timeoutMs)).body as {
            spec?: { selector?: { matchLabels?: Record<string, string> } };
          };
          const labels = spec.spec?.selector?.matchLabels ?? {};
          if (Object.keys(labels).length === 0)
            return { ok: false, detail: `deployment ${name} has no matchLabels selector`, errorCode: 'not_found' };
          const selector = Object.entries(labels)
            .map(([key, value]) => `${key}=${value}`)
            .join(',');
          const list = (
            await this.call(
              'GET',
              `/api/v1/namespaces/${encodeURIComponent(this.config.namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`,
              step.timeoutMs,
            )
          ).body as {
            items?: Array<{ metadata: { name: string; creationTimestamp?: string; deletionTimestamp?: string } }>;
          };
          // The oldest pod that is not already going away.
          const pod = (list.items ?? [])
            .filter((item) => !item.metadata.deletionTimestamp)
            .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))[0];
          if (!pod) return { ok: false, detail: `no pod of deployment ${name} to delete`, errorCode: 'not_found' };
          await this.call(
            'DELETE',
            `/api/v1/namespaces/${encodeURIComponent(this.config.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`,
            step.timeoutMs,
          );
          return { ok: true, detail: `deleted pod ${pod.metadata.name} of deployment ${name}` };
        }
        default:
          return {
            ok: false,
            detail: `the Kubernetes effector has no operation for ${step.action} (set params.operation: rollout_restart, scale or delete_pod)`,
            errorCode: 'unsupported_action',
          };
      }
    } catch (error) {
      if (error instanceof KubernetesApiError) {
        if (error.retryable) throw new EffectorUnavailableError('transport', error.message, { cause: error });
        return {
          ok: false,
          detail: error.message,
          errorCode: error.status === 404 ? 'not_found' : error.status === 403 ? 'forbidden' : `http_${error.status}`,
        };
      }
      throw error;
    }
  }

  private apiServer(): string {
    if (this.config.apiServer) return this.config.apiServer.replace(/\/$/, '');
    const host = this.environment['KUBERNETES_SERVICE_HOST'];
    const port = this.environment['KUBERNETES_SERVICE_PORT'] ?? '443';
    if (!host)
      throw new EffectorUnavailableError('transport', 'no apiServer configured and KUBERNETES_SERVICE_HOST is not set (not in a cluster)');
    return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  private async call(method: string, path: string, timeoutMs: number, body?: unknown, contentType?: string): Promise<ApiAnswer> {
    const [token, ca] = await Promise.all([readFile(this.config.tokenFile, 'utf8'), readFile(this.config.caFile, 'utf8')]).catch(
      (error: unknown) => {
        throw new EffectorUnavailableError('transport', `service account credentials not readable: ${(error as Error).message}`, {
          cause: error,
        });
      },
    );
    const url = new URL(`${this.apiServer()}${path}`);
    const { status, text } = await sendJson(
      (options, onAnswer) => request(url, { ...options, ca }, onAnswer),
      {
        method,
        url,
        headers: { authorization: `Bearer ${token.trim()}`, accept: 'application/json' },
        body,
        timeoutMs,
        ...(contentType ? { contentType } : {}),
      },
      {
        timedOut: () =>
          new EffectorUnavailableError('timeout', `the API server did not answer ${method} ${url.pathname} in ${timeoutMs} ms`),
        unreachable: (error) => new EffectorUnavailableError('transport', `API server ${url.host}: ${error.message}`, { cause: error }),
      },
    );
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // a non-JSON answer (a proxy's error page) stays text
    }
    if (status >= 200 && status < 300) return { status, body: parsed };
    const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String(parsed.message) : text.slice(0, 300);
    throw new KubernetesApiError(status, `${method} ${url.pathname}: ${status} ${message}`);
  }
}
