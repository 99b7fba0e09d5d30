#!/usr/bin/env node
// Samples per second of the streaming detector alone (the analyzer's per-sample cost), one core.
//
//   pnpm build && node benchmarks/detector-throughput.mjs
//
// Streams the generated service-metrics corpus (42 series, 221,432 samples, already in memory)
// through `detectorConfig`, one fresh detector per series as the analyzer keeps one per watched
// series, BENCH_ROUNDS times (default 7), and prints the median and best rate. No I/O, no
// checkpointing in the timed loop. A second figure adds what the analyzer does around each score:
// restore from a JSON checkpoint, score, snapshot and serialise (BENCH_CHECKPOINT_SAMPLES, default
// 20,000 samples), and the size of one checkpoint.
import { StreamingDetector, detectorConfig } from '../libs/anomaly/dist/index.js';
import { generateServiceCorpus, probationaryLength } from '../tools/nab/dist/index.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const checkpointSamples = Number(process.env.BENCH_CHECKPOINT_SAMPLES ?? 20_000);
const files = generateServiceCorpus().files;
const contexts = files.map((file) => {
  let min = Infinity;
  let max = -Infinity;
  for (const value of file.values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max, warmupSamples: probationaryLength(file.values.length) };
});
const samples = files.reduce((sum, file) => sum + file.values.length, 0);

let sink = 0;
const pass = () => {
  const started = process.hrtime.bigint();
  files.forEach((file, f) => {
    const detector = new StreamingDetector(detectorConfig, contexts[f]);
    const { values, epochMs } = file;
    for (let i = 0; i < values.length; i++) sink += detector.score(values[i], epochMs[i]);
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
};

pass(); // warm the JIT
const rates = [];
for (let round = 0; round < rounds; round++) rates.push(samples / pass());
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(
  `detector alone: ${samples} samples x ${rounds} rounds, median ${Math.round(median).toLocaleString('en')} samples/s, best ${Math.round(rates.at(-1)).toLocaleString('en')} samples/s (one core, Node ${process.version})`,
);

// The analyzer's pattern: restore the series' checkpoint, score one sample, snapshot and serialise.
const file = files[0];
let checkpoint = JSON.stringify(new StreamingDetector(detectorConfig, contexts[0]).snapshot());
const started = process.hrtime.bigint();
for (let i = 0; i < checkpointSamples; i++) {
  const detector = StreamingDetector.restore(detectorConfig, JSON.parse(checkpoint));
  sink += detector.score(file.values[i % file.values.length], file.epochMs[i % file.values.length]);
  checkpoint = JSON.stringify(detector.snapshot());
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `with a JSON checkpoint per sample: ${Math.round(checkpointSamples / seconds).toLocaleString('en')} samples/s; one checkpoint is ${checkpoint.length} bytes`,
);
if (Number.isNaN(sink)) console.log('unexpected NaN score');
