import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  FlagName,
  ServiceName,
  deriveEventId,
  flagRecordKey,
  flagSubjectKey,
  type AutonomyLevel,
  type AutonomyPolicyV1,
  type Envelope,
  type FlagRecordV1,
  type PlanRecordV1,
} from '@mapek/contracts';
import { EVENT_PUBLISHER, OnEvent, JsonKv, TransientHandlerError, type EventPublisherPort, type KvBucket } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import type { FlagsWatcher } from '../adapters/flags.watcher.js';
import { climbLadder } from '../domain/autonomy-ladder.js';
import type { RuntimeFlags } from '../domain/runtime-flags.js';

export const RUNTIME_FLAGS = Symbol.for('mapek.planner.runtime-flags');
export const FLAGS_WATCHER = Symbol.for('mapek.planner.flags-watcher');
export const AUTONOMY_SETTINGS = Symbol.for('mapek.planner.autonomy-settings');
export const FLAGS_KV = Symbol.for('mapek.planner.flags-kv');

/** The autonomy ladder's defaults: the level of a (cause, remedy) with no record, and the rules when no runtime flag sets them. */
export interface AutonomySettings {
  readonly defaultLevel: AutonomyLevel;
  readonly policy: AutonomyPolicyV1;
}

const planKey = (planId: string) => `plan.${planId}`;

/**
 * Runtime flags on the planner's side: stores the changes operators make through the gateway
 * (`flag.changed`) in the plans bucket, where every replica's watch (adapters/flags.watcher.ts)
 * picks them up, and moves the autonomy ladder after each outcome.
 */
@Injectable()
export class RuntimeFlagsHandler implements OnApplicationShutdown {
  private readonly flagRecords: JsonKv<FlagRecordV1>;
  private readonly planRecords: JsonKv<PlanRecordV1>;

  constructor(
    @Inject(FLAGS_KV) private readonly kv: KvBucket,
    @Inject(RUNTIME_FLAGS) private readonly flags: RuntimeFlags,
    @Inject(FLAGS_WATCHER) private readonly watcher: FlagsWatcher,
    @Inject(AUTONOMY_SETTINGS) private readonly autonomy: AutonomySettings,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.flagRecords = new JsonKv(kv);
    this.planRecords = new JsonKv(kv);
  }

  onApplicationShutdown(): void {
    this.watcher.stop();
  }

  /**
   * An operator changed a flag through the gateway: store it. The planner's own changes (the
   * autonomy ladder) were stored before they were published, so they are not applied again.
   */
  @OnEvent('flag.changed')
  async onFlagChanged(event: Envelope<'flag.changed'>): Promise<void> {
    if (event.source === ServiceName.planner) return;
    const { change } = event.data;
    const key = flagRecordKey(change);
    const current = await this.flagRecords.get(key);
    // A redelivered or late event must not undo a newer change of the same flag.
    if (current && current.value.changedAt > event.time) return;
    if (change.flag === FlagName.autoHealing && change.enabled === null) {
      if (current) await this.kv.delete(key);
    } else {
      const record: FlagRecordV1 = {
        change,
        actor: event.data.actor,
        ...(event.data.reason !== undefined ? { reason: event.data.reason } : {}),
        changedAt: event.time,
        eventId: event.id,
        ...(change.flag === FlagName.autonomy ? { streak: 0 } : {}),
      };
      await this.flagRecords.put(key, record);
    }
    this.logger.info({ key, actor: event.data.actor, change }, 'runtime flag changed');
  }

  /**
   * The autonomy ladder: an outcome moves its (cause, remedy) up after enough successful
   * operator-approved runs in a row, and down after a failure. A level change is stored, then
   * announced as `flag.changed` with the outcome's incident, so it is part of the incident's record.
   */
  @OnEvent('outcome')
  async onOutcome(event: Envelope<'outcome'>): Promise<void> {
    const record = (await this.planRecords.get(planKey(event.data.planId)))?.value;
    // Manual commands have no plan record; escalations and dry runs teach nothing about a remedy.
    if (!record || record.plan.dryRun || record.plan.steps.some((step) => step.action === 'escalate')) return;
    const { plan } = record;
    const actions = plan.steps.map((step) => step.action);
    const key = flagRecordKey({ flag: FlagName.autonomy, cause: plan.cause, actions, level: this.autonomy.defaultLevel });
    const eventId = deriveEventId(event.id, 'autonomy');
    // Read the record itself, not the watched view: the compare-and-set below needs its revision.
    const stored = await this.flagRecords.get(key);
    const held = stored?.value.change.flag === FlagName.autonomy ? stored.value : undefined;
    if (held?.eventId === eventId && held.reason !== undefined) {
      // Redelivered after the change was stored: announce it again (the stream stores it once).
      await this.announce(event, held, held.reason, plan.planId);
      return;
    }
    const step = climbLadder({
      state:
        held?.change.flag === FlagName.autonomy
          ? { key, level: held.change.level, streak: held.streak ?? 0, record: held }
          : { key, level: this.autonomy.defaultLevel, streak: 0 },
      cause: plan.cause,
      actions,
      outcome: event.data.outcome,
      approvedByOperator: plan.approval === 'manual' && record.status === 'approved',
      planId: plan.planId,
      policy: this.flags.policy(this.autonomy.policy).value,
      now: new Date().toISOString(),
    });
    if (step.kind === 'none') return;
    const next = step.kind === 'change' ? { ...step.record, eventId } : step.record;
    // Another replica counted another outcome of the same remedy meanwhile: read again and recount.
    if (!(await this.flagRecords.compareAndSet(key, next, stored?.revision)))
      throw new TransientHandlerError('autonomy_conflict', `the autonomy record ${key} changed meanwhile`);
    if (step.kind !== 'change') return;
    this.logger.info({ key, from: step.from, to: step.to, planId: plan.planId }, 'autonomy level changed');
    await this.announce(event, next, step.reason, plan.planId);
  }

  private async announce(outcome: Envelope<'outcome'>, record: FlagRecordV1, reason: string, planId: string): Promise<void> {
    await this.publisher.publish('flag.changed', {
      id: deriveEventId(outcome.id, 'autonomy'),
      target: outcome.target,
      ...(outcome.incidentId ? { incidentId: outcome.incidentId } : {}),
      causationId: outcome.id,
      subjectKey: flagSubjectKey(record.change),
      data: { change: record.change, actor: 'planner', reason, planId },
    });
  }
}
