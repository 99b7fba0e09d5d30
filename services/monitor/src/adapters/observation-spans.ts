import { SpanKind, httpClientAttributes, type Attributes, type FinishedWork } from '@mapek/observability';
import type { Probe } from '@mapek/contracts';
import { probeEndpoint } from '../domain/monitored-target.js';
import type { ProbeResult } from './health-probes.js';
import { ScrapeError } from './http-scraper.js';

/** When a check ran: `performance.now()` at its start and its end. */
export interface CheckTiming {
  readonly started: number;
  readonly ended: number;
}

const epochMs = (at: number): number => performance.timeOrigin + at;

const TargetAttribute = 'mapek.target';

/** A CLIENT span of one check of `target`, named `name`, over `timing`; failed when `error` is given. */
function check(name: string, target: string, kind: string, timing: CheckTiming, attributes: Attributes, error?: unknown): FinishedWork {
  return {
    name,
    kind: SpanKind.CLIENT,
    startTime: epochMs(timing.started),
    endTime: epochMs(timing.ended),
    attributes: { ...attributes, [TargetAttribute]: target, 'mapek.check': kind },
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * The spans of the checks a symptom came from. The monitor makes a span for a scrape, a probe or
 * a PromQL query only when that check produced a symptom, after the fact (`recordFinishedSpan`):
 * it is the root of the incident's trace, with the check's own times. The other checks — a
 * thousand scrapes a second at 1,000 targets — make none; their counts and durations are metrics.
 */
export const observationSpans = {
  /** A scrape of the target's metrics URL, answered (`status`) or failed (`error`). */
  scrape(target: string, url: string, timing: CheckTiming, outcome: { status?: number; samples?: number; error?: unknown }): FinishedWork {
    const status = outcome.status ?? (outcome.error instanceof ScrapeError ? outcome.error.status : undefined);
    return check(
      'GET',
      target,
      'scrape',
      timing,
      {
        ...httpClientAttributes('GET', url, status),
        ...(outcome.samples !== undefined ? { 'mapek.scrape.samples': outcome.samples } : {}),
      },
      outcome.error,
    );
  },

  /** A health probe that found the target down. HTTP probes are `GET` spans; the others name their kind. */
  probe(target: string, probe: Probe, timing: CheckTiming, result: ProbeResult): FinishedWork {
    const endpoint = { 'mapek.probe.endpoint': probeEndpoint(probe) };
    const attributes = probe.kind === 'http' ? { ...httpClientAttributes('GET', probe.url), ...endpoint } : endpoint;
    const name = probe.kind === 'http' ? 'GET' : `probe ${probe.kind}`;
    return check(name, target, `probe ${probe.kind}`, timing, attributes, result.ok ? undefined : new Error(result.detail));
  },

  /** A PromQL instant query whose answer violated a rule. */
  promql(target: string, baseUrl: string, rule: string, timing: CheckTiming): FinishedWork {
    const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    return check('GET', target, 'promql', timing, { ...httpClientAttributes('GET', url), 'mapek.rule': rule });
  },
};
