import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import {
  DecisionVerdict,
  PlanRejectionCode,
  newEventId,
  planRecordV1Schema,
  planStatusSchema,
  uuidSchema,
  type PlanRecordV1,
} from '@mapek/contracts';
import { EVENT_PUBLISHER, MessagingAttribute, getJson, type EventPublisherPort, type KvBucket } from '@mapek/messaging';
import { SpanKind, inStoredTrace } from '@mapek/observability';
import { actorOf } from '../domain/access-policy.js';
import { decisionRequestSchema } from '../domain/decision-request.js';
import type { Principal } from '../domain/api-key.verifier.js';
import { Caller } from './access-control.js';
import { badRequest, httpError } from './http-errors.js';

export const PLANS_KV = Symbol.for('mapek.gateway.plans-kv');

const listQuery = z.strictObject({ status: planStatusSchema.optional() });

@Controller('api/v1/plans')
export class PlansController {
  constructor(
    @Inject(PLANS_KV) private readonly kv: KvBucket,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>): Promise<{ plans: PlanRecordV1[] }> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw badRequest(parsed.error);
    const plans: PlanRecordV1[] = [];
    for await (const key of await this.kv.keys('plan.>')) {
      const entry = await getJson<unknown>(this.kv, key);
      const record = planRecordV1Schema.safeParse(entry?.value);
      if (record.success && (!parsed.data.status || record.data.status === parsed.data.status)) plans.push(record.data);
    }
    plans.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { plans };
  }

  @Post(':id/approve')
  @HttpCode(HttpStatus.ACCEPTED)
  approve(@Param('id') id: string, @Body() body: unknown, @Caller() caller: Principal | undefined): Promise<unknown> {
    return this.decide(id, body, DecisionVerdict.approve, caller);
  }

  @Post(':id/reject')
  @HttpCode(HttpStatus.ACCEPTED)
  reject(@Param('id') id: string, @Body() body: unknown, @Caller() caller: Principal | undefined): Promise<unknown> {
    return this.decide(id, body, DecisionVerdict.reject, caller);
  }

  private async decide(id: string, body: unknown, verdict: DecisionVerdict, caller: Principal | undefined): Promise<unknown> {
    const planId = uuidSchema.safeParse(id);
    if (!planId.success) throw httpError(HttpStatus.BAD_REQUEST, 'bad_request', 'id: must be a plan id (a lowercase UUID)');
    const parsed = decisionRequestSchema.safeParse(body ?? undefined);
    if (!parsed.success) throw badRequest(parsed.error);
    const who = actorOf(caller, parsed.data.actor);
    if (!who.ok) throw httpError(HttpStatus.BAD_REQUEST, 'actor_mismatch', who.reason);
    const actor = who.actor;
    const entry = await getJson<unknown>(this.kv, `plan.${planId.data}`);
    const record = planRecordV1Schema.safeParse(entry?.value);
    if (!entry || !record.success) throw httpError(HttpStatus.NOT_FOUND, 'not_found', `no plan ${planId.data}`);
    if (record.data.plan.rejectionCode === PlanRejectionCode.signalResolved) {
      throw httpError(
        HttpStatus.CONFLICT,
        PlanRejectionCode.signalResolved,
        `plan ${planId.data} was cancelled: its signal was resolved at its source before it started, and mapek never acts on a resolved signal`,
      );
    }
    if (record.data.status !== 'pending') {
      throw httpError(HttpStatus.CONFLICT, 'not_pending', `plan ${planId.data} is ${record.data.status}, not pending`);
    }
    if (verdict === 'approve' && record.data.plan.approvedBy.includes(actor)) {
      throw httpError(
        HttpStatus.CONFLICT,
        'already_approved_by_actor',
        `${actor} already approved plan ${planId.data}; it needs a different approver`,
      );
    }
    // The decision continues the incident's trace (the plan record's traceparent), linked to this
    // request's span: the approval, the plan it releases and the execution land in that trace.
    const decision = await inStoredTrace(
      record.data.traceparent,
      `decide ${verdict}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'mapek.plan.id': planId.data,
          'mapek.decision.verdict': verdict,
          [MessagingAttribute.target]: record.data.target,
          ...(record.data.incidentId ? { [MessagingAttribute.incidentId]: record.data.incidentId } : {}),
        },
      },
      () =>
        this.publisher.publish('decision', {
          id: newEventId(),
          target: record.data.target,
          subjectKey: planId.data,
          ...(record.data.incidentId ? { incidentId: record.data.incidentId } : {}),
          data: { planId: planId.data, verdict, actor, ...(parsed.data.reason ? { reason: parsed.data.reason } : {}) },
        }),
    );
    return { accepted: true, decisionId: decision.id, planId: planId.data, verdict };
  }
}
