export * from './corpus.reader.js';
export * from './corpus.scoring.js';
export * from './detection.runner.js';
export * from './nab.errors.js';
export * from './nab.scorer.js';
export * from './scaled-sigmoid.js';
