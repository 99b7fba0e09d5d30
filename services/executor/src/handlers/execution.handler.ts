import { Inject, Injectable } from '@nestjs/common';
import { deriveEventId, type Envelope } from '@mapek/contracts';
import { OnEvent, type HandlerContext } from '@mapek/messaging';
import { ExecutionService } from '../domain/execution.service.js';

/** `plan.approved` → one execution per plan (`executionId = deriveEventId(planId, 'execution')`). */
@Injectable()
export class ExecutionHandler {
  constructor(@Inject(ExecutionService) private readonly executions: ExecutionService) {}

  @OnEvent('plan.approved')
  async onApproved(event: Envelope<'plan.approved'>, context: HandlerContext): Promise<void> {
    const plan = event.data;
    await this.executions.run(
      {
        executionId: deriveEventId(plan.planId, 'execution'),
        plan,
        target: event.target,
        ...(event.incidentId ? { incidentId: event.incidentId } : {}),
        causeEventId: event.id,
      },
      context,
    );
  }
}
