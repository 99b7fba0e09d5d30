import { describe, expect, it } from '@jest/globals';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { MetricType } from './metric-family.js';
import { parsePrometheusText } from './prometheus-text.parser.js';
import { findSample, flattenFamilies } from './sample.helpers.js';

async function exposition(): Promise<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = new Counter({
    name: 'app_requests_total',
    help: 'Requests with a \\ backslash\nand a newline in help',
    labelNames: ['route', 'code'],
    registers: [registry],
  });
  counter.inc({ route: '/a"quoted"', code: '200' }, 3);
  counter.inc({ route: 'C:\\path\nnext', code: '500' });
  const gauge = new Gauge({ name: 'app_temperature_celsius', help: 'A gauge', labelNames: ['room'], registers: [registry] });
  gauge.set({ room: 'lab' }, -12.5);
  gauge.set({ room: 'void' }, Number.NaN);
  const histogram = new Histogram({
    name: 'app_latency_seconds',
    help: 'A histogram',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  histogram.observe({ route: '/x' }, 0.3);
  histogram.observe({ route: '/x' }, 2);
  const summary = new Summary({
    name: 'app_payload_bytes',
    help: 'A summary',
    labelNames: ['kind'],
    percentiles: [0.5, 0.9],
    registers: [registry],
  });
  for (const size of [10, 20, 30, 40]) summary.observe({ kind: 'json' }, size);
  return registry.metrics();
}

describe('parsing real prom-client 15 output', () => {
  it('reads every family prom-client exposes, default metrics included', async () => {
    const text = await exposition();
    const families = parsePrometheusText(text);
    const names = families.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_gc_duration_seconds',
        'app_requests_total',
        'app_temperature_celsius',
        'app_latency_seconds',
        'app_payload_bytes',
      ]),
    );
    // Every HELP/TYPE pair in the text is one family.
    expect(families).toHaveLength(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length);
    expect(families.find((f) => f.name === 'nodejs_gc_duration_seconds')?.type).toBe(MetricType.histogram);
    expect(findSample(families, 'process_resident_memory_bytes')?.value).toBeGreaterThan(1_000_000);
  });

  it('round-trips escaped label values and help text', async () => {
    const families = parsePrometheusText(await exposition());
    const counter = families.find((f) => f.name === 'app_requests_total');
    expect(counter?.type).toBe(MetricType.counter);
    expect(counter?.help).toBe('Requests with a \\ backslash\nand a newline in help');
    expect(findSample(families, 'app_requests_total', { route: '/a"quoted"' })?.value).toBe(3);
    expect(findSample(families, 'app_requests_total', { route: 'C:\\path\nnext', code: '500' })?.value).toBe(1);
  });

  it('reads gauges with negative and NaN values', async () => {
    const families = parsePrometheusText(await exposition());
    expect(findSample(families, 'app_temperature_celsius', { room: 'lab' })?.value).toBe(-12.5);
    expect(findSample(families, 'app_temperature_celsius', { room: 'void' })?.value).toBeNaN();
  });

  it('reads histogram buckets up to +Inf with their sum and count', async () => {
    const families = parsePrometheusText(await exposition());
    const histogram = families.find((f) => f.name === 'app_latency_seconds');
    expect(histogram?.type).toBe(MetricType.histogram);
    const buckets = histogram?.samples.filter((s) => s.metric === 'app_latency_seconds_bucket').map((s) => [s.labels['le'], s.value]);
    expect(buckets).toEqual([
      ['0.1', 0],
      ['0.5', 1],
      ['1', 1],
      ['+Inf', 2],
    ]);
    expect(findSample(families, 'app_latency_seconds_sum', { route: '/x' })?.value).toBeCloseTo(2.3);
    expect(findSample(families, 'app_latency_seconds_count', { route: '/x' })?.value).toBe(2);
  });

  it('reads summary quantiles with their sum and count', async () => {
    const families = parsePrometheusText(await exposition());
    const summary = families.find((f) => f.name === 'app_payload_bytes');
    expect(summary?.type).toBe(MetricType.summary);
    expect(findSample(families, 'app_payload_bytes', { quantile: '0.5', kind: 'json' })?.value).toBe(25);
    expect(findSample(families, 'app_payload_bytes_sum')?.value).toBe(100);
    expect(findSample(families, 'app_payload_bytes_count')?.value).toBe(4);
  });

  it('flattens to one entry per sample line', async () => {
    const text = await exposition();
    const flat = flattenFamilies(parsePrometheusText(text));
    const sampleLines = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
    expect(flat).toHaveLength(sampleLines.length);
    expect(flat.find((s) => s.metric === 'app_latency_seconds_sum')).toMatchObject({
      family: 'app_latency_seconds',
      type: MetricType.histogram,
    });
  });
});
