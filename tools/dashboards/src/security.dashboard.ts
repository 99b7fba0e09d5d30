import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bars, labelVariable, mapekDashboard, singleStat, timeSeries } from './panel-kit.js';

const service = 'service=~"$service"';
const pqc = 'mapek_pqc_operation_duration_seconds';

/**
 * What the security layer refuses and what it costs: events rejected by reason (forged, stale,
 * replayed, malformed), their audit, API requests denied, the trust bundle's validity and the
 * post-quantum operations' latency per algorithm and backend.
 */
export function securityDashboard(): Dashboard {
  return mapekDashboard(
    {
      uid: 'mapek-security',
      title: 'mapek / Security',
      description: 'Rejected events by reason, API denials, trust bundle validity and post-quantum operation latency.',
    },
    [labelVariable('service', 'Service', 'mapek_service_up')],
    [
      {
        title: 'Refused events',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Rejections by reason',
                description:
                  'Messages a consumer refused before any handler ran, per second: bad_signature, unknown_key, not_authorized, stale, replay, malformed, invalid_data, …',
                unit: 'ops',
              },
              [{ expr: `sum by (reason) (rate(mapek_events_rejected_total{${service}}[$__rate_interval]))`, legend: '{{reason}}' }],
              { min: 0 },
            ),
          },
          {
            w: 6,
            h: 8,
            panel: bars(
              { title: 'Rejections over the range', description: 'Refused messages over the dashboard range, by reason and consumer.' },
              {
                expr: `sum by (reason, consumer) (increase(mapek_events_rejected_total{${service}}[$__range]))`,
                legend: '{{reason}} · {{consumer}}',
              },
            ),
          },
          {
            w: 6,
            h: 8,
            panel: timeSeries(
              {
                title: 'Rejections audited',
                description: 'Dead letters knowledge appended to the hash-chained audit log, per second, by reject reason.',
                unit: 'ops',
              },
              [{ expr: 'sum by (reason) (rate(mapek_knowledge_rejections_audited_total[$__rate_interval]))', legend: '{{reason}}' }],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'API and credentials',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'API denials by reason',
                description:
                  'Gateway requests refused before a handler per second: missing, unknown, wrong, expired or revoked key (401), forbidden (403), rate_limited (429).',
                unit: 'reqps',
              },
              [{ expr: 'sum by (reason) (rate(mapek_gateway_requests_denied_total[$__rate_interval]))', legend: '{{reason}}' }],
              { min: 0 },
            ),
          },
          {
            w: 6,
            h: 8,
            panel: bars(
              { title: 'API denials over the range', description: 'Refused gateway requests over the dashboard range, by reason.' },
              { expr: 'sum by (reason) (increase(mapek_gateway_requests_denied_total[$__range]))', legend: '{{reason}}' },
            ),
          },
          {
            w: 6,
            h: 8,
            panel: singleStat(
              {
                title: 'Trust bundle valid for',
                description:
                  'Time until the trust bundle in force (the CA-signed list of identities) expires, for the service that holds the oldest one.',
                unit: 'dtdurations',
              },
              { expr: `min(mapek_trust_bundle_not_after_seconds{${service}} > 0) - time()`, legend: 'valid for' },
            ),
          },
        ],
      },
      {
        title: 'Post-quantum operations',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'PQC operation latency p95',
                description: 'Per operation (sign, verify, encapsulate, decapsulate, seal, open) and algorithm, 95th percentile.',
                unit: 's',
              },
              [
                {
                  expr: `histogram_quantile(0.95, sum by (op, alg, le) (rate(${pqc}_bucket{${service}}[$__rate_interval])))`,
                  legend: '{{op}} {{alg}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'PQC operation mean time per service',
                description: 'Mean time of one operation per service, backend and operation.',
                unit: 's',
              },
              [
                {
                  expr: `sum by (service, backend, op) (rate(${pqc}_sum{${service}}[$__rate_interval])) / sum by (service, backend, op) (rate(${pqc}_count{${service}}[$__rate_interval]))`,
                  legend: '{{service}} {{backend}} {{op}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 24,
            h: 7,
            panel: timeSeries(
              {
                title: 'PQC operations',
                description: 'Operations per second by operation, algorithm and backend (node: OpenSSL 3.5, liboqs).',
                unit: 'ops',
              },
              [
                {
                  expr: `sum by (op, alg, backend) (rate(${pqc}_count{${service}}[$__rate_interval]))`,
                  legend: '{{op}} {{alg}} {{backend}}',
                },
              ],
              { min: 0 },
            ),
          },
        ],
      },
    ],
  );
}
