import type { Logger } from '@mapek/observability';
import type { Effector, EffectorRequest, EffectorResult } from '../domain/effector.port.js';

/** Escalation hands the incident to people: it is logged and visible as a completed step. */
export class EscalationEffector implements Effector {
  readonly name = 'escalation';
  constructor(private readonly logger: Logger) {}

  run(request: EffectorRequest): Promise<EffectorResult> {
    this.logger.warn({ planId: request.planId, target: request.step.target, reason: request.step.params.reason }, 'escalated to operators');
    return Promise.resolve({ ok: true, detail: `escalated: ${String(request.step.params.reason ?? 'no automatic remedy')}` });
  }
}
