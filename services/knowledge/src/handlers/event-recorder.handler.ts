import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Envelope } from '@mapek/contracts';
import { OnEvent, TransientHandlerError } from '@mapek/messaging';
import { METRICS, type ServiceMetrics } from '@mapek/observability';
import type { KnowledgeRepository } from '../adapters/knowledge.repository.js';

export const REPOSITORY = Symbol.for('mapek.knowledge.repository');

/** Stores every loop event; a database hiccup is transient, so the event is redelivered, not lost. */
@Injectable()
export class EventRecorderHandler {
  private readonly stored: Counter<'type' | 'result'>;

  constructor(
    @Inject(REPOSITORY) private readonly repository: KnowledgeRepository,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.stored = new Counter({ name: 'mapek_knowledge_events_stored_total', help: 'Events stored (new) or skipped (duplicate)', labelNames: ['type', 'result'], registers: [metrics.registry] });
  }

  private async store(event: Envelope): Promise<void> {
    let inserted: boolean;
    try {
      inserted = await this.repository.record(event);
    } catch (error) {
      throw new TransientHandlerError('database_unavailable', `could not store ${event.type} ${event.id}: ${(error as Error).message}`, { cause: error });
    }
    this.stored.inc({ type: event.type, result: inserted ? 'new' : 'duplicate' });
  }

  @OnEvent('symptom')
  onSymptom(event: Envelope<'symptom'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('analysis')
  onAnalysis(event: Envelope<'analysis'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('plan.proposed')
  onProposed(event: Envelope<'plan.proposed'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('plan.approved')
  onApproved(event: Envelope<'plan.approved'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('plan.rejected')
  onRejected(event: Envelope<'plan.rejected'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('decision')
  onDecision(event: Envelope<'decision'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('execution')
  onExecution(event: Envelope<'execution'>): Promise<void> {
    return this.store(event);
  }

  @OnEvent('outcome')
  onOutcome(event: Envelope<'outcome'>): Promise<void> {
    return this.store(event);
  }

  /**
   * A manual command: stored and chained into the audit trail like every event. Who (`actor`,
   * and the gateway as `source`), what (`action`, `dryRun`) and where (`target`) are in clear; the
   * params and reason stay sealed to the executor, so knowledge keeps them only as ciphertext.
   */
  @OnEvent('command')
  onCommand(event: Envelope<'command'>): Promise<void> {
    return this.store(event);
  }
}
