import type { SymptomV1 } from '@mapek/contracts';

/** A memory symptom as the monitor publishes it while the memory rule is broken (500 MB against 400 MB). */
export function memorySymptomData(): SymptomV1 {
  return {
    source: 'threshold',
    rule: 'memory',
    severity: 'critical',
    metric: 'process_resident_memory_bytes',
    value: 5e8,
    threshold: 4e8,
    labels: {},
    description: 'memory above threshold',
    observedAt: new Date().toISOString(),
  };
}
