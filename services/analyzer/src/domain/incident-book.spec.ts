import { describe, expect, it } from '@jest/globals';
import { newEventId } from '@mapek/contracts';
import {
  analysisDue,
  analysisIdOf,
  isLive,
  onOutcome,
  onSymptom,
  onSymptomResolved,
  slotFor,
  takesKind,
  type IncidentSlot,
  type ObservedSymptom,
} from './incident-book.js';

const memory = 'process_resident_memory_bytes';
const cpu = 'mapek_agent_cpu_percent';
const errors = 'http_error_rate';

function symptom(time: number, metric = memory, target = 'a'): ObservedSymptom {
  return { id: newEventId(time), target, metric, severity: 'critical', value: 1, time };
}

describe('incident book', () => {
  const settings = { quietMs: 60_000, settleMs: 1500 };

  it('opens one incident on the first symptom and attaches the next ones', () => {
    const first = onSymptom(undefined, symptom(1000), settings);
    expect(first.kind).toBe('open');
    const second = onSymptom(first.incident, symptom(2000), settings);
    expect(second.kind).toBe('attach');
    expect(second.incident.incidentId).toBe(first.incident.incidentId);
    expect(second.incident.symptomIds).toHaveLength(2);
  });

  it('derives the same incident id when the same symptom is redelivered', () => {
    const repeated = symptom(1000);
    expect(onSymptom(undefined, repeated, settings).incident.incidentId).toBe(onSymptom(undefined, repeated, settings).incident.incidentId);
  });

  it('opens a new incident after the quiet period', () => {
    const first = onSymptom(undefined, symptom(1000), settings);
    expect(onSymptom(first.incident, symptom(1000 + settings.quietMs + 1), settings).kind).toBe('open');
  });

  it('treats symptoms observed before the outcome closed the incident as stale, and opens afresh after', () => {
    const first = onSymptom(undefined, symptom(1000), settings);
    const closed = onOutcome(first.incident, first.incident.incidentId, 5000);
    expect(closed?.status).toBe('closed');
    expect(onSymptom(closed, symptom(4000), settings).kind).toBe('stale');
    expect(onSymptom(closed, symptom(6000), settings).kind).toBe('open');
  });

  it('ignores an outcome of another incident', () => {
    const first = onSymptom(undefined, symptom(1000), settings);
    expect(onOutcome(first.incident, newEventId(), 5000)).toBeUndefined();
  });

  it('analyzes an incident opened by a memory leak at once, and keeps the CPU burst that follows in the same incident', () => {
    const leak = onSymptom(undefined, symptom(1000, memory), settings);
    expect(leak).toMatchObject({ kind: 'open', analyzeNow: true });
    const burst = onSymptom(leak.incident, symptom(1100, cpu), settings);
    expect(burst).toMatchObject({ kind: 'attach', analyzeNow: false });
    expect(burst.incident.incidentId).toBe(leak.incident.incidentId);
  });

  it('holds the analysis of an incident opened by CPU for the settle window, and releases it when the leak behind it shows', () => {
    const burst = onSymptom(undefined, symptom(1000, cpu), settings);
    expect(burst).toMatchObject({ kind: 'open', analyzeNow: false });
    expect(analysisDue(burst.incident, 2499)).toBe(false);
    expect(analysisDue(burst.incident, 2500)).toBe(true);
    const leak = onSymptom(burst.incident, symptom(1900, memory), settings);
    expect(leak).toMatchObject({ kind: 'attach', analyzeNow: true });
    expect(leak.incident.symptoms?.map((known) => known.metric)).toEqual([cpu, memory]);
    expect(analysisIdOf(leak.incident)).toBe(analysisIdOf(burst.incident));
  });

  it('analyzes a CPU incident at once when the settle window is 0', () => {
    expect(onSymptom(undefined, symptom(1000, cpu), { ...settings, settleMs: 0 })).toMatchObject({ kind: 'open', analyzeNow: true });
  });
});

describe('which incident a symptom joins', () => {
  const leak = {
    id: newEventId(1000),
    target: 'a',
    metric: 'process_resident_memory_bytes',
    severity: 'critical' as const,
    value: 1,
    time: 1000,
  };
  const opened = onSymptom(undefined, leak, { quietMs: 60_000, settleMs: 1500 }).incident;

  it('takes a kind it already has at any time, and an unrelated kind only within the join window of its opening', () => {
    expect(takesKind(opened, 'memory_leak', 50_000, 5000)).toBe(true);
    expect(takesKind(opened, 'connection_exhaustion', 5000, 5000)).toBe(true);
    expect(takesKind(opened, 'connection_exhaustion', 6001, 5000)).toBe(false);
    expect(takesKind(opened, 'unavailable', 6001, 5000)).toBe(false);
  });

  it('takes the trouble its kind brings about whenever it starts: a leak’s late CPU and latency are the same fault', () => {
    expect(takesKind(opened, 'cpu_overload', 120_000, 5000)).toBe(true);
    expect(takesKind(opened, 'latency', 120_000, 5000)).toBe(true);
  });

  it('does not take a cause that starts after its consequence: a leak found late under a CPU incident is a fault of its own', () => {
    const cpuIncident = onSymptom(undefined, symptom(1000, cpu), { quietMs: 60_000, settleMs: 1500 }).incident;
    expect(takesKind(cpuIncident, 'latency', 120_000, 5000)).toBe(true);
    expect(takesKind(cpuIncident, 'memory_leak', 120_000, 5000)).toBe(false);
  });

  it('is live while open and not quiet', () => {
    expect(isLive(opened, 61_000, 60_000)).toBe(true);
    expect(isLive(opened, 61_001, 60_000)).toBe(false);
    expect(isLive({ ...opened, status: 'closed', closedAt: 2000 }, 3000, 60_000)).toBe(false);
  });
});

describe('the slot a symptom goes to', () => {
  const settings = { quietMs: 60_000, joinWindowMs: 5000 };
  const book = { quietMs: 60_000, settleMs: 0 };
  const at = (key: string, ...symptoms: ObservedSymptom[]): IncidentSlot => ({
    key,
    stored:
      symptoms.length === 0
        ? undefined
        : {
            value: symptoms.reduce(
              (incident, next) => onSymptom(incident, next, book).incident,
              onSymptom(undefined, symptoms[0]!, book).incident,
            ),
          },
  });
  const empty = { own: at('own'), apart: at('apart.cpu'), causes: [at('apart.memory')] };

  it('opens the target’s own slot when nothing is live there', () => {
    expect(slotFor('cpu_overload', 1000, empty, settings).key).toBe('own');
  });

  it('keeps a live incident of the kind kept apart, and takes the target’s incident when it takes the kind', () => {
    expect(slotFor('cpu_overload', 9000, { ...empty, apart: at('apart.cpu', symptom(8000, cpu)) }, settings).key).toBe('apart.cpu');
    expect(slotFor('cpu_overload', 90_000, { ...empty, own: at('own', symptom(60_000, memory)) }, settings).key).toBe('own');
  });

  it('joins a leak kept apart, while another fault holds the target’s slot, with the CPU it brings about a minute later', () => {
    const slots = {
      own: at('own', symptom(1000, errors), symptom(50_000, errors)),
      apart: at('apart.cpu'),
      causes: [at('apart.memory', symptom(20_000, memory))],
    };
    expect(slotFor('cpu_overload', 75_000, slots, settings).key).toBe('apart.memory');
  });

  it('keeps an unrelated fault apart from the target’s busy incident, and from a closed or quiet leak', () => {
    const busy = at('own', symptom(1000, errors), symptom(50_000, errors));
    const quiet = at('apart.memory', symptom(1000, memory));
    expect(slotFor('cpu_overload', 75_000, { ...empty, own: busy }, settings).key).toBe('apart.cpu');
    expect(slotFor('cpu_overload', 75_000, { ...empty, own: busy, causes: [quiet] }, settings).key).toBe('apart.cpu');
    expect(slotFor('cpu_overload', 75_000, { ...empty, causes: [quiet] }, settings).key).toBe('own');
  });
});

describe('an incident whose alerts are resolved at their source', () => {
  const settings = { quietMs: 60_000, settleMs: 1500 };

  it('closes an incident once every symptom it holds was resolved at its source, and no sooner', () => {
    const alertA = symptom(1000);
    const alertB = symptom(1500, 'HighMemoryUsage');
    const opened = onSymptom(undefined, alertA, settings).incident;
    const both = onSymptom(opened, alertB, settings).incident;
    const first = onSymptomResolved(both, alertA.id, 3000);
    expect(first).toMatchObject({ kind: 'noted', incident: { status: 'open', resolvedSymptomIds: [alertA.id] } });
    if (first.kind !== 'noted') throw new Error('expected noted');
    const second = onSymptomResolved(first.incident, alertB.id, 4000);
    expect(second).toMatchObject({
      kind: 'resolved',
      symptomIds: [alertA.id, alertB.id],
      incident: { status: 'closed', closedAt: 4000, resolvedBeforeRemedy: true },
    });
    if (second.kind !== 'resolved') throw new Error('expected resolved');
    // Closed like an outcome closes it: a later firing opens a new incident, an earlier reading is stale.
    expect(onSymptom(second.incident, symptom(3500), settings).kind).toBe('stale');
    expect(onSymptom(second.incident, symptom(5000), settings).kind).toBe('open');
  });

  it('keeps an incident open while a symptom that cannot be resolved (a threshold crossing) is part of it', () => {
    const alert = symptom(1000);
    const threshold = symptom(1200, 'mapek_agent_heap_used_bytes');
    const incident = onSymptom(onSymptom(undefined, alert, settings).incident, threshold, settings).incident;
    expect(onSymptomResolved(incident, alert.id, 2000).kind).toBe('noted');
  });

  it('leaves alone an incident that does not hold the resolved symptom, or is closed already', () => {
    const opened = onSymptom(undefined, symptom(1000), settings).incident;
    expect(onSymptomResolved(opened, newEventId(1000), 2000)).toEqual({ kind: 'unrelated' });
    expect(onSymptomResolved(undefined, newEventId(1000), 2000)).toEqual({ kind: 'unrelated' });
    const closed = onOutcome(opened, opened.incidentId, 1500);
    expect(onSymptomResolved(closed, opened.symptomIds[0] ?? '', 2000)).toEqual({ kind: 'unrelated' });
  });
});
