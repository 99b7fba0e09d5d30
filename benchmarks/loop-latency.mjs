#!/usr/bin/env node
// Loop latency of the whole stack, as separate OS processes, against a peer measured in the same
// run on the same fault: Prometheus (1 s scrape and evaluation, `for: 0s`) and Alertmanager
// (group_wait 0) calling a webhook, watching its own copy of the demo app (mapek heals its demo
// app before the peer's next scrape would see the fault), one fault after mapek's each round.
// It also prints each service's memory at idle.
//
//   ./mapek bench            (or: pnpm build && node benchmarks/loop-latency.mjs)
//
// Two runs of BENCH_INCIDENTS (default 20) memory-leak incidents each (the demo app leaks
// 5 × 100 MB; the rule fires above 400 MB), security on:
//   scrape  the agent does not push (MAPEK_AGENT_PUSH=false): the loop starts at the monitor's scrape
//   push    the agent pushes the crossing as a signed symptom the moment it sees it
// Per incident: fault → first remedy step starting (executor), first violating sample (the first
// symptom's observedAt) → remedy, each hop from the events' own times, when the agent started the
// remedy, and the peer's fault → webhook. The fault counts from the moment it is in place (the
// demo app answered the injection: the 500 MB allocation blocks it for 0.2–1.2 s, during which
// neither side can see anything); "request sent" figures are printed too.
// Then a table: measure, mapek, peer, target, met?
//
// BENCH_SECURITY=on (default) | both: `both` adds a scrape run with security off and prints what
// signing and sealing cost. BENCH_TRACES=off (default) | both: `both` adds a scrape run with every
// service exporting its spans to Jaeger (the stack's `traces`, needs `ensure_jaeger` of
// scripts/toolchain.sh or MAPEK_JAEGER_BIN) and prints what the exporter costs against the run
// without it. BENCH_PEER=off skips the peer. BENCH_RUNS=scrape,push picks the runs;
// BENCH_WARMUP (default 1) incidents run first, printed but not counted. BENCH_SERVICE_ENV
// ({"<service>": {"VAR": "value"}}) adds variables to the services, for ablations; BENCH_RENICE
// ({"<process>": niceness, or "idle" for SCHED_IDLE}) sets the niceness or scheduling policy of
// the stack's processes once they are up. Prometheus and Alertmanager are Debian's
// packages, installed with apt-get when missing (as root; see peer-prometheus.mjs).
// PostgreSQL: DATABASE_URL if set, else a fresh database on the machine's PostgreSQL
// (TEST_DATABASE_ADMIN_URL), else the embedded PGlite.
// Each fault (mapek's and the peer's) is injected after a random delay in [0, BENCH_PHASE_MS)
// (default 1000, the scrape interval; BENCH_SEED picks the sequence): rounds at a steady cadence
// otherwise fall at the same point of the scrape and evaluation cycles, and the fault → remedy
// figures then measure that point (one run of one build gave a p50 of 54 ms, another 433 ms).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack } from '../tools/stack/dist/index.js';
import { benchRenice, benchmarkDatabase, rssMb, withBenchServiceEnv } from './load-common.mjs';
import { startPeer, startPeerTarget } from './peer-prometheus.mjs';
import { ascending, histogramSum, quantile } from './stats.mjs';

const incidents = Number(process.env.BENCH_INCIDENTS ?? 20);
/** Incidents run (and printed) before the measured ones: the first use of every code path and connection. */
const warmups = Number(process.env.BENCH_WARMUP ?? 1);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
const services = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway'];
const THRESHOLD = 400 * 1024 * 1024;
const phaseMs = Number(process.env.BENCH_PHASE_MS ?? 1000);
/** The executor's verification in this bench: an outcome is stored no sooner than window + grace after its remedy starts. */
const VERIFICATION_WINDOW_MS = 2000;
const VERIFICATION_GRACE_MS = 500;
/**
 * When the bench asks the gateway for the fault's incident: not before its outcome can exist, then
 * every 250 ms (the gateway's list cache). Each ask is an HTTPS request, a list from knowledge and
 * a query to the database; asked every 50 ms from the fault on, as before 2026-12-06, they ran on
 * the same two cores as the incident they waited for, which the idle figures are meant to have to
 * itself (docs/reports/loop-latency.md). The figures come from the events' own times either way.
 */
const OUTCOME_POLL = { firstAfterMs: VERIFICATION_WINDOW_MS + VERIFICATION_GRACE_MS, everyMs: 250 };
/** A small seeded generator (xorshift32): the same BENCH_SEED gives the same delays. */
let seed = Number(process.env.BENCH_SEED ?? 20261205) >>> 0 || 1;
function random() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
}
/** Waits a random part of the scrape interval before a fault, so faults land at random points of the cycles. */
const randomPhase = () => sleep(random() * phaseMs);

const p50 = (values) => quantile(values, 0.5);
const p99 = (values) => quantile(values, 0.99);
const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
/** This benchmark's own line: p50, p99 and max, rounded to whole milliseconds. */
const summary = (values) => {
  const sorted = ascending(values);
  return sorted.length === 0 ? 'n/a' : `p50 ${ms(p50(sorted))}, p99 ${ms(p99(sorted))}, max ${ms(sorted.at(-1))} (n=${sorted.length})`;
};

async function memoryOf(pid) {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
  return { rss: await rssMb(pid), pss: field('Pss'), uss: field('Private_Clean') + field('Private_Dirty') };
}

let trustedCa; // the stack's development CA when the gateway speaks HTTPS
let apiToken; // the stack's admin API key when the gateway authenticates (security on)

/** GETs a URL, waiting as the gateway asks (`429` with `Retry-After`) when the bench polls faster than its rate limit. */
async function getText(url) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await getOnce(url);
    } catch (error) {
      if (!(error instanceof RateLimited) || attempt >= 20) throw error;
      await sleep(error.retryAfterMs);
    }
  }
}

class RateLimited extends Error {
  constructor(url, retryAfterMs) {
    super(`${url}: 429`);
    this.retryAfterMs = retryAfterMs;
  }
}

async function getOnce(url) {
  if (!url.startsWith('https:')) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.text();
  }
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca: trustedCa, headers: apiToken ? { authorization: `Bearer ${apiToken}` } : {} }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode === 200) return resolve(body);
        if (response.statusCode === 429)
          return reject(new RateLimited(url, Math.max(100, Number(response.headers['retry-after'] ?? 1) * 1000)));
        reject(new Error(`${url}: ${response.statusCode}`));
      });
    });
    request.on('error', reject);
    request.end();
  });
}

async function getJson(url) {
  return JSON.parse(await getText(url));
}

/** The value of one sample line `name{…labels…} value`. */
function gauge(text, name, labels) {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && labels.every((label) => candidate.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitFor(probe, timeoutMs, what, { firstAfterMs = 0, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  await sleep(firstAfterMs);
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One incident's figures, all in ms. */
function figuresOf(detail, times) {
  const t = (event) => (event ? Date.parse(event.time) : NaN);
  const analysis = detail.events.analyses[0];
  const symptomIds = new Set(analysis.data.symptomIds);
  const symptom =
    detail.events.symptoms.find((event) => event.id === analysis.data.symptomIds[0]) ??
    detail.events.symptoms.find((event) => symptomIds.has(event.id));
  const firstViolation = Date.parse(symptom.data.observedAt);
  const proposed = detail.events.plans.find((event) => event.type === 'plan.proposed');
  const approved = detail.events.plans.find((event) => event.type === 'plan.approved');
  const inProgress = detail.events.executions.find((event) => event.data.status === 'in_progress');
  const completed = detail.events.executions.find((event) => event.data.steps[0]?.startedAt);
  const remedy = Date.parse(completed.data.steps[0].startedAt);
  return {
    from: symptom.source,
    firstAction: completed.data.steps[0].action,
    violationToRemedy: remedy - firstViolation,
    faultToRemedy: remedy - times.inPlace,
    sentToRemedy: remedy - times.sent,
    injectionMs: times.inPlace - times.sent,
    remedy,
    hops: {
      'observed→symptom': t(symptom) - firstViolation,
      'symptom→analysis': t(analysis) - t(symptom),
      'analysis→proposed': t(proposed) - t(analysis),
      'proposed→approved': t(approved) - t(proposed),
      'approved→in_progress': t(inProgress) - t(approved),
      'in_progress→step': remedy - t(inProgress),
    },
  };
}

const LEAK = '/demo/memory-leak?size_mb=100&count=5';

/** One fault on the peer's own demo app: injected, its webhook awaited, then undone (the app restarted). */
async function peerRound(peer) {
  await peer.settled(30_000);
  await randomPhase();
  const sent = Date.now();
  const response = await fetch(`${peer.app.url}${LEAK}`, { method: 'POST' });
  const inPlace = Date.now();
  await response.body?.cancel();
  const webhook = await peer.nextWebhook(sent, 15_000);
  const sample = webhook === undefined ? undefined : await peer.firstViolatingSample(sent - 1000, webhook);
  await peer.app.restart();
  return {
    faultToWebhook: webhook === undefined ? NaN : webhook - inPlace,
    sentToWebhook: webhook === undefined ? NaN : webhook - sent,
    sampleToWebhook: webhook === undefined || sample === undefined ? NaN : webhook - sample,
  };
}

/**
 * Where an incident's milliseconds went, from its trace in Jaeger (BENCH_TRACES=both): every span
 * that started before the first remedy step, as (service operation) → offset from the trace's
 * first span and duration, in ms. Found by the executor's `send outcome` span, which names the incident.
 */
async function traceTimeline(jaegerUrl, incidentId, remedyAt) {
  const tags = encodeURIComponent(JSON.stringify({ 'mapek.incident.id': incidentId }));
  const search = `${jaegerUrl}/api/traces?service=executor&operation=${encodeURIComponent('send outcome')}&tags=${tags}&lookback=1h&limit=1`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const found = (await (await fetch(search)).json()).data?.[0];
    if (found) {
      await sleep(1500); // the other services' batches
      const trace = (await (await fetch(`${jaegerUrl}/api/traces/${found.traceID}`)).json()).data?.[0];
      const origin = Math.min(...trace.spans.map((span) => span.startTime));
      const service = (span) => trace.processes[span.processID]?.serviceName ?? '?';
      return trace.spans
        .map((span) => ({
          name: `${service(span)} ${span.operationName}`,
          offset: (span.startTime - origin) / 1000,
          duration: span.duration / 1000,
          absolute: span.startTime / 1000,
        }))
        .filter((span) => span.absolute <= remedyAt + 1)
        .sort((a, b) => a.offset - b.offset);
    }
    await sleep(500);
  }
  return [];
}

function printTimelines(timelines) {
  const byName = new Map();
  for (const timeline of timelines) {
    const seen = new Map();
    for (const span of timeline) {
      // The n-th span of one name in an incident, so repeated operations (KV reads) stay apart.
      const n = (seen.get(span.name) ?? 0) + 1;
      seen.set(span.name, n);
      const key = n === 1 ? span.name : `${span.name} #${n}`;
      const entry = byName.get(key) ?? { offsets: [], durations: [] };
      entry.offsets.push(span.offset);
      entry.durations.push(span.duration);
      byName.set(key, entry);
    }
  }
  console.log(
    `\n  where the time goes (spans before the first remedy step, ${timelines.length} traces; median start offset / median duration, ms):`,
  );
  const rows = [...byName.entries()]
    .filter(([, entry]) => entry.offsets.length >= timelines.length / 2)
    .sort((a, b) => p50(a[1].offsets) - p50(b[1].offsets));
  for (const [name, entry] of rows)
    console.log(
      `    ${p50(entry.offsets).toFixed(1).padStart(7)} ${p50(entry.durations).toFixed(2).padStart(7)}  ${name} (n=${entry.offsets.length})`,
    );
}

async function runMode({ security, push, peer, traces = false }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mapek-bench-'));
  const database = await benchmarkDatabase('mapek_bench');
  const stack = await startStack({
    dataDir,
    ...(database.url ? { databaseUrl: database.url } : {}),
    anyFreePort: true,
    security,
    output: null,
    logLevel: 'warn',
    scrapeIntervalMs: 1000,
    traces,
    serviceEnv: withBenchServiceEnv({
      'demo-app': { MAPEK_AGENT_PUSH: push ? 'true' : 'false' },
      executor: {
        MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: String(VERIFICATION_WINDOW_MS),
        MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: String(VERIFICATION_GRACE_MS),
      },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '0', MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: '10000' },
    }),
  });
  trustedCa = stack.caFile ? await readFile(stack.caFile, 'utf8') : undefined;
  apiToken = stack.apiKeys?.adminToken;
  const label = `security ${security}, ${push ? 'agent push' : 'scrape only (agent push off)'}${traces ? ', traces exported to Jaeger' : ''}`;
  try {
    console.log(`\n== ${label}: stack up (database: ${database.kind}); idling ${idleSeconds} s before measuring memory`);
    const reniced = await benchRenice(stack.processes);
    if (reniced) console.log(`  ${reniced} (BENCH_RENICE)`);
    await sleep(idleSeconds * 1000);
    const memory = {};
    for (const name of services) memory[name] = await memoryOf(stack.processes[name].pid);

    const rounds = [];
    const timelines = [];
    const seen = new Set((await getJson(`${stack.gatewayUrl}/api/v1/incidents?limit=500`)).incidents.map((incident) => incident.id));
    for (let round = 1 - warmups; round <= incidents; round++) {
      await randomPhase();
      const sent = Date.now();
      const response = await fetch(`${stack.demoUrl}${LEAK}`, { method: 'POST' });
      const inPlace = Date.now();
      if (!response.ok) throw new Error(`memory-leak answered ${response.status}`);
      await response.body?.cancel();
      const incident = await waitFor(
        async () => {
          const { incidents: list } = await getJson(`${stack.gatewayUrl}/api/v1/incidents?limit=500`);
          // The incident this fault opened: the first one opened after the injection.
          const fresh = list.filter((candidate) => !seen.has(candidate.id) && Date.parse(candidate.openedAt) >= sent - 200);
          const first = fresh.sort((a, b) => a.openedAt.localeCompare(b.openedAt))[0];
          return first && first.outcome !== null ? first : undefined;
        },
        60_000,
        `incident ${round}`,
        OUTCOME_POLL,
      );
      seen.add(incident.id);
      const detail = await getJson(`${stack.gatewayUrl}/api/v1/incidents/${incident.id}`);
      const figures = figuresOf(detail, { sent, inPlace });
      // When the agent started the first remedy (its clock; the same machine): the actuation hop.
      const started = gauge(await getText(`${stack.demoUrl}/metrics`), 'mapek_agent_last_remedy_start_timestamp_seconds', [
        `action="${figures.firstAction}"`,
      ]);
      figures.agentRemedy = started !== undefined && started * 1000 >= sent ? started * 1000 : NaN;
      figures.hops['step→agent remedy'] = figures.agentRemedy - figures.remedy;
      // Let every open incident close (quiet memory) before the peer's round and the next one.
      await waitFor(
        async () => (await getJson(`${stack.demoUrl}/demo/status`)).memory.rssBytes < 300 * 1024 * 1024,
        30_000,
        'memory back to normal',
      );
      // The same fault on the peer's own copy of the demo app, in the same run, one after the other.
      if (peer) figures.peer = await peerRound(peer);
      const hopText = Object.entries(figures.hops)
        .map(([name, value]) => `${name} ${Number.isFinite(value) ? Math.round(value) : 'n/a'}`)
        .join(', ');
      console.log(
        `  ${round <= 0 ? 'warm-up    ' : `incident ${String(round).padStart(2)}`}: ${incident.outcome}, first symptom from ${figures.from}; injection took ${figures.injectionMs} ms; ` +
          `fault → remedy ${figures.faultToRemedy} ms, violation → remedy ${figures.violationToRemedy} ms` +
          (figures.peer ? `; peer fault → webhook ${ms(figures.peer.faultToWebhook)}` : ''),
      );
      console.log(`      hops (ms): ${hopText}`);
      if (round > 0) rounds.push(figures);
      if (round > 0 && traces) timelines.push(await traceTimeline(stack.jaegerUrl, incident.id, figures.remedy));
      await sleep(2500);
    }

    console.log(`\n${label}: loop latency over ${incidents} incidents (1 s scrape interval)`);
    console.log(`  fault in place          → remedy starts: ${summary(rounds.map((r) => r.faultToRemedy))}`);
    console.log(`  fault request sent      → remedy starts: ${summary(rounds.map((r) => r.sentToRemedy))}`);
    console.log(`  first violating sample  → remedy starts: ${summary(rounds.map((r) => r.violationToRemedy))}`);
    console.log(
      `  fault in place          → the agent starts the remedy: ${summary(rounds.map((r) => r.agentRemedy - (r.remedy - r.faultToRemedy)))}`,
    );
    console.log(`  injection (request sent → answered):     ${summary(rounds.map((r) => r.injectionMs))}`);
    console.log('  hops, p50 / p99:');
    for (const name of Object.keys(rounds[0]?.hops ?? {})) {
      const values = rounds.map((r) => r.hops[name]);
      console.log(`    ${name.padEnd(22)} ${ms(p50(values)).padStart(8)} / ${ms(p99(values))}`);
    }
    if (traces) printTimelines(timelines);
    if (peer) {
      console.log('  peer (Prometheus 1 s scrape + evaluation, Alertmanager group_wait 0):');
      console.log(`    fault in place         → webhook: ${summary(rounds.map((r) => r.peer?.faultToWebhook))}`);
      console.log(`    fault request sent     → webhook: ${summary(rounds.map((r) => r.peer?.sentToWebhook))}`);
      console.log(`    first violating sample → webhook: ${summary(rounds.map((r) => r.peer?.sampleToWebhook))}`);
    }
    console.log('\nmemory at idle           RSS       PSS   private');
    for (const name of services) {
      const m = memory[name];
      console.log(
        `  ${name.padEnd(10)} ${m.rss.toFixed(1).padStart(9)} MB ${m.pss.toFixed(1).padStart(6)} MB ${m.uss.toFixed(1).padStart(6)} MB`,
      );
    }
    let pqc;
    if (security === 'on') {
      // What signing and checking cost inside the running services, per operation.
      const name = 'mapek_pqc_operation_duration_seconds';
      const totals = { sign: { sum: 0, count: 0 }, verify: { sum: 0, count: 0 }, seal: { sum: 0, count: 0 } };
      for (const url of services.map((service) => stack.serviceUrl(service))) {
        const text = await getText(`${url}/metrics`);
        for (const [op, alg] of [
          ['sign', 'ML-DSA-65'],
          ['verify', 'ML-DSA-65'],
          ['seal', 'X-Wing'],
        ]) {
          const h = histogramSum(text, name, [`op="${op}"`, `alg="${alg}"`]);
          totals[op].sum += h.sum;
          totals[op].count += h.count;
        }
      }
      const mean = (t) => (t.count === 0 ? NaN : (t.sum / t.count) * 1e6);
      pqc = {
        signUs: mean(totals.sign),
        verifyUs: mean(totals.verify),
        sealUs: mean(totals.seal),
        signs: totals.sign.count,
        verifies: totals.verify.count,
      };
      console.log('\nML-DSA-65 inside the services (mapek_pqc_operation_duration_seconds, all services)');
      console.log('  sign   mean %d µs over %d signatures (events, sample batches, actuation requests)', Math.round(pqc.signUs), pqc.signs);
      console.log('  verify mean %d µs over %d checks (every consumer of every event)', Math.round(pqc.verifyUs), pqc.verifies);
      console.log('  seal   mean %d µs per actuation request (X-Wing + HKDF + AES-256-GCM, executor)', Math.round(pqc.sealUs));
    }
    return { rounds, memory, pqc };
  } finally {
    await stack.stop();
    await database.drop();
    // BENCH_KEEP_DATA=1 keeps the stack's data directory (its services' logs) for a post-mortem.
    if (process.env.BENCH_KEEP_DATA === '1') console.log(`  data and logs kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

const securityMode = process.env.BENCH_SECURITY ?? 'on';
const tracesMode = process.env.BENCH_TRACES ?? 'off';
const runs = new Set((process.env.BENCH_RUNS ?? 'scrape,push').split(',').map((run) => run.trim()));
let peer;
if (process.env.BENCH_PEER !== 'off') {
  let app;
  try {
    app = await startPeerTarget({ rootDir: join(import.meta.dirname, '..') });
    peer = { ...(await startPeer({ scrapeTarget: app.hostPort, thresholdBytes: THRESHOLD })), app };
    console.log(`peer up: ${peer.versions.join('; ')}, scraping its own demo app ${app.url}`);
  } catch (error) {
    await app?.stop();
    console.log(`peer: not measured (${error.message})`);
  }
}
const results = {};
try {
  if (securityMode === 'both') results.off = await runMode({ security: 'off', push: false });
  if (runs.has('scrape')) results.scrape = await runMode({ security: 'on', push: false, peer });
  if (runs.has('push')) results.push = await runMode({ security: 'on', push: true, peer });
  if (tracesMode === 'both') results.traced = await runMode({ security: 'on', push: false, traces: true });
} finally {
  await peer?.stop();
  await peer?.app.stop();
}

if (results.off && results.scrape) {
  const added = p50(results.scrape.rounds.map((r) => r.violationToRemedy)) - p50(results.off.rounds.map((r) => r.violationToRemedy));
  console.log('\nsecurity on vs off (p50 of first violating sample → remedy starts, scrape only)');
  console.log(
    `  off ${ms(p50(results.off.rounds.map((r) => r.violationToRemedy)))}, on ${ms(p50(results.scrape.rounds.map((r) => r.violationToRemedy)))}: ${added >= 0 ? '+' : ''}${Math.round(added)} ms over the loop (4 signed events + 1 sealed request)`,
  );
  const pqc = results.scrape.pqc;
  if (pqc) console.log(`  per event, measured in the services: sign ${Math.round(pqc.signUs)} µs + verify ${Math.round(pqc.verifyUs)} µs`);
  console.log(
    '  idle memory, on − off:',
    services.map((name) => `${name} ${(results.scrape.memory[name].rss - results.off.memory[name].rss).toFixed(1)} MB`).join(', '),
  );
}

if (results.traced && results.scrape) {
  const of = (run, key) => run.rounds.map((r) => r[key]);
  console.log('\ntraces: exporter off vs on (scrape only, security on, same machine, same run)');
  for (const [name, key] of [
    ['first violating sample → remedy', 'violationToRemedy'],
    ['fault in place → remedy', 'faultToRemedy'],
  ]) {
    const off = of(results.scrape, key);
    const on = of(results.traced, key);
    console.log(
      `  ${name.padEnd(32)} off p50 ${ms(p50(off))} p99 ${ms(p99(off))}; on p50 ${ms(p50(on))} p99 ${ms(p99(on))}; p50 ${p50(on) - p50(off) >= 0 ? '+' : ''}${Math.round(p50(on) - p50(off))} ms`,
    );
  }
  console.log(
    '  idle memory (RSS), on − off:',
    services.map((name) => `${name} ${(results.traced.memory[name].rss - results.scrape.memory[name].rss).toFixed(1)} MB`).join(', '),
  );
}

/** First violating sample → the agent starts the remedy (the step's start plus what followed it). */
const agentAfterViolation = (r) => r.violationToRemedy + (r.agentRemedy - r.remedy);

// The targets of issue 13, item 5, each with the peer's figure from the same run.
const scrapeRounds = results.scrape?.rounds ?? [];
const pushRounds = results.push?.rounds ?? [];
const peerFault = p50(scrapeRounds.map((r) => r.peer?.faultToWebhook));
const rows = [
  {
    measure: 'fault → remedy, 1 s scrape (agent push off), p50',
    mapek: p50(scrapeRounds.map((r) => r.faultToRemedy)),
    peer: peerFault,
    target: 'below the peer (fault → webhook p50)',
    met: (value) => Number.isFinite(peerFault) && Number.isFinite(value) && value < peerFault,
  },
  {
    measure: 'the same from the fault request sent, p50',
    mapek: p50(scrapeRounds.map((r) => r.sentToRemedy)),
    peer: p50(scrapeRounds.map((r) => r.peer?.sentToWebhook)),
    target: 'below the peer (as measured before)',
    met: (value) => Number.isFinite(value) && value < p50(scrapeRounds.map((r) => r.peer?.sentToWebhook)),
  },
  {
    measure: 'first violating sample → remedy, idle, p99',
    mapek: p99(scrapeRounds.map((r) => r.violationToRemedy)),
    peer: p99(scrapeRounds.map((r) => r.peer?.sampleToWebhook)),
    target: '< 20 ms',
    met: (value) => Number.isFinite(value) && value < 20,
  },
  {
    measure: 'fault → remedy, agent push, p99',
    mapek: p99(pushRounds.map((r) => r.faultToRemedy)),
    peer: p99(pushRounds.map((r) => r.peer?.faultToWebhook)),
    target: '< 100 ms',
    met: (value) => Number.isFinite(value) && value < 100,
  },
];
console.log(
  `\ntargets (security on, ${incidents} incidents per run after ${warmups} warm-up; "fault" = the fault in place; "remedy" = the executor starts the remedy's first step, before its checks (lease, symptom re-read, caps) and the actuation request; peer = Prometheus + Alertmanager, the same fault on its own copy of the demo app, in the same run)`,
);
const widths = [52, 10, 10, 38, 5];
const line = (cells) => `| ${cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' | ')} |`;
console.log(line(['measure', 'mapek', 'peer', 'target', 'met?']));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line([row.measure, ms(row.mapek), ms(row.peer), row.target, row.met(row.mapek) ? 'yes' : 'no']));
console.log(
  `\nalso: first violating sample → the agent starts the remedy, idle, p50 ${ms(p50(scrapeRounds.map(agentAfterViolation)))}, p99 ${ms(p99(scrapeRounds.map(agentAfterViolation)))}; ` +
    `first violating sample → remedy with agent push p50 ${ms(p50(pushRounds.map((r) => r.violationToRemedy)))}, p99 ${ms(p99(pushRounds.map((r) => r.violationToRemedy)))}; ` +
    `fault → the agent starts the remedy with push p50 ${ms(p50(pushRounds.map((r) => r.agentRemedy - (r.remedy - r.faultToRemedy))))}, p99 ${ms(p99(pushRounds.map((r) => r.agentRemedy - (r.remedy - r.faultToRemedy))))}; ` +
    `injection (request sent → fault in place) p50 ${ms(p50([...scrapeRounds, ...pushRounds].map((r) => r.injectionMs)))}`,
);
