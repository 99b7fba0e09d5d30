import { z } from 'zod';
import { Severity, SymptomSource, deriveEventIdAt, targetSchema, type AlertResolvedV1, type SymptomV1 } from '@mapek/contracts';

/**
 * Alertmanager's webhook payload, version 4 (prometheus/alertmanager notify/webhook). Fields mapek
 * does not read are accepted and dropped (`z.object`, not strict): Alertmanager adds fields
 * (`truncatedAlerts` came in 0.23) and a newer one must not be refused for that.
 */
const labelsSchema = z.record(z.string(), z.string());
const timeSchema = z.iso.datetime({ offset: true });
export const AlertStatus = { firing: 'firing', resolved: 'resolved' } as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];
const statusSchema = z.enum([AlertStatus.firing, AlertStatus.resolved]);

export const alertmanagerAlertSchema = z.object({
  status: statusSchema,
  labels: labelsSchema,
  annotations: labelsSchema.default({}),
  startsAt: timeSchema,
  /** `0001-01-01T00:00:00Z` while an alert fires without an end Alertmanager knows of. */
  endsAt: timeSchema,
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, 'a hex fingerprint'),
});
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;

export const alertmanagerWebhookSchema = z.object({
  version: z.literal('4', { error: 'only version 4 of the webhook payload is understood' }),
  groupKey: z.string().max(4096).optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: statusSchema,
  receiver: z.string().min(1).max(200),
  groupLabels: labelsSchema,
  commonLabels: labelsSchema,
  commonAnnotations: labelsSchema.default({}),
  externalURL: z.string().max(4096).optional(),
  alerts: z.array(alertmanagerAlertSchema).min(1).max(1000),
});
export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;

/** How the gateway reads alerts: from the configuration file's `sources.alertmanager`, or these defaults without one. */
export interface AlertSourceSettings {
  readonly enabled: boolean;
  /** The label naming the alert's target. */
  readonly targetLabel: string;
  /** The configured targets an alert may name; undefined without a configuration file (any valid target name). */
  readonly targets: ReadonlySet<string> | undefined;
}

export const defaultAlertSourceSettings: AlertSourceSettings = { enabled: true, targetLabel: 'target', targets: undefined };

/** One alert, read: the symptom it becomes while firing, or the resolution of that symptom. */
export type AlertSignal =
  | {
      readonly status: typeof AlertStatus.firing;
      readonly fingerprint: string;
      readonly target: string;
      readonly symptomId: string;
      readonly symptom: SymptomV1;
    }
  | {
      readonly status: typeof AlertStatus.resolved;
      readonly fingerprint: string;
      readonly target: string;
      readonly symptomId: string;
      readonly eventId: string;
      readonly resolution: AlertResolvedV1;
    };

export type ReadAlerts = { readonly ok: true; readonly signals: readonly AlertSignal[] } | { readonly ok: false; readonly reason: string };

/**
 * The id of the symptom a firing alert becomes: derived from the fingerprint and the start, so an
 * alert Alertmanager sends again (every `repeat_interval`, or a retry) is the same symptom, and a
 * new firing of the same label set after a resolution is another one.
 */
export function alertSymptomId(fingerprint: string, startsAt: string): string {
  return deriveEventIdAt(`alertmanager:${fingerprint}:${startsAt}`, 'symptom', Date.parse(startsAt));
}

/** The id of the resolution of the symptom `symptomId`: one per firing. */
export function alertResolutionId(fingerprint: string, startsAt: string): string {
  return deriveEventIdAt(`alertmanager:${fingerprint}:${startsAt}`, 'resolved', Date.parse(startsAt));
}

const severities: Readonly<Record<string, Severity>> = {
  critical: Severity.critical,
  page: Severity.critical,
  error: Severity.critical,
  warning: Severity.warning,
  warn: Severity.warning,
  info: Severity.info,
  none: Severity.info,
};

function numberOr(text: string | undefined, fallback: number): number {
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : fallback;
}

/**
 * The symptom's metric, from which the analyzer reads the cause kind: the alert's `metric` label
 * when it has one (`process_resident_memory_bytes`), else its name (`HighMemoryUsage`).
 */
function metricOf(alert: AlertmanagerAlert, alertname: string): string {
  return alert.labels['metric'] ?? alertname;
}

function targetOf(
  alert: AlertmanagerAlert,
  index: number,
  settings: AlertSourceSettings,
): { ok: true; target: string } | { ok: false; reason: string } {
  const value = alert.labels[settings.targetLabel];
  if (value === undefined)
    return {
      ok: false,
      reason: `alerts.${index}.labels: no ${settings.targetLabel} label naming the target (sources.alertmanager.targetLabel)`,
    };
  if (!targetSchema.safeParse(value).success)
    return {
      ok: false,
      reason: `alerts.${index}.labels.${settings.targetLabel}: ${JSON.stringify(value)} is not a target name ([A-Za-z0-9_-]+)`,
    };
  if (settings.targets !== undefined && !settings.targets.has(value))
    return { ok: false, reason: `alerts.${index}.labels.${settings.targetLabel}: ${value} is not a configured target` };
  return { ok: true, target: value };
}

/**
 * Reads a webhook payload into one signal per alert, or the first reason it cannot be taken. It is
 * all or nothing: an alert mapek cannot place (no target, or one it does not manage) refuses the
 * whole payload, so that a misrouted alert shows as an error in Alertmanager, not as a silent drop.
 */
export function readAlerts(payload: AlertmanagerWebhook, settings: AlertSourceSettings, now: Date): ReadAlerts {
  const signals: AlertSignal[] = [];
  for (const [index, alert] of payload.alerts.entries()) {
    const placed = targetOf(alert, index, settings);
    if (!placed.ok) return placed;
    const alertname = alert.labels['alertname'] ?? 'alert';
    const metric = metricOf(alert, alertname);
    const symptomId = alertSymptomId(alert.fingerprint, alert.startsAt);
    const labels = { ...alert.labels, fingerprint: alert.fingerprint, receiver: payload.receiver };
    if (alert.status === AlertStatus.firing) {
      const summary = alert.annotations['summary'] ?? alert.annotations['description'] ?? alertname;
      signals.push({
        status: AlertStatus.firing,
        fingerprint: alert.fingerprint,
        target: placed.target,
        symptomId,
        symptom: {
          source: SymptomSource.alert,
          rule: alertname,
          severity: severities[alert.labels['severity']?.toLowerCase() ?? ''] ?? Severity.warning,
          metric,
          // Alertmanager carries no reading; a rule may put one in the `value` and `threshold` annotations.
          value: numberOr(alert.annotations['value'], 1),
          threshold: numberOr(alert.annotations['threshold'], 0),
          labels,
          ...(alert.labels['component'] ? { component: alert.labels['component'] } : {}),
          description: `Alertmanager: ${summary}`.slice(0, 2000),
          observedAt: now.toISOString(),
        },
      });
    } else {
      // A resolved alert's endsAt is when it stopped; a zero time would mean Alertmanager did not say.
      const endsAt = Date.parse(alert.endsAt) > Date.parse(alert.startsAt) ? alert.endsAt : now.toISOString();
      signals.push({
        status: AlertStatus.resolved,
        fingerprint: alert.fingerprint,
        target: placed.target,
        symptomId,
        eventId: alertResolutionId(alert.fingerprint, alert.startsAt),
        resolution: { fingerprint: alert.fingerprint, alertname, symptomId, metric, labels, startsAt: alert.startsAt, endsAt },
      });
    }
  }
  return { ok: true, signals };
}

/** What the gateway remembers of an alert (KV `alert.<fingerprint>`), so a re-sent one is taken once. */
export interface AlertMemory {
  readonly symptomId: string;
  readonly status: AlertStatus;
}

/**
 * Whether a signal was already taken: the same firing (same symptom) in the same state, or any
 * state once it was resolved (a late copy of the firing must not bring a resolved signal back).
 */
export function alreadyTaken(signal: AlertSignal, memory: AlertMemory | undefined): boolean {
  if (memory === undefined || memory.symptomId !== signal.symptomId) return false;
  return memory.status === signal.status || memory.status === AlertStatus.resolved;
}
