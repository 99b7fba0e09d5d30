import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ApprovalMode, PlanRejectionCode, deriveEventId, type Envelope, type MapekConfiguration, type PlanV1 } from '@mapek/contracts';
import {
  EVENT_PUBLISHER,
  JsonKv,
  OnEvent,
  TransientHandlerError,
  currentTraceparent,
  kvKey,
  recordRetentionMs,
  type EventPublisherPort,
  type KvBucket,
  withTraceparent,
} from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { KnowledgeStatsCache } from '../adapters/knowledge-stats.cache.js';
import { PlanGuardsView } from '../adapters/plan-guards.view.js';
import { actsAutomatically, buildPlan, holdOverHourlyCap, type ActionStats, type Guardrails } from '../domain/plan-builder.js';
import { PlanStatus, approve, cancelForResolvedSignal, reject, type PlanRecord } from '../domain/plan-record.js';
import type { RemediationRule } from '../domain/remediation-rules.js';
import { offeredTo, rulesFor } from '../domain/target-configuration.js';
import { planningFlags, type RuntimeFlags } from '../domain/runtime-flags.js';
import { AUTONOMY_SETTINGS, RUNTIME_FLAGS, type AutonomySettings } from './runtime-flags.handler.js';

export const PLANNER_SETTINGS = Symbol.for('mapek.planner.settings');
export const PLANNER_KV = Symbol.for('mapek.planner.kv');
export const KNOWLEDGE_CLIENT = Symbol.for('mapek.planner.knowledge');

export interface PlannerSettings {
  readonly rules: readonly RemediationRule[];
  readonly guardrails: Guardrails;
  readonly effectors: ReadonlySet<string>;
  readonly cooldownMs: number;
  readonly maxActionsPerHour: number;
  /** The configuration file in force (MAPEK_CONFIG_FILE): targets' effectors and remediation rules. */
  readonly configuration?: { current(): MapekConfiguration };
}

const planKey = (planId: string) => `plan.${planId}`;
/** Marks an incident whose signal was resolved: an analysis of it handled afterwards plans nothing that could run. */
const resolvedIncidentKey = (incidentId: string) => `resolved.${incidentId}`;
const cooldownKey = (target: string, action: string) => `cooldown.${kvKey(target)}.${action}`;
const hour = 3_600_000;
const rateKey = (now: number) => `rate.${Math.floor(now / hour)}`;

/**
 * How long each kind of entry stays in the plans bucket (per-entry TTL, removed by the server):
 * a plan record outlives every copy of its analysis (so a redelivery never plans twice) and is
 * rewritten with the same TTL on every change; a cooldown ends with its own deadline; an hourly
 * approval counter is kept through the next hour.
 */
const planTtl = { ttlMs: recordRetentionMs };
const rateTtl = { ttlMs: 2 * hour };

/** Whether a watched guard entry is over: a cooldown past its deadline, an hour's count past the next hour, a resolved mark past its TTL (the server removes them too). */
function guardExpired(key: string, value: unknown, writtenAt: number, now: number): boolean {
  if (key.startsWith('cooldown.')) return typeof value !== 'number' || value <= now;
  if (key.startsWith('rate.')) return writtenAt + rateTtl.ttlMs <= now;
  return writtenAt + planTtl.ttlMs <= now;
}

/**
 * Plans each analysis once (the plan is checkpointed in KV before it is published, and every
 * event id is derived from the plan id, so a redelivered analysis re-publishes the same events,
 * which JetStream stores once), applies operator decisions, and expires stale pending plans.
 */
@Injectable()
export class PlanningHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly plans: Counter<'status' | 'cause'>;
  /** The plans bucket's entries: plan records, resolved incidents, cooldown deadlines and hourly approval counts. */
  private readonly records: JsonKv<PlanRecord>;
  private readonly resolvedIncidents: JsonKv<boolean>;
  private readonly cooldowns: JsonKv<number>;
  private readonly approvals: JsonKv<number>;
  /** Cooldowns, approvals and resolved incidents as the bucket holds them, watched (see PlanGuardsView). */
  private readonly guards: PlanGuardsView;

  constructor(
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
    @Inject(PLANNER_KV) private readonly kv: KvBucket,
    @Inject(KNOWLEDGE_CLIENT) private readonly knowledge: Pick<KnowledgeStatsCache, 'stats' | 'start' | 'stop'>,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
    @Inject(RUNTIME_FLAGS) private readonly flags: RuntimeFlags,
    @Inject(AUTONOMY_SETTINGS) private readonly autonomy: AutonomySettings,
  ) {
    this.plans = new Counter({
      name: 'mapek_planner_plans_total',
      help: 'Plans made, by first status and cause',
      labelNames: ['status', 'cause'],
      registers: [metrics.registry],
    });
    this.records = new JsonKv(kv);
    this.resolvedIncidents = new JsonKv(kv);
    this.cooldowns = new JsonKv(kv);
    this.approvals = new JsonKv(kv);
    this.guards = new PlanGuardsView(kv, logger);
  }

  onApplicationBootstrap(): void {
    this.knowledge.start();
    this.guards.start();
    this.expiryTimer = setInterval(() => {
      this.guards.prune((key, value, writtenAt) => guardExpired(key, value, writtenAt, Date.now()));
      void this.expirePending().catch((error: unknown) => this.logger.error({ err: error }, 'expiry sweep failed'));
    }, 5000);
  }

  onApplicationShutdown(): void {
    this.guards.stop();
    this.knowledge.stop();
    clearInterval(this.expiryTimer);
  }

  private async stats(cause: PlanV1['cause']): Promise<Map<string, ActionStats>> {
    try {
      return await this.knowledge.stats(cause);
    } catch (error) {
      this.logger.warn({ err: error }, 'knowledge statistics unavailable; planning with priors');
      return new Map();
    }
  }

  /**
   * The entries a plan checks besides its own record, from the watched view when it is ready
   * (nothing to wait for), else read from KV: cooldown deadlines, this hour's automatic approvals,
   * and whether the incident's signal was resolved.
   */
  private guard<T>(entries: JsonKv<T>, key: string): T | undefined | Promise<T | undefined> {
    return this.guards.ready ? this.guards.value<T>(key) : entries.get(key).then((stored) => stored?.value);
  }

  private async coolingDown(target: string, rules: readonly RemediationRule[], now: number): Promise<Set<string>> {
    const actions = new Set(rules.flatMap((rule) => rule.candidates.flatMap((candidate) => candidate.steps.map((step) => step.action))));
    const active = new Set<string>();
    await Promise.all(
      [...actions].map(async (action) => {
        const until = await this.guard(this.cooldowns, cooldownKey(target, action));
        if (until !== undefined && until > now) active.add(`${target}:${action}`);
      }),
    );
    return active;
  }

  private async approvalsThisHour(now: number): Promise<number> {
    return (await this.guard(this.approvals, rateKey(now))) ?? 0;
  }

  @OnEvent('analysis')
  async onAnalysis(event: Envelope<'analysis'>): Promise<void> {
    const planId = deriveEventId(event.id, 'plan');
    const now = Date.now();
    const top = event.data.rootCauses[0];
    // No cause, no plan (and no record for a redelivery to announce).
    if (!top) return;
    const config = this.settings.configuration?.current();
    const targetRules = rulesFor(config, top.target, this.settings.rules);
    const rules = targetRules.filter((rule) => rule.cause === top.cause);
    // What a plan reads, at once: the statistics (cached), the cooldowns, this hour's approvals
    // and whether the signal was resolved (from the watched view: no round trip, see
    // PlanGuardsView). The plan record is not read: it is created below, and a redelivered
    // analysis finds it taken and announces the stored one.
    const [stats, coolingDown, approvals, resolved] = await Promise.all([
      this.stats(top.cause),
      this.coolingDown(top.target, rules, now),
      this.approvalsThisHour(now),
      event.incidentId ? this.guard(this.resolvedIncidents, resolvedIncidentKey(event.incidentId)) : undefined,
    ]);
    const traceparent = currentTraceparent();
    const offered = offeredTo(config, top.target);
    const built = buildPlan({
      analysisId: event.id,
      analysis: event.data,
      rules: targetRules,
      stats,
      coolingDown,
      effectors: this.settings.effectors,
      ...(offered ? { offered } : {}),
      // The runtime flags (auto-healing, shadow mode, autonomy) over the configured guardrails.
      ...planningFlags(this.flags, this.settings.guardrails, this.autonomy, top),
      now,
    });
    // The incident's signal was resolved before its analysis got here: the plan is made (the
    // decision record shows what would have been done) and cancelled at once.
    const decision =
      resolved === true
        ? { plan: { ...built.plan, approval: ApprovalMode.manual, approvedBy: [] }, next: 'pending' as const }
        : holdOverHourlyCap(built, approvals, this.settings.maxActionsPerHour);
    const status: PlanStatus =
      decision.next === 'approve' ? PlanStatus.approved : decision.next === 'reject' ? PlanStatus.rejected : PlanStatus.pending;
    const plan = decision.plan;
    const fresh: PlanRecord = {
      plan,
      status,
      target: event.target,
      ...(event.incidentId ? { incidentId: event.incidentId } : {}),
      analysisEventId: event.id,
      createdAt: new Date(now).toISOString(),
      ...(status === PlanStatus.approved ? { decidedAt: new Date(now).toISOString() } : {}),
      // The incident's trace, for what happens to the plan later: an operator's decision
      // through the gateway, the expiry.
      ...(traceparent ? { traceparent } : {}),
    };
    const made = resolved === true ? cancelForResolvedSignal(fresh, new Date(now).toISOString()) : fresh;
    // Any failed write is read back, not only a lost race: its answer may be what was lost.
    let record = made;
    if (await this.records.compareAndSet(planKey(planId), made, undefined, planTtl).catch(() => false)) {
      this.plans.inc({ status: made.status, cause: plan.cause });
    } else {
      // Planned before (a redelivery) or by another replica first: its record is the one announced.
      record = (await this.records.get(planKey(planId)))?.value ?? made;
    }
    await this.publishState(record, event.id);
  }

  @OnEvent('decision')
  async onDecision(event: Envelope<'decision'>): Promise<void> {
    const entry = await this.records.get(planKey(event.data.planId));
    if (!entry) {
      this.logger.warn({ planId: event.data.planId }, 'decision for an unknown plan ignored');
      return;
    }
    if (entry.value.status !== PlanStatus.pending) return;
    const now = new Date().toISOString();
    const next =
      event.data.verdict === 'approve'
        ? approve(entry.value, event.data.actor, now)
        : reject(entry.value, event.data.actor, event.data.reason, now);
    if (!(await this.records.compareAndSet(planKey(event.data.planId), next, entry.revision, planTtl)))
      throw new TransientHandlerError('plan_changed', `plan ${event.data.planId} changed while the decision was applied`);
    this.logger.info(
      { planId: event.data.planId, verdict: event.data.verdict, actor: event.data.actor, status: next.status },
      'decision applied',
    );
    await this.publishState(next, event.id);
  }

  /**
   * The incident's signal was resolved before a remedy ran (the analyzer closed it): every pending
   * plan of the incident is cancelled (`plan.rejected` with `rejectionCode` `signal_resolved`), so
   * an operator's approval of it now fails. The incident is marked first, so an analysis of it
   * handled after this plans nothing that could run. An approved plan is the executor's to refuse.
   */
  @OnEvent('incident.resolved')
  async onIncidentResolved(event: Envelope<'incident.resolved'>): Promise<void> {
    const incidentId = event.incidentId;
    if (!incidentId) return;
    this.guards.wrote(
      resolvedIncidentKey(incidentId),
      await this.resolvedIncidents.put(resolvedIncidentKey(incidentId), true, planTtl),
      true,
    );
    for await (const key of await this.kv.keys('plan.>')) {
      for (;;) {
        const entry = await this.records.get(key);
        if (!entry || entry.value.incidentId !== incidentId) break;
        if (entry.value.status !== PlanStatus.pending) {
          // Cancelled before (a redelivery): publish its state again, which JetStream stores once.
          if (entry.value.plan.rejectionCode === PlanRejectionCode.signalResolved) await this.publishState(entry.value, event.id);
          break;
        }
        const cancelled = cancelForResolvedSignal(entry.value, new Date().toISOString());
        // A decision or another replica came first: read it again.
        if (!(await this.records.compareAndSet(key, cancelled, entry.revision, planTtl))) continue;
        this.logger.info({ planId: cancelled.plan.planId, incidentId }, 'pending plan cancelled: its signal was resolved');
        await this.publishState(cancelled, event.id);
        break;
      }
    }
  }

  /**
   * Publishes the events a record implies; ids are derived so repeats are stored once. They are
   * pipelined: `plan.approved` (or `plan.rejected`) goes on the connection right behind
   * `plan.proposed`, so the stream stores them in that order without the second waiting for the
   * first's acknowledgement, and the cooldowns are written meanwhile. The handler (and so the
   * analysis' ack) waits for all of them; a failure redelivers the analysis, which publishes the
   * same ids again.
   */
  private async publishState(record: PlanRecord, causationId: string): Promise<void> {
    const base = { target: record.target, ...(record.incidentId ? { incidentId: record.incidentId } : {}) };
    const sent: Promise<unknown>[] = [
      this.publisher.publish('plan.proposed', {
        ...base,
        id: deriveEventId(record.plan.planId, 'proposed'),
        causationId: record.analysisEventId,
        data: { ...record.plan, approvedBy: record.plan.approval === 'automatic' ? record.plan.approvedBy : [] },
      }),
    ];
    if (record.status === PlanStatus.approved) {
      sent.push(
        this.publisher.publish('plan.approved', {
          ...base,
          id: deriveEventId(record.plan.planId, 'approved'),
          causationId,
          data: record.plan,
        }),
      );
      sent.push(this.startCooldowns(record.plan));
    } else if (record.status === PlanStatus.rejected || record.status === PlanStatus.expired) {
      sent.push(
        this.publisher.publish('plan.rejected', {
          ...base,
          id: deriveEventId(record.plan.planId, 'rejected'),
          causationId,
          data: record.plan,
        }),
      );
    }
    await Promise.all(sent);
  }

  private async startCooldowns(plan: PlanV1): Promise<void> {
    const now = Date.now();
    const until = now + this.settings.cooldownMs;
    // The entry goes when the cooldown ends; `until` is still checked, as the server removes expired entries within about a second.
    await Promise.all(
      plan.steps.map(async (step) => {
        const key = cooldownKey(step.target, step.action);
        this.guards.wrote(key, await this.cooldowns.put(key, until, { ttlMs: this.settings.cooldownMs }), until);
      }),
    );
    if (actsAutomatically(plan)) {
      const count = (await this.approvalsThisHour(now)) + 1;
      this.guards.wrote(rateKey(now), await this.approvals.put(rateKey(now), count, rateTtl), count);
    }
  }

  private async expirePending(): Promise<void> {
    const now = Date.now();
    const keys = await this.kv.keys('plan.>');
    for await (const key of keys) {
      const entry = await this.records.get(key);
      if (!entry || entry.value.status !== PlanStatus.pending || Date.parse(entry.value.plan.expiresAt) > now) continue;
      const expired: PlanRecord = {
        ...entry.value,
        status: PlanStatus.expired,
        decidedAt: new Date(now).toISOString(),
        plan: { ...entry.value.plan, reason: 'expired waiting for approval' },
      };
      // Another replica or a decision got there first (or the write failed: the next sweep tries again).
      if (!(await this.records.compareAndSet(key, expired, entry.revision, planTtl).catch(() => false))) continue;
      this.logger.info({ planId: expired.plan.planId }, 'pending plan expired');
      // From a timer: published in the incident's trace rather than in one of its own.
      await withTraceparent(expired.traceparent, () => this.publishState(expired, expired.analysisEventId));
    }
  }
}
