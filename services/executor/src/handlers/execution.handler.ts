import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { deriveEventId, type Envelope } from '@mapek/contracts';
import { OnEvent, type HandlerContext } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { ResolvedSignals } from '../adapters/resolved-signals.js';
import { ExecutionService, RESOLVED_SIGNALS } from '../application/execution.service.js';

/**
 * `plan.approved` → one execution per plan (`executionId = deriveEventId(planId, 'execution')`),
 * unless the plan's incident was resolved before it started (`incident.resolved`): mapek never
 * acts on a resolved signal. Both come through the one `executor` durable, in stream order.
 */
@Injectable()
export class ExecutionHandler {
  private readonly refused: Counter<'reason'>;

  constructor(
    @Inject(ExecutionService) private readonly executions: ExecutionService,
    @Inject(RESOLVED_SIGNALS) private readonly signals: ResolvedSignals,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.refused = new Counter({
      name: 'mapek_executor_plans_refused_total',
      help: 'Approved plans not started, by reason (signal_resolved)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  @OnEvent('plan.approved')
  async onApproved(event: Envelope<'plan.approved'>, context: HandlerContext): Promise<void> {
    const plan = event.data;
    const record = await this.executions.run(
      {
        executionId: deriveEventId(plan.planId, 'execution'),
        plan,
        target: event.target,
        ...(event.incidentId ? { incidentId: event.incidentId, refuseIfResolved: true } : {}),
        causeEventId: event.id,
      },
      context,
    );
    if (!record) {
      this.refused.inc({ reason: 'signal_resolved' });
      this.logger.info({ planId: plan.planId, incidentId: event.incidentId }, 'approved plan not started: its signal was resolved');
    }
  }

  @OnEvent('incident.resolved')
  async onIncidentResolved(event: Envelope<'incident.resolved'>): Promise<void> {
    if (event.incidentId) await this.signals.markResolved(event.incidentId);
  }
}
