#!/usr/bin/env node
// What checking an event against its contract costs when the code runs cold, as on the idle loop's
// path (one incident every few seconds), against the same code in a tight loop. For a symptom, an
// analysis and a plan (built by the planner's own plan builder): the schema's safeParse (what the
// publisher runs before it signs) and parseEnvelope (what a consumer runs on the bytes it got).
//
//   pnpm build && node benchmarks/contract-parse-cold.mjs
//
//   hot          the mean of BENCH_HOT_CALLS (5,000) calls in a row, after as many to warm up
//   cold         one call every BENCH_GAP_MS (300), BENCH_COLD_CALLS (15) times, in a fresh process
//                state (only the first call of each kind compiled the schema): p50 and max
//   warmed cold  the same, after BENCH_HOT_CALLS calls in a row (V8 has optimized the code)
// Each figure is printed with the calls it counts; the first cold call (the schema's compilation)
// is printed apart.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEnvelope, eventRegistry, newEventId, parseEnvelope } from '../libs/contracts/dist/index.js';
import { buildPlan } from '../services/planner/dist/domain/plan-builder.js';
import { defaultRemediationRules } from '../services/planner/dist/domain/remediation-rules.js';
import { fmt, quantile } from './stats.mjs';

const hotCalls = Number(process.env.BENCH_HOT_CALLS ?? 5000);
const coldCalls = Number(process.env.BENCH_COLD_CALLS ?? 15);
const gapMs = Number(process.env.BENCH_GAP_MS ?? 300);

function symptom() {
  return {
    source: 'threshold',
    rule: 'memory',
    severity: 'critical',
    metric: 'process_resident_memory_bytes',
    value: 452_984_832,
    threshold: 419_430_400,
    labels: { job: 'demo-app' },
    description: 'resident memory above 400 MB',
    observedAt: new Date().toISOString(),
  };
}

function analysis() {
  const first = newEventId();
  return {
    symptomIds: [first, newEventId()],
    patterns: [],
    rootCauses: [{ target: 'demo-app', cause: 'memory_leak', confidence: 0.9, explains: [first], reasoning: 'memory grows steadily' }],
    confidence: 0.9,
  };
}

function plan() {
  return buildPlan({
    analysisId: newEventId(),
    analysis: analysis(),
    rules: defaultRemediationRules,
    stats: new Map(),
    coolingDown: new Set(),
    effectors: new Set(['agent', 'orchestrator', 'operator']),
    guardrails: { autoHealing: true, dryRun: false, maxAutoRisk: 'medium', planTtlMs: 60_000 },
    now: Date.now(),
  }).plan;
}

const kinds = { symptom, analysis, 'plan.proposed': plan };

/** A fresh event of `type`: its data, and the envelope's bytes as a consumer gets them. */
function event(type) {
  const data = kinds[type]();
  const envelope = {
    data,
    id: newEventId(),
    source: 'bench',
    target: 'demo-app',
    time: new Date().toISOString(),
    type,
    version: eventRegistry[type].version,
  };
  return { data, bytes: encodeEnvelope(envelope) };
}

function check(type, { data, bytes }) {
  const started = performance.now();
  if (!eventRegistry[type].schema.safeParse(data).success) throw new Error(`the bench's ${type} breaks its contract`);
  const parsed = performance.now();
  if (!parseEnvelope(bytes).ok) throw new Error(`the bench's ${type} envelope does not parse`);
  return { safeParse: (parsed - started) * 1000, parseEnvelope: (performance.now() - parsed) * 1000 };
}

async function coldRounds() {
  const rounds = [];
  for (let round = 0; round < coldCalls; round++) {
    rounds.push(Object.fromEntries(Object.keys(kinds).map((type) => [type, check(type, event(type))])));
    await sleep(gapMs);
  }
  return rounds;
}

const quantiles = (values) => `p50 ${fmt(quantile(values, 0.5))} µs, max ${fmt(quantile(values, 1))} µs`;

const cold = await coldRounds();
const hot = {};
for (const type of Object.keys(kinds)) {
  const events = Array.from({ length: 64 }, () => event(type));
  for (let i = 0; i < hotCalls; i++) check(type, events[i % events.length]);
  const sums = { safeParse: 0, parseEnvelope: 0 };
  for (let i = 0; i < hotCalls; i++) {
    const took = check(type, events[i % events.length]);
    sums.safeParse += took.safeParse;
    sums.parseEnvelope += took.parseEnvelope;
  }
  hot[type] = { safeParse: sums.safeParse / hotCalls, parseEnvelope: sums.parseEnvelope / hotCalls };
}
const warmedCold = await coldRounds();

console.log(`contract checks, µs (Node ${process.version}; cold: one call every ${gapMs} ms, ${coldCalls} times)`);
for (const type of Object.keys(kinds)) {
  for (const step of ['safeParse', 'parseEnvelope']) {
    const of = (rounds) => rounds.slice(1).map((round) => round[type][step]);
    console.log(
      `  ${type.padEnd(14)} ${step.padEnd(14)} hot ${fmt(hot[type][step], 1)} µs (mean of ${hotCalls}); ` +
        `cold ${quantiles(of(cold))} (first call ${fmt(cold[0][type][step], 0)} µs); warmed cold ${quantiles(of(warmedCold))}`,
    );
  }
}
