import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { labelVariable, mapekDashboard, singleStat, timeSeries } from './panel-kit.js';

const type = 'type=~"$type"';
const consumer = 'consumer=~"$consumer"';

/**
 * Events through JetStream: what each service publishes and consumes per type, what is refused or
 * dead-lettered, how far each durable consumer is behind, and how long publishing takes.
 */
export function eventFlowDashboard(): Dashboard {
  return mapekDashboard(
    {
      uid: 'mapek-event-flow',
      title: 'mapek / Event flow',
      description: 'Events published, consumed, rejected and dead-lettered per type; consumer lag; publish and handle latency.',
    },
    [
      labelVariable('type', 'Event type', 'mapek_events_published_total'),
      labelVariable('consumer', 'Consumer', 'mapek_events_consumed_total'),
    ],
    [
      {
        title: 'Throughput',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Published per type',
                description: 'Events published and acknowledged by JetStream per second, by event type.',
                unit: 'ops',
              },
              [{ expr: `sum by (type) (rate(mapek_events_published_total{${type}}[$__rate_interval]))`, legend: '{{type}}' }],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Consumed per type and result',
                description: 'Events handled per second by type and result: ok, duplicate, ignored, retry, failed.',
                unit: 'ops',
              },
              [
                {
                  expr: `sum by (type, result) (rate(mapek_events_consumed_total{${type}, ${consumer}}[$__rate_interval]))`,
                  legend: '{{type}} · {{result}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 9,
            h: 8,
            panel: timeSeries(
              {
                title: 'Rejected before a handler ran',
                description:
                  'Messages refused per second by consumer and reason (malformed, invalid_data, bad_signature, stale, replay, …). The type of a refused message is not trusted, so it is not a label.',
                unit: 'ops',
              },
              [
                {
                  expr: `sum by (consumer, reason) (rate(mapek_events_rejected_total{${consumer}}[$__rate_interval]))`,
                  legend: '{{consumer}} · {{reason}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 9,
            h: 8,
            panel: timeSeries(
              {
                title: 'Dead-lettered',
                description:
                  'Messages moved to MAPEK_DLQ per second, by consumer and reason (rejections, permanent handler errors, deliveries exhausted).',
                unit: 'ops',
              },
              [
                {
                  expr: `sum by (consumer, reason) (rate(mapek_events_dead_lettered_total{${consumer}}[$__rate_interval]))`,
                  legend: '{{consumer}} · {{reason}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 6,
            h: 8,
            panel: singleStat(
              { title: 'Dead letters held', description: 'Messages in the dead-letter stream MAPEK_DLQ (kept 14 days).' },
              { expr: 'max(mapek_jetstream_stream_messages{stream="MAPEK_DLQ"})', legend: 'MAPEK_DLQ' },
              [
                [1, 'orange'],
                [100, 'red'],
              ],
            ),
          },
        ],
      },
      {
        title: 'Backlog',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Consumer lag', description: 'Messages of its stream each durable consumer has not been delivered yet.' },
              [{ expr: `max by (consumer) (mapek_jetstream_consumer_pending_messages{${consumer}})`, legend: '{{consumer}}' }],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Delivered, not yet acknowledged',
                description: 'Per durable consumer: messages in flight (ack pending) and those redelivered at least once.',
              },
              [
                {
                  expr: `max by (consumer) (mapek_jetstream_consumer_ack_pending_messages{${consumer}})`,
                  legend: '{{consumer}} ack pending',
                },
                {
                  expr: `max by (consumer) (mapek_jetstream_consumer_redelivered_messages{${consumer}})`,
                  legend: '{{consumer}} redelivered',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 24,
            h: 7,
            panel: timeSeries(
              { title: 'Stream depth', description: 'Messages held by each stream: MAPEK_TELEMETRY (samples), MAPEK_EVENTS, MAPEK_DLQ.' },
              [{ expr: 'max by (stream) (mapek_jetstream_stream_messages)', legend: '{{stream}}' }],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Publish latency p95 per type', description: 'Publish to JetStream acknowledgement, 95th percentile.', unit: 's' },
              [
                {
                  expr: `histogram_quantile(0.95, sum by (type, le) (rate(mapek_event_publish_duration_seconds_bucket{${type}}[$__rate_interval])))`,
                  legend: '{{type}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Handle time p95 per consumer', description: 'Time a handler took for one event, 95th percentile.', unit: 's' },
              [
                {
                  expr: `histogram_quantile(0.95, sum by (consumer, le) (rate(mapek_event_handle_duration_seconds_bucket{${type}, ${consumer}}[$__rate_interval])))`,
                  legend: '{{consumer}}',
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
