import { errors, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type KnowledgeEndpoint } from '@mapek/contracts';
import { serviceErrorCode, tracedServiceRequest } from '@mapek/messaging';

export class KnowledgeQueryError extends Error {
  override readonly name = 'KnowledgeQueryError';
  constructor(
    readonly code: 'not_found' | 'bad_request' | 'unavailable' | 'failed',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Queries knowledge over the NATS services framework; error codes come back in headers. */
export class KnowledgeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async query<T>(endpoint: KnowledgeEndpoint, request: object = {}): Promise<T> {
    let reply;
    try {
      reply = await tracedServiceRequest(
        this.nc,
        `${subjects.knowledgeService(this.prefix)}.${endpoint}`,
        JSON.stringify(request),
        this.timeoutMs,
      );
    } catch (error) {
      const reason = error instanceof errors.NoRespondersError ? 'no knowledge replica is running' : 'knowledge did not answer in time';
      throw new KnowledgeQueryError('unavailable', reason, true);
    }
    const code = serviceErrorCode(reply);
    if (code) {
      const description = reply.headers?.get('Nats-Service-Error') ?? '';
      if (code === '404') throw new KnowledgeQueryError('not_found', description || 'not found', false);
      if (code === '400') throw new KnowledgeQueryError('bad_request', description, false);
      if (code === '503')
        throw new KnowledgeQueryError('unavailable', `knowledge cannot reach its database${description ? `: ${description}` : ''}`, true);
      throw new KnowledgeQueryError('failed', description, true);
    }
    return reply.json<T>();
  }
}
