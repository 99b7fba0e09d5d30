import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Envelope } from '@mapek/contracts';
import { OnEvent, TransientHandlerError, type HandlerContext } from '@mapek/messaging';
import { METRICS, type ServiceMetrics } from '@mapek/observability';
import { backoffDelay, sleep } from '@mapek/service-kit';
import { isDatabaseUnavailable, type DatabaseSchema } from '../adapters/database.js';
import type { KnowledgeRepository } from '../adapters/knowledge.repository.js';

export const REPOSITORY = Symbol.for('mapek.knowledge.repository');
export const DATABASE_SCHEMA = Symbol.for('mapek.knowledge.database-schema');

/** How long one delivery is held while PostgreSQL is down before it goes back to JetStream (a new delivery). */
const HOLD_WHILE_DATABASE_DOWN_MS = 5 * 60_000;

/**
 * Stores every loop event. While PostgreSQL cannot be reached, the delivery is held (kept alive
 * with `working()`) and retried with backoff, so an outage does not use up the consumer's
 * deliveries and dead-letter events; other failures are transient and redelivered.
 */
@Injectable()
export class EventRecorderHandler {
  private readonly stored: Counter<'type' | 'result'>;

  constructor(
    @Inject(REPOSITORY) private readonly repository: KnowledgeRepository,
    @Inject(DATABASE_SCHEMA) private readonly schema: DatabaseSchema,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.stored = new Counter({
      name: 'mapek_knowledge_events_stored_total',
      help: 'Events stored (new) or skipped (duplicate)',
      labelNames: ['type', 'result'],
      registers: [metrics.registry],
    });
  }

  private async store(event: Envelope, context: HandlerContext): Promise<void> {
    const holdUntil = Date.now() + HOLD_WHILE_DATABASE_DOWN_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.schema.ready) throw new TransientHandlerError('database_unavailable', 'the schema is not ready yet');
        const inserted = await this.repository.record(event);
        this.stored.inc({ type: event.type, result: inserted ? 'new' : 'duplicate' });
        return;
      } catch (error) {
        const down = !this.schema.ready || isDatabaseUnavailable(error);
        if (!down || Date.now() >= holdUntil) {
          throw new TransientHandlerError(
            'database_unavailable',
            `could not store ${event.type} ${event.id}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        context.working();
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5000 }));
        context.working();
      }
    }
  }

  @OnEvent('symptom')
  onSymptom(event: Envelope<'symptom'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('analysis')
  onAnalysis(event: Envelope<'analysis'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('plan.proposed')
  onProposed(event: Envelope<'plan.proposed'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('plan.approved')
  onApproved(event: Envelope<'plan.approved'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('plan.rejected')
  onRejected(event: Envelope<'plan.rejected'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('decision')
  onDecision(event: Envelope<'decision'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('execution')
  onExecution(event: Envelope<'execution'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  @OnEvent('outcome')
  onOutcome(event: Envelope<'outcome'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  /**
   * A manual command: stored and chained into the audit trail like every event. Who (`actor`,
   * and the gateway as `source`), what (`action`, `dryRun`) and where (`target`) are in clear; the
   * params and reason stay sealed to the executor, so knowledge keeps them only as ciphertext.
   */
  @OnEvent('command')
  onCommand(event: Envelope<'command'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  /**
   * A runtime flag changed (an operator through the gateway, or the planner's autonomy ladder):
   * stored and chained into the audit trail; a ladder move carries its incident.
   */
  @OnEvent('flag.changed')
  onFlagChanged(event: Envelope<'flag.changed'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  /** A resolved Alertmanager alert: stored and chained into the audit trail. */
  @OnEvent('alert.resolved')
  onAlertResolved(event: Envelope<'alert.resolved'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }

  /** An incident whose signal went away before a remedy: stored, and the incident is closed. */
  @OnEvent('incident.resolved')
  onIncidentResolved(event: Envelope<'incident.resolved'>, context: HandlerContext): Promise<void> {
    return this.store(event, context);
  }
}
