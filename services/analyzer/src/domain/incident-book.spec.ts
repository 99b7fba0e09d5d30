import { describe, expect, it } from '@jest/globals';
import { newEventId } from '@mapek/contracts';
import { onOutcome, onSymptom } from './incident-book.js';

describe('incident book', () => {
  const quiet = 60_000;

  it('opens one incident on the first symptom and attaches the next ones', () => {
    const first = onSymptom(undefined, { id: newEventId(1000), target: 'a', observedAt: 1000 }, quiet);
    expect(first.kind).toBe('open');
    const second = onSymptom(first.incident, { id: newEventId(2000), target: 'a', observedAt: 2000 }, quiet);
    expect(second.kind).toBe('attach');
    expect(second.incident.incidentId).toBe(first.incident.incidentId);
    expect(second.incident.symptomIds).toHaveLength(2);
  });

  it('derives the same incident id when the same symptom is redelivered', () => {
    const id = newEventId(1000);
    expect(onSymptom(undefined, { id, target: 'a', observedAt: 1000 }, quiet).incident.incidentId).toBe(
      onSymptom(undefined, { id, target: 'a', observedAt: 1000 }, quiet).incident.incidentId,
    );
  });

  it('opens a new incident after the quiet period', () => {
    const first = onSymptom(undefined, { id: newEventId(1000), target: 'a', observedAt: 1000 }, quiet);
    const later = onSymptom(first.incident, { id: newEventId(1000 + quiet + 1), target: 'a', observedAt: 1000 + quiet + 1 }, quiet);
    expect(later.kind).toBe('open');
  });

  it('treats symptoms observed before the outcome closed the incident as stale, and opens afresh after', () => {
    const first = onSymptom(undefined, { id: newEventId(1000), target: 'a', observedAt: 1000 }, quiet);
    const closed = onOutcome(first.incident, first.incident.incidentId, 5000);
    expect(closed?.status).toBe('closed');
    expect(onSymptom(closed, { id: newEventId(4000), target: 'a', observedAt: 4000 }, quiet).kind).toBe('stale');
    expect(onSymptom(closed, { id: newEventId(6000), target: 'a', observedAt: 6000 }, quiet).kind).toBe('open');
  });

  it('ignores an outcome of another incident', () => {
    const first = onSymptom(undefined, { id: newEventId(1000), target: 'a', observedAt: 1000 }, quiet);
    expect(onOutcome(first.incident, newEventId(), 5000)).toBeUndefined();
  });
});
