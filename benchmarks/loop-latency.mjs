#!/usr/bin/env node
// Loop latency and idle memory of the whole stack, as separate OS processes.
//
//   ./mapek bench            (or: pnpm build && node benchmarks/loop-latency.mjs)
//
// Prints, over BENCH_INCIDENTS (default 20) memory-leak incidents at a 1 s scrape interval:
//   - first violating sample → first remedy step starting (p50, p99, max): the loop's own latency
//   - fault injected → first remedy step starting: adds the wait for the next scrape
// and each service's memory at idle, before any incident: VmRSS (counts the pages of the node
// binary and shared libraries that every service shares), PSS (shared pages split between the
// processes that map them) and private (USS: pages only this service holds).
// BENCH_SECURITY=on|off|both (default both): with security on every event is signed (ML-DSA-65)
// and verified, NATS runs over mTLS, actuation is sealed and the gateway speaks HTTPS. `both` runs
// the stack twice and prints the difference, plus the cost per event measured inside the services
// (mapek_pqc_operation_duration_seconds: sign at the publisher + verify at each consumer).
// PostgreSQL: DATABASE_URL if set, else a fresh database on the machine's PostgreSQL
// (TEST_DATABASE_ADMIN_URL), else the embedded PGlite.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack } from '../tools/stack/dist/index.js';
import { createTestDatabase } from '../libs/testing/dist/index.js';

const incidents = Number(process.env.BENCH_INCIDENTS ?? 20);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
const services = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway'];

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function memoryOf(pid) {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
  return { rss: await rssMb(pid), pss: field('Pss'), uss: field('Private_Clean') + field('Private_Dirty') };
}

let trustedCa; // the stack's development CA when the gateway speaks HTTPS
let apiToken; // the stack's admin API key when the gateway authenticates (security on)

async function getText(url) {
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
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end();
  });
}

async function getJson(url) {
  return JSON.parse(await getText(url));
}

/** Sum and count of one histogram series over every line whose labels match. */
function histogram(text, name, labels) {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!labels.every((label) => line.includes(label))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum{`)) sum += value;
    else if (line.startsWith(`${name}_count{`)) count += value;
  }
  return { sum, count };
}

async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runMode(security) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mapek-bench-'));
  let database;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    try {
      database = await createTestDatabase('mapek_bench');
      databaseUrl = database.url;
    } catch {
      databaseUrl = undefined; // the stack starts PGlite
    }
  }
  const stack = await startStack({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    anyFreePort: true,
    security,
    output: null,
    logLevel: 'warn',
    scrapeIntervalMs: 1000,
    serviceEnv: {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '2000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '500' },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '0', MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: '10000' },
    },
  });
  trustedCa = stack.caFile ? await readFile(stack.caFile, 'utf8') : undefined;
  apiToken = stack.apiKeys?.adminToken;
  try {
    console.log(`\n== security ${security}: stack up (database: ${database ? 'PostgreSQL' : databaseUrl ? 'DATABASE_URL' : 'embedded PGlite'}); idling ${idleSeconds} s before measuring memory`);
    await sleep(idleSeconds * 1000);
    const memory = {};
    for (const name of services) memory[name] = await memoryOf(stack.processes[name].pid);

    const loopMs = [];
    const endToEndMs = [];
    const seen = new Set((await getJson(`${stack.gatewayUrl}/api/v1/incidents?limit=500`)).incidents.map((incident) => incident.id));
    for (let round = 1; round <= incidents; round++) {
      const injected = Date.now();
      const response = await fetch(`${stack.demoUrl}/demo/memory-leak?size_mb=100&count=5`, { method: 'POST' });
      if (!response.ok) throw new Error(`memory-leak answered ${response.status}`);
      const incident = await waitFor(async () => {
        const { incidents: list } = await getJson(`${stack.gatewayUrl}/api/v1/incidents?limit=500`);
        // The incident this fault opened: the first one opened after the injection.
        const fresh = list.filter((candidate) => !seen.has(candidate.id) && Date.parse(candidate.openedAt) >= injected - 200);
        const first = fresh.sort((a, b) => a.openedAt.localeCompare(b.openedAt))[0];
        return first && first.outcome !== null ? first : undefined;
      }, 60_000, `incident ${round}`);
      seen.add(incident.id);
      const detail = await getJson(`${stack.gatewayUrl}/api/v1/incidents/${incident.id}`);
      const symptomIds = new Set(detail.events.analyses[0].data.symptomIds);
      const symptom = detail.events.symptoms.find((event) => symptomIds.has(event.id));
      const firstViolation = Date.parse(symptom.data.observedAt);
      const completed = detail.events.executions.find((event) => event.data.steps[0]?.startedAt);
      const remedyStart = Date.parse(completed.data.steps[0].startedAt);
      loopMs.push(remedyStart - firstViolation);
      endToEndMs.push(remedyStart - injected);
      process.stdout.write(`  incident ${String(round).padStart(2)}: ${incident.outcome}, violation → remedy ${remedyStart - firstViolation} ms, fault → remedy ${remedyStart - injected} ms\n`);
      // Let every open incident close (quiet memory) before the next round.
      await waitFor(async () => (await getJson(`${stack.demoUrl}/demo/status`)).memory.rssBytes < 300 * 1024 * 1024, 30_000, 'memory back to normal');
      await sleep(2500);
    }
    if (process.env.BENCH_VERBOSE) {
      const { incidents: all } = await getJson(`${stack.gatewayUrl}/api/v1/incidents?limit=500`);
      for (const incident of all.reverse()) {
        const detail = await getJson(`${stack.gatewayUrl}/api/v1/incidents/${incident.id}`);
        const outcome = detail.events.outcomes[0]?.data;
        console.log(incident.openedAt, incident.cause, incident.outcome, outcome?.violationsBefore, outcome?.violationsAfter, detail.events.plans[0]?.data.rule, detail.events.symptoms.length);
      }
    }
    const sortedLoop = [...loopMs].sort((a, b) => a - b);
    const sortedEnd = [...endToEndMs].sort((a, b) => a - b);
    console.log('\nloop latency over %d incidents (1 s scrape interval)', incidents);
    console.log('  first violating sample → remedy starts: p50 %d ms, p99 %d ms, max %d ms', quantile(sortedLoop, 0.5), quantile(sortedLoop, 0.99), sortedLoop.at(-1));
    console.log('  fault injected         → remedy starts: p50 %d ms, p99 %d ms, max %d ms', quantile(sortedEnd, 0.5), quantile(sortedEnd, 0.99), sortedEnd.at(-1));
    console.log('\nmemory at idle           RSS       PSS   private');
    for (const name of services) {
      const m = memory[name];
      console.log(`  ${name.padEnd(10)} ${m.rss.toFixed(1).padStart(9)} MB ${m.pss.toFixed(1).padStart(6)} MB ${m.uss.toFixed(1).padStart(6)} MB`);
    }
    let pqc;
    if (security === 'on') {
      // What signing and checking cost inside the running services, per operation.
      const name = 'mapek_pqc_operation_duration_seconds';
      const totals = { sign: { sum: 0, count: 0 }, verify: { sum: 0, count: 0 }, seal: { sum: 0, count: 0 }, open: { sum: 0, count: 0 } };
      const urls = [...services.map((service) => stack.serviceUrl(service))];
      for (const url of urls) {
        const text = await getText(`${url}/metrics`);
        for (const [op, alg] of [['sign', 'ML-DSA-65'], ['verify', 'ML-DSA-65'], ['seal', 'X-Wing']]) {
          const h = histogram(text, name, [`op="${op}"`, `alg="${alg}"`]);
          totals[op].sum += h.sum;
          totals[op].count += h.count;
        }
      }
      const mean = (t) => (t.count === 0 ? NaN : (t.sum / t.count) * 1e6);
      pqc = { signUs: mean(totals.sign), verifyUs: mean(totals.verify), sealUs: mean(totals.seal), signs: totals.sign.count, verifies: totals.verify.count };
      console.log('\nML-DSA-65 inside the services (mapek_pqc_operation_duration_seconds, all services)');
      console.log('  sign   mean %d µs over %d signatures (events, sample batches, actuation requests)', Math.round(pqc.signUs), pqc.signs);
      console.log('  verify mean %d µs over %d checks (every consumer of every event)', Math.round(pqc.verifyUs), pqc.verifies);
      console.log('  seal   mean %d µs per actuation request (X-Wing + HKDF + AES-256-GCM, executor)', Math.round(pqc.sealUs));
    }
    return { loop: sortedLoop, end: sortedEnd, memory, pqc };
  } finally {
    await stack.stop();
    await database?.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

const mode = process.env.BENCH_SECURITY ?? 'both';
const modes = mode === 'both' ? ['off', 'on'] : [mode];
const results = {};
for (const security of modes) results[security] = await runMode(security);
if (results.on && results.off) {
  const p50 = (sorted) => quantile(sorted, 0.5);
  const added = p50(results.on.loop) - p50(results.off.loop);
  // Violation → remedy crosses three signed hops (symptom → analyzer, analysis → planner,
  // plan.approved → executor) and one signed + sealed actuation request (executor → agent).
  console.log('\nsecurity on vs off (p50 of first violating sample → remedy starts)');
  console.log('  off %d ms, on %d ms: %s%d ms over the loop (3 signed events + 1 sealed request)', p50(results.off.loop), p50(results.on.loop), added >= 0 ? '+' : '', added);
  if (results.on.pqc) {
    const perEvent = results.on.pqc.signUs + results.on.pqc.verifyUs;
    console.log('  per event, measured in the services: sign %d µs + verify %d µs = %d µs', Math.round(results.on.pqc.signUs), Math.round(results.on.pqc.verifyUs), Math.round(perEvent));
    console.log('  on the violation → remedy path: 3 × %d µs + seal %d µs ≈ %s ms', Math.round(perEvent), Math.round(results.on.pqc.sealUs), ((3 * perEvent + results.on.pqc.sealUs) / 1000).toFixed(1));
  }
  console.log('  idle memory, on − off:', services.map((name) => `${name} ${(results.on.memory[name].rss - results.off.memory[name].rss).toFixed(1)} MB`).join(', '));
}
