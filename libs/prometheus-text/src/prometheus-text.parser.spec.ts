import { describe, expect, it } from '@jest/globals';
import { MetricType } from './metric-family.js';
import { PrometheusTextParseError } from './prometheus-text.errors.js';
import { parsePrometheusText } from './prometheus-text.parser.js';
import { findSample, parsePrometheusSamples } from './sample.helpers.js';

function parseError(text: string): PrometheusTextParseError {
  try {
    parsePrometheusText(text);
  } catch (error) {
    if (error instanceof PrometheusTextParseError) return error;
    throw error;
  }
  throw new Error('expected a PrometheusTextParseError');
}

describe('parsePrometheusText', () => {
  it('reads HELP, TYPE and labelled samples into one family', () => {
    const families = parsePrometheusText(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        '',
      ].join('\n'),
    );
    expect(families).toEqual([
      {
        name: 'http_requests_total',
        type: MetricType.counter,
        help: 'The total number of HTTP requests.',
        samples: [
          { metric: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
          { metric: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
        ],
      },
    ]);
  });

  it('unescapes backslash, quote and newline in label values and backslash and newline in HELP', () => {
    const [family] = parsePrometheusText(
      '# HELP msdos_file_access_time_seconds Path with \\\\ and\\nnewline\nmsdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n',
    );
    expect(family?.help).toBe('Path with \\ and\nnewline');
    expect(family?.samples[0]?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(family?.samples[0]?.value).toBe(1458255915);
  });

  it('reads NaN, +Inf and -Inf values, negative timestamps and untyped metrics without metadata', () => {
    const samples = parsePrometheusSamples('a NaN\nb +Inf\nc -Inf -1\nd{} 2.5e-3\ne Inf\n');
    expect(samples.map((s) => s.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.0025,
      Number.POSITIVE_INFINITY,
    ]);
    expect(samples[2]?.timestampMs).toBe(-1);
    expect(samples.every((s) => s.type === MetricType.untyped)).toBe(true);
  });

  it('groups histogram buckets, sum and count under the histogram family', () => {
    const text = [
      '# HELP http_request_duration_seconds A histogram of the request duration.',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="0.1"} 33444',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
    ].join('\n');
    const families = parsePrometheusText(text);
    expect(families).toHaveLength(1);
    expect(families[0]?.type).toBe(MetricType.histogram);
    expect(families[0]?.samples.map((s) => s.metric)).toEqual([
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_sum',
      'http_request_duration_seconds_count',
    ]);
    expect(findSample(families, 'http_request_duration_seconds_bucket', { le: '+Inf' })?.value).toBe(144320);
  });

  it('groups summary quantiles, sum and count under the summary family', () => {
    const text = [
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.01"} 3102',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
    ].join('\n');
    const [family] = parsePrometheusText(text);
    expect(family?.type).toBe(MetricType.summary);
    expect(family?.samples).toHaveLength(4);
    expect(family?.samples[2]?.value).toBe(17560473);
  });

  it('keeps families declared without samples and ignores plain comments and blank lines', () => {
    const families = parsePrometheusText('# a comment\n\n# HELP empty_total nothing yet\n# TYPE empty_total counter\n\n  \t\nx 1\r\n');
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['empty_total', 'counter', 0],
      ['x', 'untyped', 1],
    ]);
  });

  it('accepts blanks around labels and a trailing comma in the label set', () => {
    const [sample] = parsePrometheusSamples('m { a = "1" , b="2", }  7  \n');
    expect(sample).toMatchObject({ metric: 'm', labels: { a: '1', b: '2' }, value: 7 });
  });

  it('gives labels with reserved-looking names their own keys', () => {
    const [sample] = parsePrometheusSamples('m{__proto__="x",constructor="y"} 1');
    expect(sample?.labels['__proto__']).toBe('x');
    expect(sample?.labels['constructor']).toBe('y');
  });

  it.each([
    ['m{a="1" 2', 1, 'expected "," or "}"'],
    ['m{a="1} 2', 1, 'unterminated label value'],
    ['m{a="\\x"} 2', 1, 'invalid escape sequence'],
    ['m{a="1",a="2"} 3', 1, 'duplicate label a'],
    ['m{1a="1"} 3', 1, 'expected a label name'],
    ['ok 1\nm abc', 2, 'invalid value "abc"'],
    ['m', 1, 'missing value'],
    ['m 1 12.5', 1, 'invalid timestamp'],
    ['m 1 2 3', 1, 'unexpected text after the timestamp'],
    ['9m 1', 1, 'expected a metric name'],
    ['# TYPE m countr', 1, 'unknown metric type "countr"'],
    ['# TYPE m counter\n# TYPE m gauge', 2, 'second TYPE line'],
    ['# HELP m a\n# HELP m b', 2, 'second HELP line'],
    ['m 1\n# TYPE m gauge', 2, 'after its samples'],
    ['# TYPE h histogram\nh_bucket 1', 2, 'needs a "le" label'],
    ['# TYPE h histogram\nh_bucket{le="x"} 1', 2, 'invalid le "x"'],
    ['# TYPE h histogram\nh 1', 2, 'must end in _bucket, _sum or _count'],
    ['# TYPE s summary\ns 1', 2, 'needs a "quantile" label'],
  ])('rejects %j on line %i with a reason', (text, line, reason) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(reason);
    expect(error.code).toBe('PROMETHEUS_TEXT_PARSE');
    expect(error.retryable).toBe(false);
  });

  it('parses a large exposition quickly enough to run on every scrape', () => {
    const lines: string[] = ['# TYPE big_total counter'];
    for (let i = 0; i < 50_000; i += 1) lines.push(`big_total{instance="host-${i}",path="/api/v1/items\\\\${i}"} ${i}.5 1700000000000`);
    const text = lines.join('\n');
    const started = performance.now();
    const [family] = parsePrometheusText(text);
    const elapsedMs = performance.now() - started;
    expect(family?.samples).toHaveLength(50_000);
    expect(family?.samples[49_999]?.labels['path']).toBe('/api/v1/items\\49999');
    // ~4 MB of text; generous bound so a loaded CI machine does not flake.
    expect(elapsedMs).toBeLessThan(2000);
  });
});
