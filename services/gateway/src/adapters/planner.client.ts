import { errors, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type PlannerEndpoint } from '@mapek/contracts';

export class PlannerQueryError extends Error {
  override readonly name = 'PlannerQueryError';
  constructor(
    /** `unavailable`: no planner answered; `knowledge_unavailable`: the planner could not read the incident. */
    readonly code: 'not_found' | 'bad_request' | 'unprocessable' | 'unavailable' | 'knowledge_unavailable' | 'failed',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Calls the planner's read-only endpoints on the NATS services framework; error codes come back in headers. */
export class PlannerClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async query<T>(endpoint: PlannerEndpoint, request: object): Promise<T> {
    let reply;
    try {
      reply = await this.nc.request(`${subjects.plannerService(this.prefix)}.${endpoint}`, JSON.stringify(request), {
        timeout: this.timeoutMs,
      });
    } catch (error) {
      throw new PlannerQueryError(
        'unavailable',
        error instanceof errors.NoRespondersError ? 'no planner replica is running' : 'the planner did not answer in time',
        true,
      );
    }
    const code = reply.headers?.get('Nats-Service-Error-Code');
    if (code) {
      const description = reply.headers?.get('Nats-Service-Error') ?? '';
      if (code === '404') throw new PlannerQueryError('not_found', description || 'not found', false);
      if (code === '400') throw new PlannerQueryError('bad_request', description, false);
      if (code === '422') throw new PlannerQueryError('unprocessable', description, false);
      if (code === '503') throw new PlannerQueryError('knowledge_unavailable', description || 'knowledge unavailable', true);
      throw new PlannerQueryError('failed', description, true);
    }
    return reply.json<T>();
  }
}
