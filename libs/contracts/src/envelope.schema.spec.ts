import { describe, expect, it } from '@jest/globals';
import { deriveEventId, eventIdTime, newEventId } from './event-id.js';
import { encodeEnvelope, parseEnvelope, type Envelope } from './envelope.schema.js';
import { eventTypeForSubject } from './event-registry.js';
import { subjects, subjectToken } from './subjects.js';

const symptom: Envelope<'symptom'> = {
  id: newEventId(),
  type: 'symptom',
  version: 1,
  source: 'monitor',
  time: new Date().toISOString(),
  target: 'demo-app',
  data: {
    source: 'threshold',
    rule: 'memory',
    severity: 'critical',
    metric: 'process_resident_memory_bytes',
    value: 5e8,
    threshold: 4e8,
    labels: {},
    description: 'memory above 400 MB',
    observedAt: new Date().toISOString(),
  },
};

describe('envelope parsing', () => {
  it('accepts a valid event and returns it typed', () => {
    const parsed = parseEnvelope(encodeEnvelope(symptom));
    expect(parsed).toEqual({ ok: true, envelope: symptom, sent: symptom });
  });

  it('gives the body as its sender wrote it beside the envelope, keys the contract drops included', () => {
    const sent = { ...symptom, data: { ...symptom.data, extra: 'not in the contract' } };
    const parsed = parseEnvelope(new TextEncoder().encode(JSON.stringify(sent)));
    expect(parsed).toMatchObject({ ok: true, sent });
    expect(parsed.ok && parsed.envelope.data).not.toHaveProperty('extra');
  });

  it('says why it rejects: not JSON, unknown type, unsupported version, invalid data', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    expect(parseEnvelope(new TextEncoder().encode('{'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseEnvelope(bytes({ ...symptom, type: 'nonsense' }))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(parseEnvelope(bytes({ ...symptom, version: 2 }))).toMatchObject({ ok: false, reason: 'unsupported_version' });
    expect(parseEnvelope(bytes({ ...symptom, data: { ...symptom.data, severity: 'bad' } }))).toMatchObject({
      ok: false,
      reason: 'invalid_data',
    });
    expect(parseEnvelope(bytes({ ...symptom, target: 'has space' }))).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('event ids', () => {
  it('are UUIDv7 carrying their creation time', () => {
    const id = newEventId(1_700_000_000_123);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdTime(id)).toBe(1_700_000_000_123);
  });

  it('derive the same id from the same cause and purpose, and different ids otherwise', () => {
    const cause = newEventId();
    expect(deriveEventId(cause, 'plan')).toBe(deriveEventId(cause, 'plan'));
    expect(deriveEventId(cause, 'plan')).not.toBe(deriveEventId(cause, 'execution'));
    expect(eventIdTime(deriveEventId(cause, 'plan'))).toBe(eventIdTime(cause));
  });
});

describe('subjects', () => {
  it('put the kind after the prefix and a safe token last', () => {
    expect(subjects.plansApproved('demo-app')).toBe('mapek.plans.approved.demo-app');
    expect(subjects.symptoms('a.b*c', 'stage')).toBe('stage.symptoms.a_b_c');
    expect(() => subjectToken('')).toThrow();
  });

  it('map a subject back to the one event type it carries', () => {
    expect(eventTypeForSubject('mapek.plans.approved.x', 'mapek')).toBe('plan.approved');
    expect(eventTypeForSubject('mapek.samples.x', 'mapek')).toBe('sample.batch');
    expect(eventTypeForSubject('mapek.nothing.x', 'mapek')).toBeUndefined();
    expect(eventTypeForSubject('other.symptoms.x', 'mapek')).toBeUndefined();
  });
});
