import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DependencyGraph, causeKindForMetric, causesOf, type CauseKind, type DependencyGraphState, type Symptom } from '@mapek/anomaly';
import { ResolutionReason, SymptomSource, deriveEventId, type Envelope } from '@mapek/contracts';
import {
  EVENT_PUBLISHER,
  JsonKv,
  OnEvent,
  currentTraceparent,
  kvKey,
  recordRetentionMs,
  withTraceparent,
  type EventPublisherPort,
  type KvBucket,
  type Versioned,
} from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { analyzeIncident } from '../domain/incident-analysis.js';
import { LoopFirst } from './loop-first.js';
import {
  analysisDue,
  analysisIdOf,
  analysisPublished,
  onOutcome,
  onSymptom,
  onSymptomResolved,
  slotFor,
  type CandidateSlots,
  type IncidentBookSettings,
  type IncidentSlot,
  type IncidentState,
  type SymptomVerdict,
} from '../domain/incident-book.js';

export const ANALYZER_SETTINGS = Symbol.for('mapek.analyzer.settings');
export const ANALYZER_KV = Symbol.for('mapek.analyzer.kv');
export const ANALYZER_THRESHOLDS = Symbol.for('mapek.analyzer.threshold-store');

export interface AnalyzerSettings {
  readonly dependencies: ReadonlyArray<readonly [string, string]>;
  readonly quietMs: number;
  readonly correlationWindowMs: number;
  /** How long an incident opened by CPU, latency or errors waits for its likely cause to show (see incident-book). */
  readonly settleMs: number;
  /** A kind of trouble starting this long after the target's incident opened is another fault. */
  readonly joinWindowMs: number;
  /** How long the dependency graph this replica last read or wrote stands in for a read (default {@link GRAPH_REUSE_MS}). */
  readonly graphReuseMs?: number;
}

/**
 * How long the dependency graph this replica last read or wrote is used without reading it again.
 * Every analysis writes the graph after it (compare-and-set), and a write that finds another
 * replica's first reads it again, so the graph kept is the latest this replica has seen; what a
 * reuse gives up is another replica's write in the last second, missing from one ranking.
 */
export const GRAPH_REUSE_MS = 1000;

/** The dependency graph as read, with the revision to learn into. */
interface StoredGraph {
  readonly graph: DependencyGraph;
  readonly revision: number | undefined;
}

/** The graph's state as last read or written by this replica (undefined: none stored yet), and when. */
interface KeptGraph {
  readonly state: DependencyGraphState | undefined;
  readonly revision: number | undefined;
  readonly at: number;
}

/** A slot as read: the domain's slot, with the revision the incident was read at. */
type Slot = IncidentSlot & { readonly stored: Versioned<IncidentState> | undefined };

/** How many times one incident's co-occurrences are written to the shared graph before they are given up. */
const GRAPH_WRITE_ATTEMPTS = 4;

/** Backstop for held analyses whose timer died with a replica. */
const SWEEP_INTERVAL_MS = 5000;

/** The KV key of a target's incident. */
function incidentKey(target: string): string {
  return `incident.${kvKey(target)}`;
}

/** The KV key of a target's incident of one kind that started apart from the target's incident. */
function kindIncidentKey(target: string, kind: string): string {
  return `incident.${kvKey(target)}.${kind}`;
}

/** The KV keys of the slots a symptom of `kind` on `target` may go to (see `slotFor`). */
function slotKeys(target: string, kind: CauseKind): CandidateSlots<string> {
  return {
    own: incidentKey(target),
    apart: kindIncidentKey(target, kind),
    causes: causesOf(kind).map((cause) => kindIncidentKey(target, cause)),
  };
}

/** The KV key marking a symptom its source resolved (a resolved alert), whatever became of its incident. */
function resolvedKey(symptomId: string): string {
  return `resolved.${symptomId}`;
}

/** A newly opened incident remembers the trace of its first symptom (the one being handled). */
function withOpeningTrace(verdict: SymptomVerdict): SymptomVerdict {
  if (verdict.kind !== 'open') return verdict;
  const traceparent = currentTraceparent();
  return traceparent ? { ...verdict, incident: { ...verdict.incident, traceparent } } : verdict;
}

/** Turns symptoms into incidents and analyses; closes incidents when their outcome arrives or their signal is resolved. */
@Injectable()
export class SymptomHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private recent: Symptom[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private keptGraph: KeptGraph | undefined;
  /** Incident state per target (and per target and kind), the learned dependency graph, and incident id → incident key. */
  private readonly incidents: JsonKv<IncidentState>;
  private readonly graphs: JsonKv<DependencyGraphState>;
  private readonly index: JsonKv<string>;
  /** Alert symptoms Alertmanager resolved. */
  private readonly resolved: JsonKv<boolean>;

  constructor(
    @Inject(ANALYZER_SETTINGS) private readonly settings: AnalyzerSettings,
    @Inject(ANALYZER_KV) private readonly kv: KvBucket,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ANALYZER_THRESHOLDS) private readonly thresholds: ThresholdStore,
    @Inject(LoopFirst) private readonly loopFirst: LoopFirst,
  ) {
    this.incidents = new JsonKv(kv);
    this.graphs = new JsonKv(kv);
    this.index = new JsonKv(kv);
    this.resolved = new JsonKv(kv);
  }

  private get bookSettings(): IncidentBookSettings {
    return { quietMs: this.settings.quietMs, settleMs: this.settings.settleMs };
  }

  /**
   * The dependency graph: declared edges from config plus co-occurrence learned by every replica
   * (KV). The state this replica last read or wrote stands in for a read for `graphReuseMs`
   * (see {@link GRAPH_REUSE_MS}); `fresh` reads KV whatever was kept.
   */
  private async graph(fresh = false): Promise<StoredGraph> {
    const kept = this.keptGraph;
    if (!fresh && kept && Date.now() - kept.at < (this.settings.graphReuseMs ?? GRAPH_REUSE_MS)) return this.graphOf(kept);
    const stored = await this.graphs.get('graph');
    const read = { state: stored?.value, revision: stored?.revision, at: Date.now() };
    this.keptGraph = read;
    return this.graphOf(read);
  }

  private graphOf({ state, revision }: KeptGraph): StoredGraph {
    // Restored afresh each time: an analysis learns into its copy, never into the kept state.
    const graph = state ? DependencyGraph.restore(state) : new DependencyGraph();
    for (const [dependent, dependency] of this.settings.dependencies) graph.dependsOn(dependent, dependency);
    return { graph, revision };
  }

  private async learnDependencies(
    graph: DependencyGraph,
    revision: number | undefined,
    incident: readonly Symptom[],
    around: readonly Symptom[],
  ): Promise<void> {
    // After the analysis is out. Another target's incident (in this replica or another) may have
    // written the graph since it was read: read it again and observe once more, a few times. When
    // KV is unreachable, or the graph is that busy, one observation is lost, not the graph nor the analysis.
    let current: StoredGraph | undefined = { graph, revision };
    for (let attempt = 0; current && attempt < GRAPH_WRITE_ATTEMPTS; attempt++) {
      current.graph.observe(incident, around);
      const state = current.graph.snapshot();
      const written = await this.graphs.compareAndSetRevision('graph', state, current.revision).catch(() => undefined);
      if (written !== undefined) {
        this.keptGraph = { state, revision: written, at: Date.now() };
        return;
      }
      current = await this.graph(true).catch(() => undefined);
    }
  }

  private remember(symptom: Symptom): void {
    const horizon = symptom.time - this.settings.correlationWindowMs;
    this.recent = this.recent.filter((known) => known.time >= horizon && known.id !== symptom.id);
    this.recent.push(symptom);
    if (this.recent.length > 5000) this.recent = this.recent.slice(-5000);
  }

  /**
   * One incident per target, whatever the kind of trouble: a fault shows as several kinds at once
   * (a leak also burns CPU) and gets one analysis, whose root-cause ranking picks the cause, and one
   * plan. Written with compare-and-set, because a held analysis may be released concurrently.
   */
  @OnEvent('symptom')
  onSymptom(event: Envelope<'symptom'>): Promise<void> {
    return this.loopFirst.run(() => this.handleSymptom(event));
  }

  private async handleSymptom(event: Envelope<'symptom'>): Promise<void> {
    const observedAt = Date.parse(event.data.observedAt);
    const symptom: Symptom = {
      id: event.id,
      target: event.target,
      ...(event.data.component ? { component: event.data.component } : {}),
      metric: event.data.metric,
      severity: event.data.severity,
      value: event.data.value,
      threshold: event.data.threshold,
      time: observedAt,
    };
    if (event.data.source === SymptomSource.alert && (await this.resolved.get(resolvedKey(event.id)))?.value === true) {
      // Its resolution was handled first (a redelivery, or two replicas): the alert is over already.
      this.logger.info({ symptomId: event.id, target: event.target }, 'alert symptom dropped: already resolved');
      return;
    }
    // One round of reads: the incidents the symptom may join (see `slotFor`) and the dependency
    // graph, in case it is analyzed now. The first pass of the loop below uses them; a lost
    // compare-and-set reads its incident and the graph again.
    const kind = causeKindForMetric(symptom.metric);
    const [slots, firstGraph] = await Promise.all([this.readSlots(event.target, kind), this.graph()]);
    const slot = slotFor(kind, observedAt, slots, this.settings);
    const { key } = slot;
    let read: [Versioned<IncidentState> | undefined, StoredGraph] | undefined = [slot.stored, firstGraph];
    const others = this.recent.filter((known) => known.target !== event.target);
    this.remember(symptom);
    const anomalySeries = event.data.source === 'anomaly' ? `${event.target}/${event.data.metric}` : undefined;
    for (;;) {
      const [stored, graph] = read ?? (await Promise.all([this.incidents.get(key), this.graph()]));
      read = undefined;
      const verdict = withOpeningTrace(
        onSymptom(stored?.value, { ...symptom, ...(anomalySeries ? { anomalySeries } : {}) }, this.bookSettings),
      );
      if (verdict.kind === 'stale') return;
      if (verdict.kind === 'attach' && verdict.incident === stored?.value) return;
      const previous = stored?.value;
      if (
        verdict.kind === 'open' &&
        anomalySeries &&
        previous?.status === 'closed' &&
        previous.anomalySeries === anomalySeries &&
        previous.closedAt !== undefined &&
        observedAt - previous.closedAt <= this.settings.quietMs
      ) {
        // The trouble came back soon after its remedy: the series should alarm earlier.
        await this.learn({ series: anomalySeries, time: observedAt, remedyEffective: true, recurred: true });
      }
      if (verdict.kind === 'open' && verdict.analyzeNow) {
        // Two replicas may open an incident for this target at once, each from its own symptom
        // (so with other incident and analysis ids): the incident is claimed with compare-and-set
        // before its analysis goes out, held as due now, so only the winner's is analyzed. A crash
        // or a failed publish after the claim leaves a due analysis, which the timer or the sweep
        // (of any replica) releases.
        //
        // The winner analyzes from what it wrote and read (no read-back), and writes the incident's
        // index entry meanwhile: the entry is only read when the outcome arrives, and a crash
        // before it is written leaves the fallback `onOutcome` describes.
        const claimed: IncidentState = { ...verdict.incident, analysis: { state: 'pending', dueAt: Date.now() } };
        const revision = await this.incidents.compareAndSetRevision(key, claimed, stored?.revision);
        if (revision === undefined) continue;
        const indexed = this.index.put(`index.${claimed.incidentId}`, key, { ttlMs: recordRetentionMs });
        try {
          const incident = await this.publishAnalysis(claimed, others, claimed.symptomIds.at(-1) ?? claimed.incidentId, graph);
          // Released by a timer or another replica's sweep meanwhile: theirs carries the same analysis id.
          if (!(await this.checkpoint(key, incident, revision))) await this.release(key);
        } catch (error) {
          this.logger.warn({ err: error, key }, 'could not release a claimed analysis; retrying shortly');
          this.schedule(key, Date.now() + 1000);
        }
        await indexed;
        return;
      }
      // Publish first with a derived id: a crash before the checkpoint redelivers the symptom,
      // which derives the same incident and analysis ids, and JetStream stores the analysis once.
      // (A held incident's analysis id comes from its first symptom, so replicas agree on it.)
      const incident = verdict.analyzeNow ? await this.publishAnalysis(verdict.incident, others, event.id, graph) : verdict.incident;
      if (!(await this.checkpoint(key, incident, stored?.revision))) continue;
      // One index entry per incident ever opened: it expires once no copy of the incident's events can be redelivered.
      if (verdict.kind === 'open') await this.index.put(`index.${incident.incidentId}`, key, { ttlMs: recordRetentionMs });
      if (incident.analysis?.state === 'pending') this.schedule(key, incident.analysis.dueAt);
      return;
    }
  }

  /** The slots a symptom of `kind` on `target` may go to (see `slotFor`), read at once. */
  private async readSlots(target: string, kind: CauseKind): Promise<CandidateSlots<Slot>> {
    const read = async (key: string): Promise<Slot> => ({ key, stored: await this.incidents.get(key) });
    const keys = slotKeys(target, kind);
    const [own, apart, causes] = await Promise.all([read(keys.own), read(keys.apart), Promise.all(keys.causes.map(read))]);
    return { own, apart, causes };
  }

  /** Writes the incident if the key is still at `revision` (absent: not yet written); false when another writer came first. */
  private async checkpoint(key: string, incident: IncidentState, revision: number | undefined): Promise<boolean> {
    return this.incidents.compareAndSet(key, incident, revision);
  }

  /**
   * Ranks the incident's symptoms (with the other targets' recent ones) over the dependency
   * graph, publishes the analysis, then learns from the incident, and returns the incident marked
   * as analyzed. Learning comes after the publish: the planner need not wait for it.
   */
  private async publishAnalysis(
    incident: IncidentState,
    others: readonly Symptom[],
    causationId: string,
    { graph, revision }: StoredGraph,
  ): Promise<IncidentState> {
    const own = incident.symptoms ?? [];
    const analysis = analyzeIncident(own, others, graph);
    // In the trace of the symptom that opened the incident, also when a timer or a later symptom releases it.
    await withTraceparent(incident.traceparent, () =>
      this.publisher.publish('analysis', {
        id: analysisIdOf(incident),
        target: incident.target,
        incidentId: incident.incidentId,
        causationId,
        data: analysis,
      }),
    );
    await this.learnDependencies(graph, revision, own, others);
    this.logger.info(
      { incidentId: incident.incidentId, cause: analysis.rootCauses[0]?.cause, confidence: analysis.confidence, symptoms: own.length },
      'incident opened',
    );
    return analysisPublished(incident);
  }

  /** Releases the held analysis of the incident at `key` once it is due (any replica may; the derived id makes it one analysis). */
  private async release(key: string): Promise<void> {
    for (;;) {
      const stored = await this.incidents.get(key);
      if (!stored || !analysisDue(stored.value, Date.now())) return;
      const others = this.recent.filter((known) => known.target !== stored.value.target);
      const incident = await this.publishAnalysis(
        stored.value,
        others,
        stored.value.symptomIds.at(-1) ?? stored.value.incidentId,
        await this.graph(),
      );
      if (await this.checkpoint(key, incident, stored.revision)) return;
    }
  }

  private schedule(key: string, dueAt: number): void {
    if (this.timers.has(key) || this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.loopFirst
          .run(() => this.release(key))
          .catch((error: unknown) => {
            this.logger.warn({ err: error, key }, 'could not release a held analysis; the sweep retries');
          });
      },
      Math.max(0, dueAt - Date.now()),
    );
    this.timers.set(key, timer);
  }

  /** Finds held analyses this replica has no timer for (it restarted, or another replica died holding them). */
  private async sweep(): Promise<void> {
    const keys = await this.kv.keys('incident.>');
    for await (const key of keys) {
      const stored = await this.incidents.get(key).catch(() => undefined);
      if (stored?.value.status === 'open' && stored.value.analysis?.state === 'pending') this.schedule(key, stored.value.analysis.dueAt);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'sweep for held analyses failed'));
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'sweep for held analyses failed'));
    }, SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  @OnEvent('outcome')
  onOutcome(event: Envelope<'outcome'>): Promise<void> {
    return this.loopFirst.run(() => this.handleOutcome(event));
  }

  private async handleOutcome(event: Envelope<'outcome'>): Promise<void> {
    if (!event.incidentId) return;
    // The index is written after the incident, so a crash or a failed write in between leaves an
    // incident without one, which would then never close: fall back to the target's key (one
    // incident per target); `onOutcome` checks that the incident there is this one.
    const key = (await this.index.get(`index.${event.incidentId}`))?.value ?? incidentKey(event.target);
    const stored = await this.incidents.get(key);
    const closed = onOutcome(stored?.value, event.incidentId, Date.parse(event.time));
    if (!closed) return;
    await this.incidents.put(key, closed);
    this.logger.info({ incidentId: event.incidentId, outcome: event.data.outcome }, 'incident closed');
    if (closed.anomalySeries && event.data.outcome === 'ineffective') {
      // The remedy changed nothing: the anomaly was likely noise, so the series gets less sensitive.
      await this.learn({ series: closed.anomalySeries, time: Date.parse(event.time), remedyEffective: false, recurred: false });
    }
  }

  /**
   * An alert that became a symptom was resolved by Alertmanager. The symptom is marked resolved
   * (so that it opens nothing if it is handled after its resolution), and the incident holding it
   * is told: once all its symptoms are resolved, its signal is gone, so it is closed and
   * `incident.resolved` goes out, on which the planner cancels the plans that have not started.
   * Published before the checkpoint, with an id derived from the resolution: a crash in between
   * redelivers it, and the second run publishes the same event.
   */
  @OnEvent('alert.resolved')
  onAlertResolved(event: Envelope<'alert.resolved'>): Promise<void> {
    return this.loopFirst.run(() => this.handleAlertResolved(event));
  }

  private async handleAlertResolved(event: Envelope<'alert.resolved'>): Promise<void> {
    const { symptomId } = event.data;
    await this.resolved.put(resolvedKey(symptomId), true, { ttlMs: recordRetentionMs });
    const at = Date.parse(event.time);
    const keys = slotKeys(event.target, causeKindForMetric(event.data.metric));
    for (const key of [keys.own, keys.apart, ...keys.causes]) {
      for (;;) {
        const stored = await this.incidents.get(key);
        const verdict = onSymptomResolved(stored?.value, symptomId, at);
        if (verdict.kind === 'unrelated') break;
        if (verdict.kind === 'resolved') {
          await this.publisher.publish('incident.resolved', {
            id: deriveEventId(event.id, 'incident-resolved'),
            target: event.target,
            incidentId: verdict.incident.incidentId,
            causationId: event.id,
            data: { reason: ResolutionReason.signalResolved, symptomIds: [...verdict.symptomIds], resolvedAt: new Date(at).toISOString() },
          });
        }
        if (!(await this.checkpoint(key, verdict.incident, stored?.revision))) continue;
        this.logger.info(
          { incidentId: verdict.incident.incidentId, symptomId, fingerprint: event.data.fingerprint },
          verdict.kind === 'resolved'
            ? 'incident closed: its signal was resolved before a remedy'
            : 'one alert of the incident resolved; others remain',
        );
        return;
      }
    }
  }

  private async learn(outcome: { series: string; time: number; remedyEffective: boolean; recurred: boolean }): Promise<void> {
    const change = await this.thresholds.record(outcome);
    if (change)
      this.logger.info(
        { thresholdChange: change },
        `sensitivity of ${change.series} moved ${change.old} → ${change.new} (${change.reason})`,
      );
  }
}
