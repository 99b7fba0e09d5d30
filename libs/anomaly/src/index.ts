export * from './anomaly.errors.js';
export * from './detector.config.js';
export type { DetectorState } from './detector.state.js';
export * from './streaming.detector.js';
