#!/usr/bin/env node
// What one incident's analysis costs the analyzer when many targets are in trouble at once
// (ADR 0018): the dependency graph read back from its JSON, then `analyzeIncident` over the
// correlation window, as the analyzer does for each incident, on one core.
//
//   pnpm build && node benchmarks/root-cause-ranking.mjs
//
// For each outage size in BENCH_TARGETS (default 20,50,80,200), every target's first symptom
// comes one millisecond after the previous one's, and the graph has learned from BENCH_OUTAGES
// (default 1) such outages, one incident per target:
//   - "own edges": each incident learns its own target's edges (`observe(own, around)`, as the
//     analyzer does since ADR 0018);
//   - "every pair": each incident counted every pair of targets in the window (`observe(all)`,
//     as the analyzer did before), for comparison.
// Prints the graph's edges and JSON size, and the median of BENCH_ROUNDS (default 9) analyses of
// the last target's incident.
import { DependencyGraph, analyzeIncident } from '../libs/anomaly/dist/index.js';
import { quantile } from './stats.mjs';

const sizes = (process.env.BENCH_TARGETS ?? '20,50,80,200').split(',').map(Number);
const outages = Number(process.env.BENCH_OUTAGES ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const t0 = Date.UTC(2026, 11, 5, 12);

function outage(size, at) {
  return Array.from({ length: size }, (_, index) => ({
    id: `s-${at}-${index}`,
    target: `svc-${index}`,
    metric: 'process_resident_memory_bytes',
    severity: 'critical',
    value: 1,
    threshold: 0,
    time: at + index,
  }));
}

function learn(size, mode) {
  const graph = new DependencyGraph();
  for (let round = 0; round < outages; round++) {
    const symptoms = outage(size, t0 + round * 3_600_000);
    for (const own of symptoms) {
      if (mode === 'own edges')
        graph.observe(
          [own],
          symptoms.filter((other) => other !== own),
        );
      else graph.observe(symptoms);
    }
  }
  return graph;
}

console.log(`one incident's analysis with N targets in trouble (graph learned from ${outages} outage(s) of N, ${rounds} rounds, median)`);
console.log('targets  learning      edges  graph JSON  restore + analyze');
for (const size of sizes) {
  for (const mode of ['own edges', 'every pair']) {
    const state = learn(size, mode).snapshot();
    const json = JSON.stringify(state);
    const window = outage(size, t0 + outages * 3_600_000);
    const own = window.at(-1);
    const others = window.slice(0, -1);
    const times = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      analyzeIncident([own], others, DependencyGraph.restore(JSON.parse(json)));
      times.push(performance.now() - started);
    }
    console.log(
      `${String(size).padStart(7)}  ${mode.padEnd(12)}  ${String(Object.keys(state.coOccurrences).length).padStart(5)}  ` +
        `${(json.length / 1024).toFixed(0).padStart(7)} KB  ${quantile(times, 0.5).toFixed(1).padStart(10)} ms`,
    );
  }
}
