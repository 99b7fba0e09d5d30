import { Inject, Injectable } from '@nestjs/common';
import { DependencyGraph, causeKindForMetric, type DependencyGraphState, type Symptom } from '@mapek/anomaly';
import { deriveEventId, type Envelope } from '@mapek/contracts';
import { EVENT_PUBLISHER, OnEvent, getJson, kvKey, recordRetentionMs, type EventPublisherPort, type KvBucket } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { analyzeIncident } from '../domain/incident-analysis.js';
import { onOutcome, onSymptom, type IncidentState } from '../domain/incident-book.js';

export const ANALYZER_SETTINGS = Symbol.for('mapek.analyzer.settings');
export const ANALYZER_KV = Symbol.for('mapek.analyzer.kv');
export const ANALYZER_THRESHOLDS = Symbol.for('mapek.analyzer.threshold-store');

export interface AnalyzerSettings {
  readonly dependencies: ReadonlyArray<readonly [string, string]>;
  readonly quietMs: number;
  readonly correlationWindowMs: number;
}

/** Turns symptoms into incidents and analyses; closes incidents when their outcome arrives. */
@Injectable()
export class SymptomHandler {
  private recent: Symptom[] = [];

  constructor(
    @Inject(ANALYZER_SETTINGS) private readonly settings: AnalyzerSettings,
    @Inject(ANALYZER_KV) private readonly kv: KvBucket,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ANALYZER_THRESHOLDS) private readonly thresholds: ThresholdStore,
  ) {}

  /** The dependency graph: declared edges from config plus co-occurrence learned by every replica (KV). */
  private async graph(): Promise<{ graph: DependencyGraph; revision: number | undefined }> {
    const stored = await getJson<DependencyGraphState>(this.kv, 'graph');
    const graph = stored ? DependencyGraph.restore(stored.value) : new DependencyGraph();
    for (const [dependent, dependency] of this.settings.dependencies) graph.dependsOn(dependent, dependency);
    return { graph, revision: stored?.revision };
  }

  private async learnDependencies(graph: DependencyGraph, revision: number | undefined, incident: readonly Symptom[]): Promise<void> {
    graph.observe(incident);
    try {
      if (revision === undefined) await this.kv.create('graph', JSON.stringify(graph.snapshot()));
      else await this.kv.update('graph', JSON.stringify(graph.snapshot()), revision);
    } catch {
      // Another replica learned from an incident at the same moment; one observation is lost, not the graph.
    }
  }

  private remember(symptom: Symptom): void {
    const horizon = symptom.time - this.settings.correlationWindowMs;
    this.recent = this.recent.filter((known) => known.time >= horizon && known.id !== symptom.id);
    this.recent.push(symptom);
    if (this.recent.length > 5000) this.recent = this.recent.slice(-5000);
  }

  @OnEvent('symptom')
  async onSymptom(event: Envelope<'symptom'>): Promise<void> {
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
    // One incident per target and kind of trouble: a memory leak and a connection storm on the
    // same service are two incidents with two remedies.
    const key = `incident.${kvKey(event.target)}.${causeKindForMetric(event.data.metric)}`;
    const others = this.recent.filter((known) => known.target !== event.target);
    this.remember(symptom);
    const stored = await getJson<IncidentState>(this.kv, key);
    const anomalySeries = event.data.source === 'anomaly' ? `${event.target}/${event.data.metric}` : undefined;
    const verdict = onSymptom(stored?.value, { id: event.id, target: event.target, observedAt, ...(anomalySeries ? { anomalySeries } : {}) }, this.settings.quietMs);
    if (verdict.kind === 'stale') return;
    if (verdict.kind === 'open') {
      const previous = stored?.value;
      if (anomalySeries && previous?.status === 'closed' && previous.anomalySeries === anomalySeries && previous.closedAt !== undefined && observedAt - previous.closedAt <= this.settings.quietMs) {
        // The trouble came back soon after its remedy: the series should alarm earlier.
        await this.learn({ series: anomalySeries, time: observedAt, remedyEffective: true, recurred: true });
      }
      const { graph, revision } = await this.graph();
      const analysis = analyzeIncident([symptom], others, graph);
      await this.learnDependencies(graph, revision, [...others, symptom]);
      // Publish first with a derived id: a crash before the checkpoint redelivers the symptom,
      // which derives the same incident and analysis ids, and JetStream stores the analysis once.
      await this.publisher.publish('analysis', {
        id: deriveEventId(event.id, 'analysis'),
        target: event.target,
        incidentId: verdict.incident.incidentId,
        causationId: event.id,
        data: analysis,
      });
      this.logger.info(
        { incidentId: verdict.incident.incidentId, cause: analysis.rootCauses[0]?.cause, confidence: analysis.confidence },
        'incident opened',
      );
    }
    await this.kv.put(key, JSON.stringify(verdict.incident));
    // One index entry per incident ever opened: it expires once no copy of the incident's events can be redelivered.
    if (verdict.kind === 'open') await this.kv.put(`index.${verdict.incident.incidentId}`, JSON.stringify(key), { ttlMs: recordRetentionMs });
  }

  @OnEvent('outcome')
  async onOutcome(event: Envelope<'outcome'>): Promise<void> {
    if (!event.incidentId) return;
    const key = (await getJson<string>(this.kv, `index.${event.incidentId}`))?.value;
    if (!key) return;
    const stored = await getJson<IncidentState>(this.kv, key);
    const closed = onOutcome(stored?.value, event.incidentId, Date.parse(event.time));
    if (!closed) return;
    await this.kv.put(key, JSON.stringify(closed));
    this.logger.info({ incidentId: event.incidentId, outcome: event.data.outcome }, 'incident closed');
    if (closed.anomalySeries && event.data.outcome === 'ineffective') {
      // The remedy changed nothing: the anomaly was likely noise, so the series gets less sensitive.
      await this.learn({ series: closed.anomalySeries, time: Date.parse(event.time), remedyEffective: false, recurred: false });
    }
  }

  private async learn(outcome: { series: string; time: number; remedyEffective: boolean; recurred: boolean }): Promise<void> {
    const change = await this.thresholds.record(outcome);
    if (change) this.logger.info({ thresholdChange: change }, `sensitivity of ${change.series} moved ${change.old} → ${change.new} (${change.reason})`);
  }
}
