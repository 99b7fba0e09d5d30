import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bars, labelVariable, mapekDashboard, timeSeries } from './panel-kit.js';

const service = 'service=~"$service"';

/**
 * Each service's health: up and restarts, RED figures (the loop services' requests are the events
 * they handle, the gateway's are HTTP requests, the monitor's are scrapes), memory, CPU and
 * event-loop lag.
 */
export function serviceHealthDashboard(): Dashboard {
  return mapekDashboard(
    {
      uid: 'mapek-service-health',
      title: 'mapek / Service health',
      description:
        'Per service: up, restarts, RED metrics (events handled, gateway HTTP, monitor scrapes), memory, CPU and event-loop lag.',
    },
    [labelVariable('service', 'Service', 'mapek_service_up')],
    [
      {
        title: 'Up and restarts',
        panels: [
          {
            w: 8,
            h: 7,
            panel: timeSeries(
              {
                title: 'Scrape targets up',
                description:
                  "Prometheus' own `up` for every mapek scrape job (jobs named mapek-<service>): 0 when the /metrics endpoint cannot be reached.",
              },
              [{ expr: 'up{job=~"mapek-.*"}', legend: '{{job}} {{instance}}' }],
              { min: 0 },
            ),
          },
          {
            w: 8,
            h: 7,
            panel: bars(
              {
                title: 'Restarts over the range',
                description: 'Process starts seen per service over the dashboard range (changes of process_start_time_seconds).',
              },
              { expr: `sum by (service) (changes(process_start_time_seconds{${service}}[$__range]))`, legend: '{{service}}' },
            ),
          },
          {
            w: 8,
            h: 7,
            panel: timeSeries(
              { title: 'Uptime', description: 'Time since the youngest instance of each service started.', unit: 'dtdurations' },
              [{ expr: `time() - max by (service) (process_start_time_seconds{${service}})`, legend: '{{service}}' }],
            ),
          },
        ],
      },
      {
        title: 'RED: events handled',
        panels: [
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              { title: 'Rate', description: 'Events handled per second by each consuming service.', unit: 'ops' },
              [{ expr: `sum by (service) (rate(mapek_events_consumed_total{${service}}[$__rate_interval]))`, legend: '{{service}}' }],
              { min: 0 },
            ),
          },
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              { title: 'Errors', description: 'Share of handled events that failed or were sent back for a retry.', unit: 'percentunit' },
              [
                {
                  expr: `(sum by (service) (rate(mapek_events_consumed_total{${service}, result=~"failed|retry"}[$__rate_interval])) or sum by (service) (rate(mapek_events_consumed_total{${service}}[$__rate_interval])) * 0) / sum by (service) (rate(mapek_events_consumed_total{${service}}[$__rate_interval]))`,
                  legend: '{{service}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              { title: 'Duration p95', description: 'Handler time per event, 95th percentile, by service.', unit: 's' },
              [
                {
                  expr: `histogram_quantile(0.95, sum by (service, le) (rate(mapek_event_handle_duration_seconds_bucket{${service}}[$__rate_interval])))`,
                  legend: '{{service}}',
                },
              ],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'RED: gateway HTTP API and monitor scrapes',
        panels: [
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              {
                title: 'Gateway requests',
                description: 'HTTP requests answered per second by route pattern and status code.',
                unit: 'reqps',
              },
              [
                {
                  expr: 'sum by (route, status_code) (rate(mapek_http_requests_total[$__rate_interval]))',
                  legend: '{{route}} {{status_code}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              {
                title: 'Gateway errors',
                description: 'Share of HTTP answers that were 5xx (server errors), and 4xx (refused or bad requests).',
                unit: 'percentunit',
              },
              [
                {
                  expr: '(sum(rate(mapek_http_requests_total{status_code=~"5.."}[$__rate_interval])) or vector(0)) / sum(rate(mapek_http_requests_total[$__rate_interval]))',
                  legend: '5xx',
                },
                {
                  expr: '(sum(rate(mapek_http_requests_total{status_code=~"4.."}[$__rate_interval])) or vector(0)) / sum(rate(mapek_http_requests_total[$__rate_interval]))',
                  legend: '4xx',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 8,
            h: 8,
            panel: timeSeries(
              {
                title: 'Gateway duration p95',
                description: 'Time to answer, 95th percentile, by route pattern (WebSocket sessions are not timed).',
                unit: 's',
              },
              [
                {
                  expr: 'histogram_quantile(0.95, sum by (route, le) (rate(mapek_http_request_duration_seconds_bucket[$__rate_interval])))',
                  legend: '{{route}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Monitor scrapes', description: 'Scrapes of managed services per second, by target and result.', unit: 'ops' },
              [
                {
                  expr: 'sum by (target, result) (rate(mapek_monitor_scrapes_total[$__rate_interval]))',
                  legend: '{{target}} · {{result}}',
                },
              ],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Monitor scrape duration p95', description: 'Time to scrape one target, 95th percentile.', unit: 's' },
              [
                {
                  expr: 'histogram_quantile(0.95, sum by (target, le) (rate(mapek_monitor_scrape_duration_seconds_bucket[$__rate_interval])))',
                  legend: '{{target}}',
                },
              ],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'Runtime',
        panels: [
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Resident memory', description: 'Resident set size of each instance.', unit: 'bytes' },
              [{ expr: `max by (service, instance) (process_resident_memory_bytes{${service}})`, legend: '{{service}} {{instance}}' }],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'V8 heap used', description: 'JavaScript heap in use, all spaces.', unit: 'bytes' },
              [{ expr: `sum by (service, instance) (nodejs_heap_size_used_bytes{${service}})`, legend: '{{service}} {{instance}}' }],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Event-loop lag p99',
                description:
                  "Node's event-loop delay, 99th percentile of the last sampling interval: a busy or blocked loop delays every message and probe.",
                unit: 's',
              },
              [{ expr: `max by (service, instance) (nodejs_eventloop_lag_p99_seconds{${service}})`, legend: '{{service}} {{instance}}' }],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'CPU', description: 'CPU seconds used per second (1 = one core).', unit: 'short' },
              [
                {
                  expr: `sum by (service, instance) (rate(process_cpu_seconds_total{${service}}[$__rate_interval]))`,
                  legend: '{{service}} {{instance}}',
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
