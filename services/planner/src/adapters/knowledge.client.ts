import type { NatsConnection } from '@nats-io/transport-node';
import { KnowledgeEndpoint, subjects, type CauseKind } from '@mapek/contracts';
import type { ActionStats } from '../domain/plan-builder.js';
import { serviceErrorCode, tracedServiceRequest } from '@mapek/messaging';

interface StatsReply {
  readonly stats: ReadonlyArray<ActionStats & { action: string }>;
}

/** Asks knowledge (NATS services framework) what it learned about each action against a cause. */
export class KnowledgeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async stats(cause: CauseKind): Promise<Map<string, ActionStats>> {
    const reply = await tracedServiceRequest(
      this.nc,
      `${subjects.knowledgeService(this.prefix)}.${KnowledgeEndpoint.stats}`,
      JSON.stringify({ cause }),
      this.timeoutMs,
    );
    const code = serviceErrorCode(reply);
    if (code) throw new Error(`knowledge stats failed with ${code}: ${reply.headers?.get('Nats-Service-Error') ?? ''}`);
    const body = reply.json<StatsReply>();
    return new Map(body.stats.map((entry) => [entry.action, entry]));
  }
}
