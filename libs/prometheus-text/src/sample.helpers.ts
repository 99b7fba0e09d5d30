import type { FlatSample, Labels, MetricFamily, Sample } from './metric-family.js';
import { parsePrometheusText } from './prometheus-text.parser.js';

/** Every sample of every family, in exposition order, each tagged with its family and type. */
export function flattenFamilies(families: readonly MetricFamily[]): FlatSample[] {
  const flat: FlatSample[] = [];
  for (const family of families) {
    for (const sample of family.samples) flat.push({ ...sample, family: family.name, type: family.type });
  }
  return flat;
}

/** `flattenFamilies(parsePrometheusText(text))`. */
export function parsePrometheusSamples(text: string): FlatSample[] {
  return flattenFamilies(parsePrometheusText(text));
}

/** The first sample named `metric` whose labels include every given label (extra labels are fine). */
export function findSample(families: readonly MetricFamily[], metric: string, labels: Labels = {}): Sample | undefined {
  const wanted = Object.entries(labels);
  for (const family of families) {
    if (family.name !== metric && !metric.startsWith(family.name)) continue;
    for (const sample of family.samples) {
      if (sample.metric === metric && wanted.every(([name, value]) => sample.labels[name] === value)) return sample;
    }
  }
  return undefined;
}
