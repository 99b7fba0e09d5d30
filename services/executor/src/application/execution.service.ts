import { setImmediate } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { causeKindForMetric, metricCauseKinds } from '@mapek/anomaly';
import {
  ActionType,
  ExecutionStatus,
  OutcomeKind,
  SafetyVerdict,
  StepStatus,
  deriveEventId,
  eventIdTime,
  type OutcomeV1,
  type PlanStep,
  type SafetyCheck,
} from '@mapek/contracts';
import {
  EVENT_PUBLISHER,
  JsonKv,
  kvKey,
  recordRetentionMs,
  type EventPublisherPort,
  type HandlerContext,
  type KvBucket,
} from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import { EffectorUnavailableError } from '../domain/effector.port.js';
import { stepWithCapability, type EffectorChoice, type EffectorRegistry } from '../adapters/effector.registry.js';
import type { ResolvedSignals } from '../adapters/resolved-signals.js';
import { LeaseHeldError, type SafetyStore } from '../adapters/safety.store.js';
import type { SymptomHistory } from '../domain/symptom-history.port.js';
import { admits, closedBreaker, recordResult, type BreakerState } from '../domain/circuit-breaker.js';
import type { CommandOrigin, ExecutablePlan, ExecutionRecord } from '../domain/execution-record.js';
import { classifyOutcome } from '../domain/outcome-classifier.js';
import { initialSteps, runPlan, type StepOutcome } from '../domain/plan-runner.js';
import { symptomState, verifiedBy } from '../domain/symptom-state.js';
import { retryAfterMs } from '../domain/step-retry.js';
import { OPENING_SLACK_MS, violationsBeforeSpan } from '../domain/verification-window.js';

export const EXECUTOR_SETTINGS = Symbol.for('mapek.executor.settings');
export const EXECUTOR_KV = Symbol.for('mapek.executor.kv');
export const RESOLVED_SIGNALS = Symbol.for('mapek.executor.resolved-signals');
export const EFFECTORS = Symbol.for('mapek.executor.effectors');
export const SYMPTOM_HISTORY = Symbol.for('mapek.executor.symptom-history');
export const SAFETY = Symbol.for('mapek.executor.safety');

export interface ExecutorSettings {
  readonly verificationWindowMs: number;
  readonly verificationGraceMs: number;
  readonly stepRetries: number;
  readonly breakerFailures: number;
  readonly breakerResetMs: number;
  /** Timeout of the one step of a manual command. */
  readonly commandStepTimeoutMs: number;
  /** A scraped or probed symptom not reported again for this long is gone (the re-read before each step). */
  readonly symptomStaleMs: number;
}

/** The limits in force (the configuration file's `limits`; without a file, no caps). */
export interface SafetyLimits {
  readonly targetsPerMinute?: number;
  readonly actionsPerEffectorPerHour?: number;
  readonly leaseTtlMs: number;
}

/** The executor's safety machinery: where the leases and windows are kept, and the limits now. */
export interface SafetyPorts {
  readonly store: SafetyStore;
  limits(): SafetyLimits;
}

/** One execution to run: from an approved plan or a manual command. */
export interface ExecutionRequest {
  readonly executionId: string;
  readonly plan: ExecutablePlan;
  readonly target: string;
  readonly incidentId?: string;
  /** The event that asked for it (`plan.approved` or `command`): the causation of what is published. */
  readonly causeEventId: string;
  readonly command?: CommandOrigin;
  /**
   * Refuse to start when the incident's signal was resolved (`incident.resolved`) before the
   * execution had a record: mapek never acts on a resolved signal. For approved plans of an incident.
   */
  readonly refuseIfResolved?: boolean;
}

const execKey = (executionId: string) => `exec.${executionId}`;

/**
 * An execution record (every checkpoint rewrites it with this TTL) outlives every copy of the
 * plan.approved or command that caused it, so a redelivery never runs a plan twice; then the
 * server removes it. Circuit breakers carry no TTL: there is one per effector and target.
 */
const recordTtl = { ttlMs: recordRetentionMs };

/**
 * Checkpoints of one execution record, written without waiting for each acknowledgement: every
 * write is on the connection before whatever the run sends next (the step's actuation request),
 * and KV keeps them in order, so the stored record is never behind what was actuated by more than
 * the writes in flight. `settled` confirms them all (a failure fails the run, which the consumer
 * retries: it resumes from the last stored record, and the agent runs a repeated step once).
 */
class KvCheckpoints {
  private readonly writes: Promise<number>[] = [];

  constructor(
    private readonly records: JsonKv<ExecutionRecord>,
    private readonly key: string,
  ) {}

  write(record: ExecutionRecord): Promise<void> {
    const write = this.records.put(this.key, record, recordTtl);
    write.catch(() => undefined);
    this.writes.push(write);
    return Promise.resolve();
  }

  async settled(): Promise<void> {
    await Promise.all(this.writes);
  }
}

/**
 * Exactly one execution per request: the record is created atomically in KV under the execution
 * id (derived from the plan or command), so a redelivery resumes or re-announces that record.
 * Steps run through effectors behind per effector+target circuit breakers, with retries; then the
 * target is watched for the verification window and the outcome is published.
 */
@Injectable()
export class ExecutionService {
  private readonly steps: Counter<'action' | 'result'>;
  private readonly outcomes: Counter<'outcome' | 'cause' | 'remedy'>;
  private readonly remedyLatency: Histogram;
  /** The executor bucket's entries: execution records and circuit breakers (resolved incidents: `signals`). */
  private readonly records: JsonKv<ExecutionRecord>;
  private readonly breakers: JsonKv<BreakerState>;

  constructor(
    @Inject(EXECUTOR_SETTINGS) private readonly settings: ExecutorSettings,
    @Inject(EXECUTOR_KV) private readonly kv: KvBucket,
    @Inject(EFFECTORS) private readonly effectors: EffectorRegistry,
    @Inject(SYMPTOM_HISTORY) private readonly history: SymptomHistory,
    @Inject(SAFETY) private readonly safety: SafetyPorts,
    @Inject(RESOLVED_SIGNALS) private readonly signals: ResolvedSignals,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    const registers = [metrics.registry];
    this.steps = new Counter({
      name: 'mapek_executor_steps_total',
      help: 'Plan steps run, by action and result',
      labelNames: ['action', 'result'],
      registers,
    });
    // `remedy` is the plan's action sequence (`clear_cache+collect_garbage`), as knowledge keys its statistics.
    this.outcomes = new Counter({
      name: 'mapek_executor_outcomes_total',
      help: 'Verified outcomes, by cause and remedy (the action sequence)',
      labelNames: ['outcome', 'cause', 'remedy'],
      registers,
    });
    this.remedyLatency = new Histogram({
      name: 'mapek_executor_incident_to_remedy_seconds',
      help: 'From the incident being opened to the first remedy step starting',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.records = new JsonKv(kv);
    this.breakers = new JsonKv(kv);
  }

  /** Runs the request to its outcome; undefined when it was refused (see `refuseIfResolved`). */
  async run(request: ExecutionRequest, context: HandlerContext): Promise<ExecutionRecord | undefined> {
    const { executionId } = request;
    const fresh: ExecutionRecord = {
      executionId,
      plan: request.plan,
      target: request.target,
      ...(request.incidentId ? { incidentId: request.incidentId } : {}),
      approvedEventId: request.causeEventId,
      ...(request.command ? { command: request.command } : {}),
      status: ExecutionStatus.pending,
      steps: initialSteps(request.plan.steps),
      startedAt: new Date().toISOString(),
    };
    // The first step's circuit breaker is read while the record is created: the step need not
    // wait for a KV round trip of its own before it starts.
    const firstStep = request.plan.steps[0];
    const breakers = new Map<string, Promise<BreakerState>>();
    if (firstStep && !request.plan.dryRun) {
      const key = this.breakerKey(firstStep);
      const read = this.readBreaker(key);
      read.catch(() => undefined);
      breakers.set(key, read);
    }
    // Whether the incident's signal was resolved is read beside the create, not before it.
    const resolvedRead = request.refuseIfResolved && request.incidentId ? this.signals.isResolved(request.incidentId) : undefined;
    resolvedRead?.catch(() => undefined);
    // Create first: a new plan (the usual case) costs one round trip. A redelivered one finds
    // its record taken and resumes or re-announces it.
    // Any failed write is read back, not only a lost race: its answer may be what was lost.
    const created = await this.records.compareAndSet(execKey(executionId), fresh, undefined, recordTtl).catch(() => false);
    if (created && (await resolvedRead) === true) {
      // Resolved before it started: the record just made goes again, so a redelivery refuses too.
      // A crash before the delete leaves a pending record that a redelivery resumes; its first
      // step's symptom check then finds the signal resolved and skips the step.
      await this.kv.delete(execKey(executionId));
      return undefined;
    }
    let record = created ? fresh : ((await this.records.get(execKey(executionId)))?.value ?? fresh);
    const base = { target: record.target, ...(record.incidentId ? { incidentId: record.incidentId } : {}) };
    if (record.status === ExecutionStatus.pending || record.status === ExecutionStatus.inProgress) {
      // `in_progress` is announced once the first actuation request is on its way (the event loop
      // wrote it), so its signature does not hold the remedy back; it is acknowledged before the
      // final status goes out, so the stream keeps the two in order.
      const starting = record;
      let announced: Promise<void> | undefined;
      const announce = (): void => {
        announced ??= setImmediate().then(() => this.publishExecution(starting, ExecutionStatus.inProgress, request.causeEventId));
        announced.catch(() => undefined);
      };
      if (record.incidentId) this.remedyLatency.observe((Date.now() - eventIdTime(record.incidentId)) / 1000);
      const planId = record.plan.planId;
      const checkpoints = new KvCheckpoints(this.records, execKey(executionId));
      const guard: RunGuard = {
        executionId,
        incidentId: record.incidentId,
        cause: record.plan.cause,
        manual: record.command !== undefined,
        leased: false,
      };
      try {
        record = await runPlan(record, {
          runStep: (step, index, requestId, rollback) =>
            this.runStep(step, index, requestId, rollback, planId, context, { breakers, dispatched: announce, guard }),
          inverseOf: (step) => step.rollback ?? this.inverseOf(step),
          checkpoint: (next) => checkpoints.write(next),
          now: () => new Date(),
        });
      } finally {
        // The lease covers the acting, not the verification window: another incident may act meanwhile.
        if (guard.leased)
          await this.safety.store
            .release(record.target, executionId)
            .catch((error: unknown) =>
              this.logger.warn({ err: error, target: record.target }, 'lease not released; it expires on its own'),
            );
      }
      announce();
      await checkpoints.settled();
      await announced;
    } else {
      // A redelivery finds the steps done: the run before may have stored them and then failed to
      // announce `in_progress` (NATS failing over). Announced again, with its derived id it is
      // stored once.
      await this.publishExecution(record, ExecutionStatus.inProgress, request.causeEventId);
    }
    await this.publishExecution(record, record.status, request.causeEventId);
    if (!record.outcome) {
      const outcome = await this.verify(record, context);
      record = { ...record, outcome };
      await this.records.put(execKey(executionId), record, recordTtl);
      this.outcomes.inc({ outcome: outcome.outcome, cause: outcome.cause, remedy: outcome.actions.join('+') });
    }
    await this.publisher.publish('outcome', {
      ...base,
      id: deriveEventId(executionId, 'outcome'),
      causationId: request.causeEventId,
      data: record.outcome as OutcomeV1,
    });
    this.logger.info(
      { executionId, status: record.status, outcome: record.outcome?.outcome, ...(record.command ?? {}) },
      'execution finished',
    );
    return record;
  }

  private async publishExecution(record: ExecutionRecord, status: ExecutionRecord['status'], causationId: string): Promise<void> {
    await this.publisher.publish('execution', {
      target: record.target,
      ...(record.incidentId ? { incidentId: record.incidentId } : {}),
      id: deriveEventId(record.executionId, status),
      causationId,
      data: {
        executionId: record.executionId,
        planId: record.plan.planId,
        status,
        steps: record.steps,
        startedAt: record.startedAt,
        ...(record.finishedAt && status === record.status ? { finishedAt: record.finishedAt } : {}),
        dryRun: record.plan.dryRun,
        ...(record.error ? { error: record.error } : {}),
        ...(record.checks && record.checks.length > 0 ? { checks: [...record.checks] } : {}),
      },
    });
  }

  private breakerKey(step: PlanStep): string {
    return `breaker.${this.effectors.choose(step).kind}.${kvKey(step.target)}`;
  }

  private inverseOf(step: PlanStep): PlanStep['rollback'] {
    const choice = this.effectors.choose(step);
    return choice.offered ? choice.capability?.inverse : undefined;
  }

  /**
   * The checks before a step acts, each recorded: the target's lease (waiting while another
   * execution holds it), whether the symptom is still there (re-read from the stream beside the
   * lease, and again after a wait for it, so a remedy that another incident's execution made
   * unnecessary is skipped), the blast radius and the effector's hourly cap. Returns the outcome
   * that ends the step early, if any.
   */
  private async guardStep(
    step: PlanStep,
    index: number,
    choice: Extract<EffectorChoice, { offered: true }>,
    guard: RunGuard,
    context: HandlerContext,
    checks: SafetyCheck[],
  ): Promise<StepOutcome | undefined> {
    const limits = this.safety.limits();
    const check = (name: string, verdict: SafetyCheck['verdict'], detail: string) =>
      checks.push({ check: name, step: index, verdict, detail: detail.slice(0, 500) });
    // The symptom is read while the lease is taken: when the lease was free, nothing acted on the
    // target in between, so the step waits for one round of them, not two. After a wait for
    // another execution's lease it is read again (below).
    const early = guard.manual ? undefined : this.symptomNow(step.target, guard);
    early?.catch(() => undefined);
    let waitedFor: string | undefined;
    try {
      const taken = await this.safety.store.acquireWaiting(step.target, guard.executionId, limits.leaseTtlMs, limits.leaseTtlMs, () =>
        context.working(),
      );
      waitedFor = taken.waitedFor;
      const renewed = guard.leased;
      guard.leased = true;
      check(
        'lease',
        SafetyVerdict.pass,
        `${renewed ? 'renewed' : 'taken'} for ${limits.leaseTtlMs} ms${taken.waitedFor ? ` after waiting ${taken.waitedMs} ms for execution ${taken.waitedFor}` : ''}`,
      );
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      check('lease', SafetyVerdict.refuse, error.message);
      return { ok: false, detail: error.message, errorCode: error.code, checks };
    }
    if (early) {
      const state = waitedFor === undefined ? await early : await this.symptomNow(step.target, guard);
      if (!state.active) {
        check('symptom', SafetyVerdict.skip, state.detail);
        return { ok: true, notNeeded: true, detail: `not needed: ${state.detail}`, checks };
      }
      check('symptom', SafetyVerdict.pass, state.detail);
    }
    // The two windows are counted at once (each a read and a compare-and-set), not one after the
    // other: the step waits for one round of them. What that gives up: a step the blast radius
    // refuses has still taken its place in the effector's hourly count, which errs towards
    // refusing sooner, never later.
    const [targets, actions] = await Promise.all([
      limits.targetsPerMinute === undefined ? undefined : this.safety.store.admitTarget(step.target, limits.targetsPerMinute),
      limits.actionsPerEffectorPerHour === undefined
        ? undefined
        : this.safety.store.admitAction(choice.kind, limits.actionsPerEffectorPerHour),
    ]);
    if (targets) {
      const detail = `${targets.count} of ${limits.targetsPerMinute} distinct targets acted on in the last minute`;
      check('blast_radius', targets.allowed ? SafetyVerdict.pass : SafetyVerdict.refuse, detail);
      if (!targets.allowed) return { ok: false, detail: `blast radius: ${detail}`, errorCode: 'blast_radius', checks };
    }
    if (actions) {
      const detail = `${actions.count} of ${limits.actionsPerEffectorPerHour} ${choice.kind} actions in the last hour`;
      check('effector_cap', actions.allowed ? SafetyVerdict.pass : SafetyVerdict.refuse, detail);
      if (!actions.allowed) return { ok: false, detail: `effector cap: ${detail}`, errorCode: 'effector_cap', checks };
    }
    return undefined;
  }

  /** Is the plan's kind of trouble still reported on the target? Read back from the stream, since the incident opened. */
  private async symptomNow(target: string, guard: RunGuard): Promise<{ active: boolean; detail: string }> {
    const now = Date.now();
    // Symptoms count when they were observed: the one that opened the incident, a moment before its id.
    const opened = guard.incidentId ? eventIdTime(guard.incidentId) - OPENING_SLACK_MS : now - this.settings.symptomStaleMs;
    // At most the last hour: an alert older than that has been repeated by Alertmanager if it still fires.
    const from = Math.max(Math.min(opened, now - this.settings.symptomStaleMs), now - 3_600_000);
    try {
      // An incident whose alerts all resolved (incident.resolved) is over, whatever was seen before.
      const [seen, resolved] = await Promise.all([
        this.history.symptoms(target, from, now + 1, relevantTo(guard.cause)),
        guard.incidentId ? this.signals.isResolved(guard.incidentId) : false,
      ]);
      if (resolved) return { active: false, detail: 'gone: the incident’s signal was resolved (incident.resolved)' };
      return symptomState(seen, now, this.settings.symptomStaleMs);
    } catch (error) {
      // The stream cannot be read (NATS failing over): act as before this check existed, and say so.
      this.logger.warn({ err: error, target }, 'symptoms not re-read before the step; acting on the plan');
      return { active: true, detail: `not re-read (${(error as Error).message}): acting on the plan` };
    }
  }

  private async readBreaker(key: string): Promise<BreakerState> {
    return (await this.breakers.get(key))?.value ?? closedBreaker;
  }

  /**
   * One step through its effector, behind a per effector+target circuit breaker, retried with
   * backoff and jitter. A breaker state read ahead (`breakers`) serves the first attempt;
   * `dispatched` is told once the effector has sent its request.
   */
  private async runStep(
    step: PlanStep,
    index: number,
    requestId: string,
    rollback: boolean,
    planId: string,
    context: HandlerContext,
    run: { readonly breakers: Map<string, Promise<BreakerState>>; readonly dispatched: () => void; readonly guard: RunGuard },
  ): Promise<StepOutcome> {
    const choice = this.effectors.choose(step);
    const checks: SafetyCheck[] = [];
    if (!choice.offered) {
      this.steps.inc({ action: step.action, result: 'not_offered' });
      checks.push({ check: 'effector', step: index, verdict: SafetyVerdict.refuse, detail: choice.detail.slice(0, 500) });
      return { ok: false, detail: choice.detail, errorCode: 'not_offered', checks };
    }
    if (!rollback && step.action !== ActionType.escalate) {
      checks.push({
        check: 'effector',
        step: index,
        verdict: SafetyVerdict.pass,
        detail: `${choice.kind}${choice.capability ? `: ${choice.capability.action}, timeout ${choice.capability.timeoutMs} ms, verified by ${choice.capability.verify}${choice.capability.inverse ? `, undone by ${choice.capability.inverse.action}` : ''}` : ''}`,
      });
      const stopped = await this.guardStep(step, index, choice, run.guard, context, checks);
      if (stopped) {
        this.steps.inc({ action: step.action, result: stopped.notNeeded ? 'not_needed' : 'refused' });
        return stopped;
      }
    }
    const effector = choice.effector;
    const shaped = stepWithCapability(step, choice.capability);
    const breakerKey = `breaker.${choice.kind}.${kvKey(step.target)}`;
    for (let attempt = 0; ; attempt++) {
      context.working();
      const ahead = run.breakers.get(breakerKey);
      run.breakers.delete(breakerKey);
      const stored = await (ahead ?? this.readBreaker(breakerKey));
      const gate = admits(stored, Date.now(), this.settings.breakerResetMs);
      if (!gate.allowed) {
        this.steps.inc({ action: step.action, result: 'breaker_open' });
        return { ok: false, detail: `circuit breaker for ${choice.kind} on ${step.target} is open`, errorCode: 'breaker_open', checks };
      }
      let result: StepOutcome;
      try {
        const running = effector.run({ requestId, planId, index, step: shaped, rollback });
        run.dispatched();
        result = await running;
      } catch (error) {
        const unavailable = error instanceof EffectorUnavailableError;
        await this.breakers.put(breakerKey, recordResult(gate.next, false, Date.now(), this.settings.breakerFailures));
        const delay = retryAfterMs({ unavailable, attempt, retries: this.settings.stepRetries });
        if (delay === undefined) {
          this.steps.inc({ action: step.action, result: 'unavailable' });
          return { ok: false, detail: (error as Error).message, errorCode: unavailable ? error.code : 'effector_error', checks };
        }
        this.logger.warn({ err: error, attempt, retryInMs: delay }, `step ${index} (${step.action}) effector unavailable; retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      // Outside the try: the step ran, so failing to record it on the breaker (NATS failing over)
      // fails the handler, which the consumer retries (the agent answers the repeated request from
      // its cache), not the step, which would roll back a remedy that worked.
      await this.breakers.put(breakerKey, recordResult(gate.next, true, Date.now(), this.settings.breakerFailures));
      this.steps.inc({ action: step.action, result: result.ok ? 'ok' : 'failed' });
      return { ...result, checks };
    }
  }

  /** Watches the target for the verification window after the last step and classifies the outcome. */
  private async verify(record: ExecutionRecord, context: HandlerContext): Promise<OutcomeV1> {
    const window = this.settings.verificationWindowMs;
    if (
      record.steps.some((step) => step.status === StepStatus.notNeeded) &&
      !record.steps.some((step) => step.status === ExecutionStatus.completed || step.status === ExecutionStatus.rolledBack)
    ) {
      // Nothing acted: there is no effect to watch for, and nothing for knowledge to learn.
      return {
        executionId: record.executionId,
        planId: record.plan.planId,
        cause: record.plan.cause,
        actions: record.plan.steps.map((step) => step.action),
        outcome: OutcomeKind.notNeeded,
        violationsBefore: 0,
        violationsAfter: 0,
        timeToStabilizationMs: null,
        verificationWindowMs: window,
      };
    }
    const started = Date.parse(record.startedAt);
    const finished = Date.parse(record.finishedAt ?? new Date().toISOString());
    const afterFrom = finished + this.settings.verificationGraceMs;
    const afterTo = afterFrom + window;
    const wait = afterTo - Date.now();
    if (wait > 0) {
      const beat = setInterval(() => context.working(), 2000);
      await new Promise((resolve) => setTimeout(resolve, wait));
      clearInterval(beat);
    }
    // Only the kind of trouble the plan addressed counts: fixing a leak is not judged by CPU.
    // A manual command's cause is `unknown`, so every symptom of the target counts.
    const relevant = relevantTo(record.plan.cause);
    // The capabilities of the steps that acted say how their effect shows: in the probes, or in the symptom clearing.
    const acted = record.plan.steps.filter(
      (step, index) => step.action !== ActionType.escalate && record.steps[index]?.status === ExecutionStatus.completed,
    );
    const counts = verifiedBy(
      acted.map((step) => {
        const choice = this.effectors.choose(step);
        return choice.offered ? choice.capability?.verify : undefined;
      }),
    );
    const beforeSpan = violationsBeforeSpan(started, window, record.incidentId ? eventIdTime(record.incidentId) : undefined);
    // One read of the stream covers all three windows: before the start, since the start, and after.
    const seen = (await this.history.symptoms(record.target, Math.min(beforeSpan.fromMs, started - window), afterTo, relevant))
      .filter(counts)
      .map((symptom) => symptom.at);
    const before = seen.filter((at) => at >= beforeSpan.fromMs && at < beforeSpan.toMs);
    const after = seen.filter((at) => at >= afterFrom);
    const sinceStart = seen.filter((at) => at >= started);
    const outcome =
      record.plan.dryRun || record.plan.steps.every((step) => step.action === ActionType.escalate)
        ? 'unknown'
        : classifyOutcome(before.length, after.length);
    const lastViolation = sinceStart.length > 0 ? Math.max(...sinceStart) : started;
    return {
      executionId: record.executionId,
      planId: record.plan.planId,
      cause: record.plan.cause,
      actions: record.plan.steps.map((step) => step.action),
      outcome,
      violationsBefore: before.length,
      violationsAfter: after.length,
      timeToStabilizationMs:
        outcome === 'success' || outcome === 'partial' ? Math.max(0, Math.max(lastViolation, finished) - started) : null,
      verificationWindowMs: window,
    };
  }
}

/** What one run of a plan knows for its safety checks; `leased` once it holds the target's lease. */
interface RunGuard {
  readonly executionId: string;
  readonly incidentId: string | undefined;
  readonly cause: string;
  /** A manual command: an operator asked for it, so it runs whether or not a symptom is seen. */
  readonly manual: boolean;
  leased: boolean;
}

/**
 * Which symptoms are about a plan's cause: for a metric kind of trouble only that kind (fixing a
 * leak is not judged by CPU); for the rest (unavailable, a dependency, an anomaly, a manual
 * command's `unknown`) every symptom of the target.
 */
function relevantTo(cause: string): (metric: string) => boolean {
  return (metricCauseKinds as ReadonlySet<string>).has(cause) ? (metric: string) => causeKindForMetric(metric) === cause : () => true;
}
