import { setImmediate } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { causeKindForMetric } from '@mapek/anomaly';
import { ActionType, ExecutionStatus, deriveEventId, eventIdTime, type OutcomeV1, type PlanStep } from '@mapek/contracts';
import { EVENT_PUBLISHER, getJson, kvKey, recordRetentionMs, type EventPublisherPort, type HandlerContext, type KvBucket } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import { EffectorUnavailableError, type Effector } from '../adapters/effector.js';
import type { SymptomHistory } from '../adapters/symptom-history.js';
import { admits, closedBreaker, recordResult, type BreakerState } from './circuit-breaker.js';
import type { CommandOrigin, ExecutablePlan, ExecutionRecord } from './execution-record.js';
import { classifyOutcome } from './outcome-classifier.js';
import { initialSteps, runPlan, type StepOutcome } from './plan-runner.js';
import { violationsBeforeSpan } from './verification-window.js';

export const EXECUTOR_SETTINGS = Symbol.for('mapek.executor.settings');
export const EXECUTOR_KV = Symbol.for('mapek.executor.kv');
export const EFFECTORS = Symbol.for('mapek.executor.effectors');
export const SYMPTOM_HISTORY = Symbol.for('mapek.executor.symptom-history');

export interface ExecutorSettings {
  readonly verificationWindowMs: number;
  readonly verificationGraceMs: number;
  readonly stepRetries: number;
  readonly breakerFailures: number;
  readonly breakerResetMs: number;
  /** Timeout of the one step of a manual command. */
  readonly commandStepTimeoutMs: number;
}

export interface EffectorSet {
  readonly agent: Effector;
  readonly escalation: Effector;
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
    private readonly kv: KvBucket,
    private readonly key: string,
  ) {}

  write(record: ExecutionRecord): Promise<void> {
    const write = this.kv.put(this.key, JSON.stringify(record), recordTtl);
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

  constructor(
    @Inject(EXECUTOR_SETTINGS) private readonly settings: ExecutorSettings,
    @Inject(EXECUTOR_KV) private readonly kv: KvBucket,
    @Inject(EFFECTORS) private readonly effectors: EffectorSet,
    @Inject(SYMPTOM_HISTORY) private readonly history: SymptomHistory,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    const registers = [metrics.registry];
    this.steps = new Counter({ name: 'mapek_executor_steps_total', help: 'Plan steps run, by action and result', labelNames: ['action', 'result'], registers });
    // `remedy` is the plan's action sequence (`clear_cache+collect_garbage`), as knowledge keys its statistics.
    this.outcomes = new Counter({ name: 'mapek_executor_outcomes_total', help: 'Verified outcomes, by cause and remedy (the action sequence)', labelNames: ['outcome', 'cause', 'remedy'], registers });
    this.remedyLatency = new Histogram({
      name: 'mapek_executor_incident_to_remedy_seconds',
      help: 'From the incident being opened to the first remedy step starting',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
  }

  async run(request: ExecutionRequest, context: HandlerContext): Promise<ExecutionRecord> {
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
    // Create first: a new plan (the usual case) costs one round trip. A redelivered one finds
    // its record taken and resumes or re-announces it.
    let record: ExecutionRecord;
    try {
      await this.kv.create(execKey(executionId), JSON.stringify(fresh), recordTtl);
      record = fresh;
    } catch {
      record = (await getJson<ExecutionRecord>(this.kv, execKey(executionId)))?.value ?? fresh;
    }
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
      const checkpoints = new KvCheckpoints(this.kv, execKey(executionId));
      record = await runPlan(record, {
        runStep: (step, index, requestId, rollback) => this.runStep(step, index, requestId, rollback, planId, context, { breakers, dispatched: announce }),
        checkpoint: (next) => checkpoints.write(next),
        now: () => new Date(),
      });
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
      await this.kv.put(execKey(executionId), JSON.stringify(record), recordTtl);
      this.outcomes.inc({ outcome: outcome.outcome, cause: outcome.cause, remedy: outcome.actions.join('+') });
    }
    await this.publisher.publish('outcome', { ...base, id: deriveEventId(executionId, 'outcome'), causationId: request.causeEventId, data: record.outcome as OutcomeV1 });
    this.logger.info({ executionId, status: record.status, outcome: record.outcome?.outcome, ...(record.command ?? {}) }, 'execution finished');
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
      },
    });
  }

  private effectorOf(step: PlanStep): Effector {
    return step.action === ActionType.escalate ? this.effectors.escalation : this.effectors.agent;
  }

  private breakerKey(step: PlanStep): string {
    return `breaker.${this.effectorOf(step).name}.${kvKey(step.target)}`;
  }

  private async readBreaker(key: string): Promise<BreakerState> {
    return (await getJson<BreakerState>(this.kv, key))?.value ?? closedBreaker;
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
    run: { readonly breakers: Map<string, Promise<BreakerState>>; readonly dispatched: () => void },
  ): Promise<StepOutcome> {
    const effector = this.effectorOf(step);
    const breakerKey = this.breakerKey(step);
    for (let attempt = 0; ; attempt++) {
      context.working();
      const ahead = run.breakers.get(breakerKey);
      run.breakers.delete(breakerKey);
      const stored = await (ahead ?? this.readBreaker(breakerKey));
      const gate = admits(stored, Date.now(), this.settings.breakerResetMs);
      if (!gate.allowed) {
        this.steps.inc({ action: step.action, result: 'breaker_open' });
        return { ok: false, detail: `circuit breaker for ${effector.name} on ${step.target} is open`, errorCode: 'breaker_open' };
      }
      let result: StepOutcome;
      try {
        const running = effector.run({ requestId, planId, index, step, rollback });
        run.dispatched();
        result = await running;
      } catch (error) {
        const unavailable = error instanceof EffectorUnavailableError;
        await this.kv.put(breakerKey, JSON.stringify(recordResult(gate.next, false, Date.now(), this.settings.breakerFailures)));
        if (!unavailable || attempt >= this.settings.stepRetries) {
          this.steps.inc({ action: step.action, result: 'unavailable' });
          return { ok: false, detail: (error as Error).message, errorCode: unavailable ? error.code : 'effector_error' };
        }
        const delay = Math.min(5000, 250 * 2 ** attempt) * (0.5 + Math.random());
        this.logger.warn({ err: error, attempt, retryInMs: Math.round(delay) }, `step ${index} (${step.action}) effector unavailable; retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      // Outside the try: the step ran, so failing to record it on the breaker (NATS failing over)
      // fails the handler, which the consumer retries (the agent answers the repeated request from
      // its cache), not the step, which would roll back a remedy that worked.
      await this.kv.put(breakerKey, JSON.stringify(recordResult(gate.next, true, Date.now(), this.settings.breakerFailures)));
      this.steps.inc({ action: step.action, result: result.ok ? 'ok' : 'failed' });
      return result;
    }
  }

  /** Watches the target for the verification window after the last step and classifies the outcome. */
  private async verify(record: ExecutionRecord, context: HandlerContext): Promise<OutcomeV1> {
    const window = this.settings.verificationWindowMs;
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
    const cause = record.plan.cause;
    const metricKinds = new Set(['memory_leak', 'cpu_overload', 'connection_exhaustion', 'error_rate', 'latency']);
    const relevant = metricKinds.has(cause) ? (metric: string) => causeKindForMetric(metric) === cause : () => true;
    const beforeSpan = violationsBeforeSpan(started, window, record.incidentId ? eventIdTime(record.incidentId) : undefined);
    // One read of the stream covers all three windows: before the start, since the start, and after.
    const seen = await this.history.between(record.target, Math.min(beforeSpan.fromMs, started - window), afterTo, relevant);
    const before = seen.filter((at) => at >= beforeSpan.fromMs && at < beforeSpan.toMs);
    const after = seen.filter((at) => at >= afterFrom);
    const sinceStart = seen.filter((at) => at >= started);
    const outcome = record.plan.dryRun || record.plan.steps.every((step) => step.action === ActionType.escalate) ? 'unknown' : classifyOutcome(before.length, after.length);
    const lastViolation = sinceStart.length > 0 ? Math.max(...sinceStart) : started;
    return {
      executionId: record.executionId,
      planId: record.plan.planId,
      cause: record.plan.cause,
      actions: record.plan.steps.map((step) => step.action),
      outcome,
      violationsBefore: before.length,
      violationsAfter: after.length,
      timeToStabilizationMs: outcome === 'success' || outcome === 'partial' ? Math.max(0, Math.max(lastViolation, finished) - started) : null,
      verificationWindowMs: window,
    };
  }
}
