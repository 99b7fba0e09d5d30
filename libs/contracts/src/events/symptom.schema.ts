import { z } from 'zod';
import { labelsSchema, severitySchema } from './common.schema.js';

export const SymptomSource = { threshold: 'threshold', health: 'health', anomaly: 'anomaly', alert: 'alert' } as const;
export type SymptomSource = (typeof SymptomSource)[keyof typeof SymptomSource];

/** A violation: a reading that broke a rule, a failing probe, an anomaly or an external alert. */
export const symptomV1Schema = z.object({
  source: z.enum([SymptomSource.threshold, SymptomSource.health, SymptomSource.anomaly, SymptomSource.alert]),
  rule: z.string().min(1),
  severity: severitySchema,
  metric: z.string().min(1),
  value: z.number(),
  threshold: z.number(),
  labels: labelsSchema,
  component: z.string().min(1).optional(),
  description: z.string().max(2000),
  observedAt: z.iso.datetime({ offset: true }),
});
export type SymptomV1 = z.infer<typeof symptomV1Schema>;
