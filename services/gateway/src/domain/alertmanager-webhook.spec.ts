import { describe, expect, it } from '@jest/globals';
import { eventIdTime } from '@mapek/contracts';
import {
  alertSymptomId,
  alertmanagerWebhookSchema,
  alreadyTaken,
  defaultAlertSourceSettings,
  readAlerts,
  type AlertmanagerWebhook,
} from './alertmanager-webhook.js';

const startsAt = '2026-12-04T21:00:00.123456789Z';

function payload(
  overrides: Partial<AlertmanagerWebhook['alerts'][number]> = {},
  status: 'firing' | 'resolved' = 'firing',
): AlertmanagerWebhook {
  return alertmanagerWebhookSchema.parse({
    version: '4',
    groupKey: '{}:{alertname="HighMemoryUsage"}',
    truncatedAlerts: 0,
    status,
    receiver: 'mapek',
    groupLabels: { alertname: 'HighMemoryUsage' },
    commonLabels: { alertname: 'HighMemoryUsage', target: 'demo-app' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'HighMemoryUsage', target: 'demo-app', severity: 'critical', metric: 'process_resident_memory_bytes' },
        annotations: { summary: 'memory above 400 MB', value: '512000000', threshold: '400000000' },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-12-04T21:05:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: 'c0ffee0123456789',
        ...overrides,
      },
    ],
  });
}

describe('the Alertmanager webhook payload', () => {
  it('reads a firing alert as a symptom of its target, with the id derived from fingerprint and start', () => {
    const now = new Date('2026-12-04T21:00:05Z');
    const read = readAlerts(payload(), defaultAlertSourceSettings, now);
    expect(read).toEqual({
      ok: true,
      signals: [
        {
          status: 'firing',
          fingerprint: 'c0ffee0123456789',
          target: 'demo-app',
          symptomId: alertSymptomId('c0ffee0123456789', startsAt),
          symptom: expect.objectContaining({
            source: 'alert',
            rule: 'HighMemoryUsage',
            severity: 'critical',
            metric: 'process_resident_memory_bytes',
            value: 512_000_000,
            threshold: 400_000_000,
            labels: expect.objectContaining({ fingerprint: 'c0ffee0123456789', receiver: 'mapek' }),
            description: 'Alertmanager: memory above 400 MB',
            observedAt: now.toISOString(),
          }),
        },
      ],
    });
    expect(eventIdTime(alertSymptomId('c0ffee0123456789', startsAt))).toBe(Date.parse(startsAt));
  });

  it('gives a re-sent alert the same symptom id and a new firing of the same labels another', () => {
    expect(alertSymptomId('c0ffee0123456789', startsAt)).toBe(alertSymptomId('c0ffee0123456789', startsAt));
    expect(alertSymptomId('c0ffee0123456789', '2026-12-04T22:00:00Z')).not.toBe(alertSymptomId('c0ffee0123456789', startsAt));
  });

  it('reads a resolved alert as the resolution of the symptom its firing became', () => {
    const read = readAlerts(payload({}, 'resolved'), defaultAlertSourceSettings, new Date());
    expect(read.ok && read.signals[0]).toMatchObject({
      status: 'resolved',
      symptomId: alertSymptomId('c0ffee0123456789', startsAt),
      resolution: {
        fingerprint: 'c0ffee0123456789',
        alertname: 'HighMemoryUsage',
        metric: 'process_resident_memory_bytes',
        startsAt,
        endsAt: '2026-12-04T21:05:00Z',
      },
    });
  });

  it('names the metric after the alert when it has no metric label, and takes the target from the configured label', () => {
    const read = readAlerts(
      payload({ labels: { alertname: 'HighMemoryUsage', service: 'billing' } }),
      { enabled: true, targetLabel: 'service', targets: new Set(['billing']) },
      new Date(),
    );
    expect(read.ok && read.signals[0]).toMatchObject({ target: 'billing', symptom: { metric: 'HighMemoryUsage', severity: 'warning' } });
  });

  it('refuses the whole payload when an alert names no target, an invalid one, or one that is not configured', () => {
    expect(readAlerts(payload({ labels: { alertname: 'X' } }), defaultAlertSourceSettings, new Date())).toEqual({
      ok: false,
      reason: 'alerts.0.labels: no target label naming the target (sources.alertmanager.targetLabel)',
    });
    expect(readAlerts(payload({ labels: { alertname: 'X', target: 'a.b' } }), defaultAlertSourceSettings, new Date())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not a target name'),
    });
    expect(readAlerts(payload(), { ...defaultAlertSourceSettings, targets: new Set(['billing']) }, new Date())).toEqual({
      ok: false,
      reason: 'alerts.0.labels.target: demo-app is not a configured target',
    });
  });

  it('refuses another payload version, a missing field and a bad fingerprint', () => {
    const good = payload();
    expect(alertmanagerWebhookSchema.safeParse({ ...good, version: '3' }).success).toBe(false);
    expect(alertmanagerWebhookSchema.safeParse({ ...good, alerts: [] }).success).toBe(false);
    expect(alertmanagerWebhookSchema.safeParse({ ...good, alerts: [{ ...good.alerts[0], startsAt: undefined }] }).success).toBe(false);
    expect(alertmanagerWebhookSchema.safeParse({ ...good, alerts: [{ ...good.alerts[0], fingerprint: 'not hex!' }] }).success).toBe(false);
  });

  it('takes an alert once per firing and state, and never brings a resolved one back', () => {
    const read = readAlerts(payload(), defaultAlertSourceSettings, new Date());
    const firing = read.ok ? read.signals[0] : undefined;
    const resolvedRead = readAlerts(payload({}, 'resolved'), defaultAlertSourceSettings, new Date());
    const resolved = resolvedRead.ok ? resolvedRead.signals[0] : undefined;
    if (!firing || !resolved) throw new Error('unreadable fixture');
    expect(alreadyTaken(firing, undefined)).toBe(false);
    expect(alreadyTaken(firing, { symptomId: firing.symptomId, status: 'firing' })).toBe(true);
    expect(alreadyTaken(resolved, { symptomId: firing.symptomId, status: 'firing' })).toBe(false);
    expect(alreadyTaken(firing, { symptomId: firing.symptomId, status: 'resolved' })).toBe(true);
    expect(alreadyTaken(firing, { symptomId: alertSymptomId('c0ffee0123456789', '2026-12-04T20:00:00Z'), status: 'resolved' })).toBe(false);
  });
});
