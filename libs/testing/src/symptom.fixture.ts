import { newEventId, type Envelope, type SymptomV1 } from '@mapek/contracts';

/**
 * A memory symptom as the monitor publishes one on every scrape while the memory rule is broken
 * (500 MB against 400 MB), observed now; `overrides` changes what a test needs.
 */
export function memorySymptomData(overrides: Partial<SymptomV1> = {}): SymptomV1 {
  return {
    source: 'threshold',
    rule: 'memory',
    severity: 'critical',
    metric: 'process_resident_memory_bytes',
    value: 5e8,
    threshold: 4e8,
    labels: {},
    description: 'memory above 400 MB',
    observedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A symptom event of `target` as the monitor publishes one, unsigned, carrying `data`. */
export function symptomEnvelope(target: string, data: SymptomV1 = memorySymptomData()): Envelope<'symptom'> {
  return { id: newEventId(), type: 'symptom', version: 1, source: 'monitor', time: new Date().toISOString(), target, data };
}
