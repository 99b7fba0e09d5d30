import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bars, bucketHeatmap, mapekDashboard, singleStat, timeSeries } from './panel-kit.js';

const outcomes = 'mapek_executor_outcomes_total';
const remedyLatency = 'mapek_executor_incident_to_remedy_seconds';

/**
 * The loop at a glance: what is open or waiting for a person now, how long faults take to be
 * remedied, and which remedies work against which causes.
 */
export function loopOverviewDashboard(): Dashboard {
  return mapekDashboard(
    {
      uid: 'mapek-loop-overview',
      title: 'mapek / Loop overview',
      description: 'Open incidents, approvals waiting, fault → remedy latency and remedy outcomes by cause and action.',
    },
    [],
    [
      {
        title: 'Now',
        panels: [
          {
            w: 6,
            h: 5,
            panel: singleStat(
              {
                title: 'Open incidents',
                description:
                  'Incidents knowledge holds as open: no outcome and no rejected plan yet (reported by the gateway, counted up to 500).',
              },
              { expr: 'max(mapek_incidents_open)', legend: 'open' },
              [
                [1, 'orange'],
                [5, 'red'],
              ],
            ),
          },
          {
            w: 6,
            h: 5,
            panel: singleStat(
              {
                title: 'Approvals waiting',
                description:
                  'Plans pending an operator decision (GET /api/v1/plans?status=pending). They expire after MAPEK_PLANNER_PLAN_TTL_MS.',
              },
              { expr: 'max(mapek_plans_pending_approval)', legend: 'pending' },
              [[1, 'orange']],
            ),
          },
          {
            w: 6,
            h: 5,
            panel: singleStat(
              {
                title: 'Remedy success rate',
                description: 'Share of verified outcomes that were `success` over the dashboard range.',
                unit: 'percentunit',
              },
              {
                expr: `sum(increase(${outcomes}{outcome="success"}[$__range])) / sum(increase(${outcomes}[$__range]))`,
                legend: 'success rate',
                instant: true,
              },
            ),
          },
          {
            w: 6,
            h: 5,
            panel: singleStat(
              {
                title: 'Fault → remedy p95',
                description:
                  '95th percentile over the range of the time from the first violating symptom (the incident id) to the first remedy step.',
                unit: 's',
              },
              { expr: `histogram_quantile(0.95, sum by (le) (increase(${remedyLatency}_bucket[$__range])))`, legend: 'p95', instant: true },
              [
                [10, 'orange'],
                [30, 'red'],
              ],
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              { title: 'Open incidents and approvals waiting', description: 'The two gauges above over time.' },
              [
                { expr: 'max(mapek_incidents_open)', legend: 'open incidents' },
                { expr: 'max(mapek_plans_pending_approval)', legend: 'approvals waiting' },
              ],
              { min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Plans by first status',
                description:
                  'Plans made per second, by the status they started in (approved automatically, pending an operator, rejected) and cause.',
                unit: 'ops',
              },
              [{ expr: 'sum by (status, cause) (rate(mapek_planner_plans_total[$__rate_interval]))', legend: '{{status}} · {{cause}}' }],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'Fault → remedy latency',
        panels: [
          {
            w: 12,
            h: 9,
            panel: bucketHeatmap(
              {
                title: 'Fault → remedy latency',
                description:
                  'Executor histogram mapek_executor_incident_to_remedy_seconds: first violating symptom to first remedy step, remedies started per bucket.',
              },
              { expr: `sum by (le) (increase(${remedyLatency}_bucket[$__rate_interval]))`, legend: '{{le}}' },
            ),
          },
          {
            w: 12,
            h: 9,
            panel: timeSeries(
              {
                title: 'Fault → remedy latency quantiles',
                description: 'p50 and p95 of the time from the first violating symptom to the first remedy step.',
                unit: 's',
              },
              [
                { expr: `histogram_quantile(0.5, sum by (le) (rate(${remedyLatency}_bucket[$__rate_interval])))`, legend: 'p50' },
                { expr: `histogram_quantile(0.95, sum by (le) (rate(${remedyLatency}_bucket[$__rate_interval])))`, legend: 'p95' },
              ],
              { min: 0 },
            ),
          },
        ],
      },
      {
        title: 'Outcomes',
        panels: [
          {
            w: 12,
            h: 9,
            panel: bars(
              {
                title: 'Outcomes by cause and action',
                description: "Verified outcomes over the range, by root cause, remedy (the plan's action sequence) and outcome.",
              },
              { expr: `sum by (cause, remedy, outcome) (increase(${outcomes}[$__range]))`, legend: '{{cause}} · {{remedy}} · {{outcome}}' },
            ),
          },
          {
            w: 12,
            h: 9,
            panel: timeSeries(
              {
                title: 'Success rate by cause',
                description: 'Share of outcomes that were `success`, per root cause, over a sliding hour.',
                unit: 'percentunit',
              },
              [
                {
                  expr: `sum by (cause) (increase(${outcomes}{outcome="success"}[1h])) / sum by (cause) (increase(${outcomes}[1h]))`,
                  legend: '{{cause}}',
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
                title: 'Outcomes',
                description: 'Verified outcomes per second by kind: success, partial, ineffective, degradation, unknown.',
                unit: 'ops',
              },
              [{ expr: `sum by (outcome) (rate(${outcomes}[$__rate_interval]))`, legend: '{{outcome}}' }],
              { stack: true, min: 0 },
            ),
          },
          {
            w: 12,
            h: 8,
            panel: timeSeries(
              {
                title: 'Remedy steps by action and result',
                description: 'Plan steps run per second: ok, failed, unavailable (effector unreachable), breaker_open.',
                unit: 'ops',
              },
              [{ expr: 'sum by (action, result) (rate(mapek_executor_steps_total[$__rate_interval]))', legend: '{{action}} · {{result}}' }],
              { min: 0 },
            ),
          },
        ],
      },
    ],
  );
}
