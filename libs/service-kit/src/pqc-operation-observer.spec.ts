import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ServiceMetrics, SpanKind, inSpan, recordSpansInSuite } from '@mapek/observability';
import { createNodeCryptoBackend, instrumentBackend } from '@mapek/pqc';
import { pqcOperationObserver } from './service-security.js';

describe('PQC operations on the trace', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });
  const metrics = new ServiceMetrics('pqc-observer-test');
  const backend = instrumentBackend(createNodeCryptoBackend(), pqcOperationObserver(metrics));
  const keys = backend.mlDsa65.generateKeyPair();
  const message = new TextEncoder().encode('an envelope');

  it('adds each ML-DSA-65 signature and check to the recorded span it ran in, as a pqc.<op> event with algorithm, backend and duration', async () => {
    await inSpan('send symptom', { kind: SpanKind.PRODUCER }, () => {
      const signature = backend.mlDsa65.sign(message, keys.secretKey);
      expect(backend.mlDsa65.verify(message, signature, keys.publicKey)).toBe(true);
      return Promise.resolve();
    });
    const [span] = spans.finished();
    expect(span?.events.map((event) => event.name)).toEqual(['pqc.sign', 'pqc.verify']);
    expect(span?.events[0]?.attributes).toEqual({
      'pqc.operation': 'sign',
      'pqc.algorithm': 'ML-DSA-65',
      'pqc.backend': backend.name,
      'pqc.duration_ms': expect.any(Number),
    });
  });

  it('still feeds the duration histogram, and makes no span of its own, outside any recorded span', async () => {
    const before = (await metrics.pqcOperationDuration.get()).values.find(
      (value) => value.metricName === 'mapek_pqc_operation_duration_seconds_count' && value.labels['op'] === 'sign',
    )?.value;
    backend.mlDsa65.sign(message, keys.secretKey);
    const after = (await metrics.pqcOperationDuration.get()).values.find(
      (value) => value.metricName === 'mapek_pqc_operation_duration_seconds_count' && value.labels['op'] === 'sign',
    )?.value;
    expect((after ?? 0) - (before ?? 0)).toBe(1);
    expect(spans.finished()).toEqual([]);
  });
});
