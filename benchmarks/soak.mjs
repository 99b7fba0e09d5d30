#!/usr/bin/env node
// Soak (issue 13, item 7): the whole stack for SOAK_MINUTES (default 60) with a fault injected
// into the demo app every SOAK_FAULT_EVERY_S (default 60), security on. Not run by ./mapek test.
// SOAK_FAULTS (comma separated: memory_leak, connections, errors) picks the kinds; default all.
//
//   pnpm build && node benchmarks/soak.mjs                        # one hour
//   SOAK_MINUTES=5 SOAK_FAULT_EVERY_S=30 node benchmarks/soak.mjs  # the short version
//
// Faults rotate: memory leak (5 × 100 MB), 100 stuck connections, every request failing. Every
// SOAK_SAMPLE_S (default 30) it records each service's RSS, every durable's lag (pending +
// unacknowledged), the KV buckets' and streams' sizes and the database's size; then prints:
//   - memory: RSS at the first and last sample and the least-squares slope (MB per hour) per service;
//   - lag: the largest seen per consumer, and at the end;
//   - KV buckets and the database: first and last size;
//   - incidents: faults injected, incidents opened (analyses), per fault, outcomes by kind, and
//     how far each incident without an outcome got (no plan, rejected and why, awaiting approval…);
//   - events lost: every loop event seen on NATS (symptoms, analyses, plans, executions,
//     outcomes) of an incident must be stored by knowledge — each incident's events are fetched
//     from the gateway at the end and compared by id.
// V8 flags: SOAK_NODE_ARGS (a variant of load-common.mjs; default: the stack's own).
// PostgreSQL: DATABASE_URL, else a fresh database on TEST_DATABASE_ADMIN_URL, else PGlite.
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack } from '../tools/stack/dist/index.js';
import {
  LOOP_SERVICES,
  benchmarkDatabase,
  onInterrupt,
  httpClient,
  loadNote,
  rssMb,
  servicesWithNodeArgs,
  tapLoop,
} from './load-common.mjs';
import { fmt } from './stats.mjs';

const minutes = Number(process.env.SOAK_MINUTES ?? 60);
const faultEveryS = Number(process.env.SOAK_FAULT_EVERY_S ?? 60);
const sampleEveryS = Number(process.env.SOAK_SAMPLE_S ?? 30);
const ALL_FAULTS = [
  { kind: 'memory_leak', path: '/demo/memory-leak?size_mb=100&count=5' },
  { kind: 'connections', path: '/demo/connection-issues?connection_count=100' },
  { kind: 'errors', path: '/demo/request-failures?failure_rate=1' },
];
// SOAK_FAULTS=memory_leak,errors injects only those kinds (default: all three, in turn).
const chosen = (process.env.SOAK_FAULTS ?? '').split(',').filter(Boolean);
const FAULTS = chosen.length === 0 ? ALL_FAULTS : ALL_FAULTS.filter((fault) => chosen.includes(fault.kind));
if (FAULTS.length === 0) throw new Error(`SOAK_FAULTS names no fault kind of: ${ALL_FAULTS.map((fault) => fault.kind).join(', ')}`);

const { Client } = createRequire(new URL('../libs/testing/package.json', import.meta.url))('pg');

async function databaseBytes(url) {
  if (!url) return NaN;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('select pg_database_size(current_database())::bigint as bytes');
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

function slopePerHour(points) {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.v, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mx) * (p.v - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mx) ** 2, 0);
  return den === 0 ? NaN : (num / den) * 3600_000;
}

const dataDir = await mkdtemp(join(tmpdir(), 'mapek-soak-'));
const database = await benchmarkDatabase('mapek_soak');
const nodeArgs = process.env.SOAK_NODE_ARGS;
const stack = await startStack({
  dataDir,
  ...(database.url ? { databaseUrl: database.url } : {}),
  ...(nodeArgs ? { services: servicesWithNodeArgs(nodeArgs, { withDemo: true }) } : {}),
  anyFreePort: true,
  security: 'on',
  output: null,
  logLevel: 'warn',
  serviceEnv: {
    executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '5000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
    planner: { MAPEK_PLANNER_COOLDOWN_MS: '0', MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: '10000' },
  },
});
onInterrupt(() => stack.stop());
const client = httpClient({ ca: stack.caFile ? await readFile(stack.caFile, 'utf8') : undefined, token: stack.apiKeys?.adminToken });
const tap = await tapLoop(stack);
console.log(
  `soak: ${minutes} min, a fault every ${faultEveryS} s, samples every ${sampleEveryS} s; V8 flags ${nodeArgs ?? 'the stack default'}; ` +
    `database ${database.kind}; Node ${process.version}; ${loadNote()}`,
);

const samples = [];
async function sample() {
  const at = Date.now();
  const rss = {};
  for (const name of LOOP_SERVICES) rss[name] = await rssMb(stack.processes[name].pid).catch(() => NaN);
  const lag = {};
  for (const stream of ['MAPEK_EVENTS', 'MAPEK_TELEMETRY']) {
    for await (const info of tap.jsm.consumers.list(stream)) lag[`${stream}/${info.name}`] = info.num_pending + info.num_ack_pending;
  }
  const streams = {};
  for await (const info of tap.jsm.streams.list()) streams[info.config.name] = { messages: info.state.messages, bytes: info.state.bytes };
  const dbBytes = await databaseBytes(database.url).catch(() => NaN);
  const row = { at, rss, lag, streams, dbBytes, load: loadNote() };
  samples.push(row);
  const maxLag = Math.max(0, ...Object.values(lag));
  console.log(
    `  ${new Date(at).toISOString().slice(11, 19)} RSS ${LOOP_SERVICES.map((n) => `${n} ${fmt(rss[n], 0)}`).join(', ')} MB; max lag ${maxLag}; ` +
      `KV ${Object.entries(streams)
        .filter(([n]) => n.startsWith('KV_'))
        .reduce((s, [, v]) => s + v.messages, 0)} entries; db ${fmt(dbBytes / 1048576, 1)} MB; ${row.load}`,
  );
}

// Let the detectors and JIT settle before the first sample.
await sleep(20_000);
const started = Date.now();
const faults = [];
let nextFault = started;
let nextSample = started;
let faultIndex = 0;
try {
  while (Date.now() - started < minutes * 60_000) {
    const now = Date.now();
    if (now >= nextSample) {
      await sample();
      nextSample += sampleEveryS * 1000;
    }
    if (now >= nextFault) {
      const fault = FAULTS[faultIndex++ % FAULTS.length];
      await fetch(`${stack.demoUrl}/demo/reset`, { method: 'POST' })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
      await sleep(1500); // the reset is seen by a scrape before the next fault
      const at = Date.now();
      const response = await fetch(`${stack.demoUrl}${fault.path}`, { method: 'POST' });
      await response.body?.cancel();
      faults.push({ ...fault, at, status: response.status });
      nextFault += faultEveryS * 1000;
    }
    await sleep(250);
  }
  await sleep(15_000); // the last fault's outcome
  await sample();
} finally {
  tap.close?.();
}

// Incidents and outcomes from the tapped events.
// The tap sees every publish: a retried publish of one event (the same id, stored once by
// JetStream's deduplication) is counted once, and reported apart from a second analysis event of
// an incident that already had one (another id).
const analysesSeen = tap.events.filter((e) => e.kind === 'analyses');
const analyses = [...new Map(analysesSeen.map((e) => [e.envelope.id, e])).values()];
const analysedTwice = analyses.length - new Set(analyses.map((e) => e.envelope.incidentId)).size;
const outcomes = tap.events.filter((e) => e.kind === 'outcomes');
const incidentIds = [...new Set(tap.events.map((e) => e.envelope.incidentId).filter(Boolean))];
const byOutcome = {};
for (const event of outcomes) byOutcome[event.envelope.data.outcome] = (byOutcome[event.envelope.data.outcome] ?? 0) + 1;
const analysesOf = (fault, index) => {
  const until = faults[index + 1]?.at ?? Infinity;
  return analyses.filter((e) => e.at >= fault.at && e.at < until);
};
const perFault = faults.map((fault, index) => analysesOf(fault, index).length);
// The faults that opened more than one incident, with each incident's top cause, in order, and
// when its analysis and its outcome came after the fault: trouble that starts after an incident
// closed opens the next one by design, trouble while it is open should not.
const secondsAfter = (fault, at) => `+${((at - fault.at) / 1000).toFixed(1)} s`;
const incidentLine = (fault, analysis) => {
  const outcome = outcomes.find((e) => e.envelope.incidentId === analysis.envelope.incidentId);
  const cause = analysis.envelope.data.rootCauses?.[0]?.cause ?? 'none';
  return `${cause} ${secondsAfter(fault, analysis.at)}${outcome ? ` (outcome ${secondsAfter(fault, outcome.at)})` : ''}`;
};
const several = faults
  .map((fault, index) => ({ fault, incidents: analysesOf(fault, index).map((analysis) => incidentLine(fault, analysis)) }))
  .filter(({ incidents }) => incidents.length > 1)
  .map(({ fault, incidents }) => `${fault.kind}: ${incidents.join(', ')}`);

// What became of each incident that has no outcome: the furthest its plan got.
// A plan left for an operator says why: its cause, its remedy and the guardrails that held it.
function heldBy(plan) {
  const holds = (plan.guardrails ?? []).filter((check) => check.verdict === 'hold').map((check) => check.check);
  const remedy = (plan.steps ?? []).map((step) => step.action).join('+');
  return ` (${plan.cause}, ${remedy}; held by ${holds.join(', ') || 'nothing recorded'})`;
}

function fateOf(incidentId) {
  const events = tap.events.filter((e) => e.envelope.incidentId === incidentId);
  if (events.some((e) => e.kind === 'outcomes')) return 'outcome';
  if (events.some((e) => e.kind === 'executions')) return 'executed, no outcome';
  const plans = events.filter((e) => e.kind === 'plans');
  const proposed = plans.find((e) => e.envelope.type === 'plan.proposed');
  const held = proposed?.envelope.data.approval === 'manual' ? heldBy(proposed.envelope.data) : '';
  const rejected = plans.find((e) => e.envelope.type === 'plan.rejected');
  if (rejected) {
    const { rejectionCode, reason } = rejected.envelope.data;
    return `plan rejected: ${rejectionCode ?? (reason ?? 'no reason').replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 80)}${held}`;
  }
  if (plans.some((e) => e.envelope.type === 'plan.approved')) return 'approved, not executed';
  if (proposed) return proposed.envelope.data.approval === 'manual' ? `awaiting approval${held}` : 'proposed only';
  return 'no plan';
}
const fates = {};
for (const incidentId of new Set(analyses.map((e) => e.envelope.incidentId).filter(Boolean))) {
  const fate = fateOf(incidentId);
  fates[fate] = (fates[fate] ?? 0) + 1;
}

// Events lost: every tapped event of an incident must be in knowledge.
let checked = 0;
let lost = 0;
const lostExamples = [];
for (const incidentId of incidentIds) {
  let detail;
  try {
    detail = await client.getJson(`${stack.gatewayUrl}/api/v1/incidents/${incidentId}`);
  } catch (error) {
    lostExamples.push(`${incidentId}: ${error.message}`);
    continue;
  }
  const stored = new Set(
    Object.values(detail.events ?? {})
      .flat()
      .map((event) => event.id),
  );
  for (const event of tap.events.filter((e) => e.envelope.incidentId === incidentId)) {
    checked += 1;
    if (!stored.has(event.envelope.id)) {
      lost += 1;
      if (lostExamples.length < 5) lostExamples.push(`${event.envelope.type} ${event.envelope.id} of ${incidentId}`);
    }
  }
}
const restarts = Object.fromEntries(LOOP_SERVICES.map((name) => [name, stack.restarts(name)]));
client.close();
await stack.stop();
await database.drop();
await rm(dataDir, { recursive: true, force: true });

const first = samples[0];
const last = samples.at(-1);
console.log(`\nsoak summary: ${fmt((last.at - first.at) / 60_000, 1)} min measured, ${samples.length} samples`);
console.log('memory (RSS, MB): first → last, slope');
for (const name of LOOP_SERVICES) {
  const points = samples.map((s) => ({ t: s.at, v: s.rss[name] })).filter((p) => Number.isFinite(p.v));
  console.log(
    `  ${name.padEnd(10)} ${fmt(first.rss[name], 1)} → ${fmt(last.rss[name], 1)}  (${fmt(slopePerHour(points), 1)} MB/h, max ${fmt(Math.max(...points.map((p) => p.v)), 1)})`,
  );
}
console.log('consumer lag (pending + unacknowledged): max seen, at the end');
for (const key of Object.keys(last.lag))
  console.log(`  ${key.padEnd(34)} ${Math.max(...samples.map((s) => s.lag[key] ?? 0))}, ${last.lag[key]}`);
console.log('streams and KV buckets (messages, MB): first → last');
for (const name of Object.keys(last.streams)) {
  const a = first.streams[name] ?? { messages: 0, bytes: 0 };
  const b = last.streams[name];
  console.log(`  ${name.padEnd(22)} ${a.messages} → ${b.messages} msgs, ${fmt(a.bytes / 1048576, 2)} → ${fmt(b.bytes / 1048576, 2)} MB`);
}
console.log(`database: ${fmt(first.dbBytes / 1048576, 1)} → ${fmt(last.dbBytes / 1048576, 1)} MB`);
console.log(
  `faults injected: ${faults.length} (${FAULTS.map((f) => `${f.kind} ${faults.filter((x) => x.kind === f.kind).length}`).join(', ')}); refused: ${faults.filter((f) => f.status !== 200).length}`,
);
console.log(`incidents opened (analyses): ${analyses.length}; per fault: ${perFault.join(' ')}; outcomes: ${JSON.stringify(byOutcome)}`);
console.log(
  `analysis events published again with the same id (retries): ${analysesSeen.length - analyses.length}; incidents with more than one analysis event: ${analysedTwice}`,
);
if (several.length > 0) console.log(`faults with more than one incident (their causes): ${several.join('; ')}`);
console.log(`incidents by how far they got: ${JSON.stringify(fates)}`);
console.log(
  `events lost: ${lost} of ${checked} loop events of ${incidentIds.length} incidents${lostExamples.length ? ` (${lostExamples.join('; ')})` : ''}`,
);
console.log(`restarts by the supervisor: ${JSON.stringify(restarts)}`);
