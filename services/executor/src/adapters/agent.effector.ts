import { errors, type NatsConnection } from '@nats-io/transport-node';
import { actuationReplyV1Schema, subjects } from '@mapek/contracts';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from './effector.js';

/** Runs in-process remedies through the managed service's embedded agent (core NATS request-reply). */
export class AgentEffector implements Effector {
  readonly name = 'agent';

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const body = {
      requestId: request.requestId,
      planId: request.planId,
      step: request.index,
      action: request.step.action,
      params: request.step.params,
      rollback: request.rollback,
    };
    let reply;
    try {
      reply = await this.nc.request(subjects.actuate(request.step.target, this.prefix), JSON.stringify(body), { timeout: request.step.timeoutMs });
    } catch (error) {
      if (error instanceof errors.NoRespondersError) {
        throw new EffectorUnavailableError('no_responders', `no agent answers for ${request.step.target}`, { cause: error });
      }
      if (error instanceof errors.TimeoutError) {
        throw new EffectorUnavailableError('timeout', `agent of ${request.step.target} did not answer in ${request.step.timeoutMs} ms`, { cause: error });
      }
      throw new EffectorUnavailableError('transport', (error as Error).message, { cause: error });
    }
    const parsed = actuationReplyV1Schema.safeParse(reply.json());
    if (!parsed.success) return { ok: false, detail: 'agent sent a reply that does not match the contract', errorCode: 'invalid_reply' };
    return { ok: parsed.data.ok, detail: parsed.data.detail, ...(parsed.data.errorCode ? { errorCode: parsed.data.errorCode } : {}) };
  }
}
