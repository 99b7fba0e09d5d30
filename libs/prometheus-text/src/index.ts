export * from './metric-family.js';
export * from './prometheus-text.errors.js';
export { parsePrometheusText, parseSampleValue } from './prometheus-text.parser.js';
export * from './sample.helpers.js';
