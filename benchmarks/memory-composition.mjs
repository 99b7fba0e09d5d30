#!/usr/bin/env node
// Where the memory of the busy services goes: the stack (security on, no demo app) with
// BENCH_TARGETS (default 1,000) fake targets scraped every second, no faults, and for the monitor
// and the analyzer, every 15 s: RSS, the V8 heap (committed, in use, old and large-object spaces),
// the memory outside it that V8 knows of, V8's committed memory by space, and /proc/<pid>/smaps by
// kind of mapping (the binary, glibc's main heap, anonymous maps by size: V8's 256 KB pages fall
// under "anon < 1 MB", with its page pool, which it no longer counts as committed). At the
// end: CPU per target scraped, analyzer samples per CPU-second, RSS of every service (ADR 0016).
//
//   pnpm build && node benchmarks/memory-composition.mjs
//
//   BENCH_TARGETS (1000), BENCH_WARMUP_SECONDS (30), BENCH_SECONDS (60)
//   BENCH_NODE_ARGS_<SERVICE>   V8 flags of one service instead of the launcher's, e.g.
//                               BENCH_NODE_ARGS_MONITOR='--max-semi-space-size=8 --heap-growing-percent=50'
//   BENCH_SERVICE_ENV           extra environment per service, JSON: {"monitor":{"MALLOC_ARENA_MAX":"2"}}
//   BENCH_TRACE_GC=1            --trace-gc for every service; the logs are kept (BENCH_KEEP=1) and named
//   BENCH_HEAP_SNAPSHOT=analyzer,monitor   a heap snapshot of each at the end (written to the repository root)
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePrometheusSamples } from '../libs/prometheus-text/dist/index.js';
import { DEFAULT_SERVICES, startStack } from '../tools/stack/dist/index.js';
import { startFakeTargets } from './fake-targets.mjs';
import {
  LOOP_SERVICES,
  cpuSeconds,
  httpClient,
  loadNote,
  metricSum,
  nodeArgsNote,
  onInterrupt,
  residentMbByMapping,
  rssMb,
  withBenchServiceEnv,
  writeFakeTargetsFile,
} from './load-common.mjs';
import { fmt } from './stats.mjs';

const targetCount = Number(process.env.BENCH_TARGETS ?? 1000);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const windowSeconds = Number(process.env.BENCH_SECONDS ?? 60);
const snapshots = (process.env.BENCH_HEAP_SNAPSHOT ?? '').split(',').filter(Boolean);
const keep = Boolean(process.env.BENCH_KEEP) || Boolean(process.env.BENCH_TRACE_GC);
const WATCHED = ['monitor', 'analyzer'];
// 39 samples per target scrape, 5 of them the series the analyzer scores (as in load-scale.mjs).
const SAMPLES_PER_SCRAPE = 39;
const SCORED_PER_SCRAPE = 5;

function nodeArgsOf(service) {
  const own = process.env[`BENCH_NODE_ARGS_${service.name.toUpperCase()}`];
  return [
    ...(own === undefined ? (service.nodeArgs ?? []) : own.split(' ').filter(Boolean)),
    ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
    ...(snapshots.includes(service.name) ? ['--heapsnapshot-signal=SIGUSR2'] : []),
  ];
}

/** Resident MB by kind of mapping, largest first. */
async function residentByMapping(pid) {
  const kinds = await residentMbByMapping(pid);
  return [...kinds]
    .filter(([, mb]) => mb >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, mb]) => `${name} ${fmt(mb, 0)}`)
    .join(', ');
}

/** V8's committed MB by space, largest first (spaces under 0.5 MB left out). */
function spacesOf(metrics) {
  return parsePrometheusSamples(metrics)
    .filter((sample) => sample.metric === 'nodejs_heap_space_size_total_bytes')
    .map((sample) => [sample.labels.space, sample.value / 2 ** 20])
    .filter(([, mb]) => mb >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([space, mb]) => `${space} ${fmt(mb, 1)}`)
    .join(', ');
}

function heapOf(metrics) {
  const mb = (name, labels) => fmt(metricSum(metrics, name, labels) / 2 ** 20, 0);
  return (
    `RSS ${mb('process_resident_memory_bytes')}; V8 heap ${mb('nodejs_heap_size_total_bytes')} committed, ${mb('nodejs_heap_size_used_bytes')} in use ` +
    `(old ${mb('nodejs_heap_space_size_used_bytes', ['space="old"'])}, large objects ${mb('nodejs_heap_space_size_used_bytes', ['space="large_object"'])}); ` +
    `outside V8 ${mb('nodejs_external_memory_bytes')} MB\n            V8 committed by space: ${spacesOf(metrics)}`
  );
}

const fake = await startFakeTargets({ count: targetCount });
onInterrupt(() => fake.stop());
const dataDir = await mkdtemp(join(tmpdir(), 'mapek-memory-'));
const targetsFile = await writeFakeTargetsFile(dataDir, fake);
const services = DEFAULT_SERVICES.filter((service) => service.role !== 'demo').map((service) => ({
  ...service,
  nodeArgs: nodeArgsOf(service),
}));
console.log(`${targetCount} targets; ${nodeArgsNote(services)}; ${loadNote()}${keep ? `; logs in ${dataDir}/logs` : ''}`);
const stack = await startStack({
  dataDir,
  services,
  anyFreePort: true,
  security: 'on',
  output: null,
  logLevel: 'warn',
  scrapeIntervalMs: 1000,
  readyTimeoutMs: 120_000,
  serviceEnv: withBenchServiceEnv({ monitor: { MAPEK_MONITOR_TARGETS: `@${targetsFile}` } }),
});
const forget = onInterrupt(() => stack.stop());
const client = httpClient({ ca: stack.caFile ? await readFile(stack.caFile, 'utf8') : undefined, token: stack.apiKeys?.adminToken });
const metricsOf = (name) => client.getText(`${stack.serviceUrl(name)}/metrics`);
try {
  await sleep(warmupSeconds * 1000);
  const cpuBefore = {};
  for (const name of LOOP_SERVICES) cpuBefore[name] = await cpuSeconds(stack.processes[name].pid);
  const before = { monitor: await metricsOf('monitor'), analyzer: await metricsOf('analyzer') };
  const started = Date.now();
  const rss = Object.fromEntries(LOOP_SERVICES.map((name) => [name, []]));
  let lastDetail = 0;
  while (Date.now() - started < windowSeconds * 1000) {
    await sleep(2000);
    for (const name of LOOP_SERVICES) rss[name].push(await rssMb(stack.processes[name].pid));
    if (Date.now() - lastDetail < 15_000) continue;
    lastDetail = Date.now();
    for (const name of WATCHED) {
      console.log(`  ${name.padEnd(9)} ${heapOf(await metricsOf(name))}`);
      console.log(`  ${''.padEnd(9)} resident by mapping: ${await residentByMapping(stack.processes[name].pid)}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = {};
  for (const name of LOOP_SERVICES) cpu[name] = ((await cpuSeconds(stack.processes[name].pid)) - cpuBefore[name]) / seconds;
  const after = { monitor: await metricsOf('monitor'), analyzer: await metricsOf('analyzer') };
  const delta = (service, name, labels) => metricSum(after[service], name, labels) - metricSum(before[service], name, labels);
  const scrapesPerS = delta('monitor', 'mapek_monitor_scrapes_total', ['result="ok"']) / seconds;
  const samplesPerS = ((delta('analyzer', 'mapek_analyzer_samples_scored_total') / SCORED_PER_SCRAPE) * SAMPLES_PER_SCRAPE) / seconds;
  console.log(`window ${fmt(seconds, 0)} s (${loadNote()})`);
  console.log(
    `  monitor: ${fmt(scrapesPerS)} scrapes/s, ${fmt(cpu.monitor, 3)} cores = ${fmt((cpu.monitor * 1000) / scrapesPerS, 3)} ms per target scraped; ` +
      `${delta('monitor', 'mapek_monitor_ticks_skipped_total')} ticks skipped`,
  );
  console.log(
    `  analyzer: ${fmt(samplesPerS)} samples/s, ${fmt(cpu.analyzer, 3)} cores = ${fmt(samplesPerS / cpu.analyzer)} samples per CPU-second`,
  );
  for (const name of LOOP_SERVICES) {
    const values = rss[name];
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    console.log(`  ${name.padEnd(10)} RSS max ${fmt(Math.max(...values), 1)} MB, mean ${fmt(mean, 1)} MB; CPU ${fmt(cpu[name], 3)} cores`);
  }
  for (const name of snapshots) {
    const seen = new Set(await readdir(process.cwd()));
    process.kill(stack.processes[name].pid, 'SIGUSR2');
    for (let waited = 0; waited < 120; waited++) {
      await sleep(1000);
      const written = (await readdir(process.cwd())).filter((file) => !seen.has(file) && file.endsWith('.heapsnapshot'));
      if (written.length === 0) continue;
      await sleep(3000); // still being written
      console.log(`  ${name} heap snapshot: ${written.join(', ')}`);
      break;
    }
  }
} finally {
  client.close();
  await stack.stop();
  forget();
  await fake.stop();
  if (!keep) await rm(dataDir, { recursive: true, force: true });
}
