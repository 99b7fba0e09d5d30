import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { z } from 'zod';
import { KnowledgeEndpoint, causeKindSchema, subjects, uuidSchema } from '@mapek/contracts';
import { MESSAGING, inServiceSpan, type MessagingRuntime } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import { isDatabaseUnavailable, type DatabaseSchema } from '../adapters/database.js';
import type { KnowledgeRepository } from '../adapters/knowledge.repository.js';
import { DATABASE_SCHEMA, REPOSITORY } from './event-recorder.handler.js';

const requests = {
  [KnowledgeEndpoint.stats]: z.object({ cause: causeKindSchema }),
  [KnowledgeEndpoint.incidents]: z.object({
    limit: z.number().int().min(1).max(500).default(50),
    status: z.enum(['open', 'closed']).optional(),
    target: z.string().min(1).optional(),
  }),
  [KnowledgeEndpoint.incident]: z.object({ id: uuidSchema }),
  [KnowledgeEndpoint.insights]: z.object({}),
  [KnowledgeEndpoint.auditVerify]: z.object({}),
} as const;

/**
 * Answers queries on the NATS services framework (`<prefix>.svc.knowledge.<endpoint>`), so they
 * are discoverable and counted (`$SRV.INFO`, `$SRV.STATS`). Errors go back as service error codes:
 * 400 bad request, 404 not found, 503 database unavailable (retry later), 500 internal.
 */
@Injectable()
export class KnowledgeQueryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private service: Service | undefined;

  constructor(
    @Inject(REPOSITORY) private readonly repository: KnowledgeRepository,
    @Inject(DATABASE_SCHEMA) private readonly schema: DatabaseSchema,
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // @nats-io/services is still on a prerelease nats-core; the connection is the same object.
    const svcm = new Svcm(this.runtime.nc as unknown as ConstructorParameters<typeof Svcm>[0]);
    this.service = await svcm.add({
      name: 'mapek-knowledge',
      version: '0.1.0',
      description: 'mapek knowledge queries',
      queue: 'knowledge',
    });
    const group = this.service.addGroup(subjects.knowledgeService(this.runtime.prefix));
    for (const endpoint of Object.values(KnowledgeEndpoint)) {
      group.addEndpoint(endpoint, { handler: (error, msg) => void this.answer(endpoint, error, msg) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.service?.stop().catch(() => undefined);
  }

  private async answer(endpoint: KnowledgeEndpoint, error: Error | null, msg: ServiceMsg): Promise<void> {
    if (error) return;
    // A traced caller's query (the gateway answering an HTTP request) continues its trace here,
    // and the database queries behind the answer show in it.
    await inServiceSpan(msg.subject, msg.headers, () => this.respond(endpoint, msg));
  }

  /** Answers one request and resolves to the status it sent: 200, or the service error code. */
  private async respond(endpoint: KnowledgeEndpoint, msg: ServiceMsg): Promise<number> {
    const fail = (code: number, description: string) => {
      msg.respondError(code, description);
      return code;
    };
    let body: unknown;
    try {
      body = msg.data.length > 0 ? msg.json() : {};
    } catch {
      return fail(400, 'request is not JSON');
    }
    const parsed = requests[endpoint].safeParse(body);
    if (!parsed.success) return fail(400, z.prettifyError(parsed.error).replace(/\s+/g, ' '));
    if (!this.schema.ready) return fail(503, 'database unavailable');
    try {
      const reply = await this.query(endpoint, parsed.data);
      if (reply === undefined) return fail(404, 'not found');
      msg.respond(JSON.stringify(reply));
      return 200;
    } catch (queryError) {
      if (isDatabaseUnavailable(queryError)) {
        this.logger.warn({ err: queryError, endpoint }, 'knowledge query failed: database unavailable');
        return fail(503, 'database unavailable');
      }
      this.logger.error({ err: queryError, endpoint }, 'knowledge query failed');
      return fail(500, 'internal error');
    }
  }

  private async query(endpoint: KnowledgeEndpoint, request: Record<string, unknown>): Promise<unknown> {
    switch (endpoint) {
      case KnowledgeEndpoint.stats:
        return { stats: await this.repository.stats(String(request.cause)) };
      case KnowledgeEndpoint.incidents:
        return { incidents: await this.repository.incidents(request as { limit: number; status?: string; target?: string }) };
      case KnowledgeEndpoint.incident:
        return this.repository.incident(String(request.id));
      case KnowledgeEndpoint.insights:
        return { insights: await this.repository.insights() };
      case KnowledgeEndpoint.auditVerify:
        return this.repository.verifyAudit();
    }
  }
}
