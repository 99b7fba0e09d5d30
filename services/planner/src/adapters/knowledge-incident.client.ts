import { errors, type NatsConnection } from '@nats-io/transport-node';
import { KnowledgeEndpoint, subjects } from '@mapek/contracts';
import type { StoredIncident } from '../domain/incident-replay.js';
import { serviceErrorCode, tracedServiceRequest } from '@mapek/messaging';

/** Why knowledge gave no incident: unknown (404) or not answering (503); codes, not prose. */
export class IncidentQueryError extends Error {
  override readonly name = 'IncidentQueryError';
  constructor(
    readonly code: 'not_found' | 'unavailable',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Reads one stored incident with its events from knowledge (NATS services framework). */
export class KnowledgeIncidentClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async incident(id: string): Promise<StoredIncident> {
    let reply;
    try {
      reply = await tracedServiceRequest(
        this.nc,
        `${subjects.knowledgeService(this.prefix)}.${KnowledgeEndpoint.incident}`,
        JSON.stringify({ id }),
        this.timeoutMs,
      );
    } catch (error) {
      throw new IncidentQueryError(
        'unavailable',
        error instanceof errors.NoRespondersError ? 'no knowledge replica is running' : 'knowledge did not answer in time',
        true,
      );
    }
    const code = serviceErrorCode(reply);
    if (code === '404') throw new IncidentQueryError('not_found', `incident ${id} is not known`, false);
    if (code)
      throw new IncidentQueryError('unavailable', `knowledge failed with ${code}: ${reply.headers?.get('Nats-Service-Error') ?? ''}`, true);
    return reply.json<StoredIncident>();
  }
}
