#!/usr/bin/env node
// The loop at scale: BENCH_TARGETS (default 1,000) real HTTP targets scraped every second by one
// monitor replica, the whole stack as OS processes, security on (mTLS, ML-DSA-65 on every event
// and sample batch), once per V8 flag variant, in the same run (issue 13, items 4 and 6).
//
//   pnpm build && node benchmarks/load-scale.mjs
//
// The targets are fake-targets.mjs: one child process, one loopback port per target, 39 samples
// per scrape (the agent gauges, process metrics, a request histogram). Per variant
// (BENCH_VARIANTS, default interpreter,jit,node-default; also jit-uniform; see NODE_ARGS_VARIANTS in load-common.mjs):
//   1. warm-up (BENCH_WARMUP_SECONDS, default 30);
//   2. a measured window (BENCH_SECONDS, default 60) with a memory fault every BENCH_FAULT_EVERY_MS
//      (default 4000) on the next target, held 3 s: scrape round span (first to last request of a
//      round of every target, at the targets), scrapes/s, sample batches and samples/s through the
//      analyzer (and its consumer lag), CPU (cores) and RSS (max of samples every 2 s) per service,
//      and per fault: first violating sample (the symptom's observedAt) → analysis, symptom
//      published → analysis, and → the executor starting the first remedy step;
//   3. a burst: BENCH_BURST targets (default 100) faulted at once; the time until each has an
//      analysis and an outcome gives incidents per minute through the loop (the fake targets have
//      no agent, so the remedy step fails at once: this measures the loop, not the remedy);
//   4. the analyzer's capacity: analyzer stopped for BENCH_BACKLOG_SECONDS (default 8) while the
//      monitor keeps publishing, then the monitor stopped and the analyzer started: sample batches
//      drained per second, from ready until nothing is pending.
// Then a table against the issue's targets. BENCH_SERVICE_ENV ({"<service>": {"VAR": "value"}})
// adds variables to the services; BENCH_RENICE ({"<process>": niceness}, a service, nats-server,
// pglite or fake-targets) sets a niceness once the stack is up; both for ablations.
//
// PostgreSQL: DATABASE_URL if set, else a fresh database on TEST_DATABASE_ADMIN_URL, else PGlite.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bulkNiceness, startStack } from '../tools/stack/dist/index.js';
import { startFakeTargets } from './fake-targets.mjs';
import {
  LOOP_SERVICES,
  benchmarkDatabase,
  onInterrupt,
  cpuSeconds,
  httpClient,
  loadNote,
  measureDrain,
  benchRenice,
  startNatsProbe,
  metricReader,
  metricSum,
  nodeArgsNote,
  rssMb,
  servicesWithNodeArgs,
  tapLoop,
  withBenchServiceEnv,
  writeFakeTargetsFile,
} from './load-common.mjs';
import { fmt, quantile, summary } from './stats.mjs';

const targetCount = Number(process.env.BENCH_TARGETS ?? 1000);
const variants = (process.env.BENCH_VARIANTS ?? 'interpreter,jit,node-default')
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const windowSeconds = Number(process.env.BENCH_SECONDS ?? 60);
const faultEveryMs = Number(process.env.BENCH_FAULT_EVERY_MS ?? 4000);
const burstSize = Number(process.env.BENCH_BURST ?? 100);
const backlogSeconds = Number(process.env.BENCH_BACKLOG_SECONDS ?? 8);
// A target's scrape: 39 samples, 5 of them the watched series the detector scores. A batch carries
// one target's scrape (sample.batch v1) or many (v2): samples are counted from the series the
// analyzer scored, which reads the same for both.
const SAMPLES_PER_SCRAPE = 39;
const SCORED_PER_SCRAPE = 5;

async function processCpu(stack, fakePid) {
  const cpu = {};
  for (const [name, proc] of Object.entries(stack.processes))
    if (proc.pid && proc.running !== false) cpu[name] = await cpuSeconds(proc.pid).catch(() => NaN);
  cpu['fake-targets'] = await cpuSeconds(fakePid);
  return cpu;
}

async function metricsOf(stack, client) {
  const out = {};
  for (const name of LOOP_SERVICES) out[name] = await client.getText(`${stack.serviceUrl(name)}/metrics`).catch(() => '');
  return out;
}

/** For one fault: the first events of its target after it was set. */
function faultFigures(events, target, setAt) {
  const after = events.filter((event) => event.envelope.target === target && event.at >= setAt - 50);
  const symptom = after.find((event) => event.kind === 'symptoms' && event.envelope.data?.rule === 'memory');
  const analysis = after.find((event) => event.kind === 'analyses');
  const incidentId = analysis?.envelope.incidentId;
  const plan = (type) =>
    after.find((event) => event.kind === 'plans' && event.envelope.type === type && event.envelope.incidentId === incidentId);
  const proposed = plan('plan.proposed');
  const approved = plan('plan.approved');
  const execution = after.find((event) => event.kind === 'executions' && event.envelope.data?.steps?.[0]?.startedAt);
  const outcome = after.find((event) => event.kind === 'outcomes');
  const observed = symptom ? Date.parse(symptom.envelope.data.observedAt) : NaN;
  const publishedAt = (event) => (event ? Date.parse(event.envelope.time) : NaN);
  const analysisAt = publishedAt(analysis);
  const stepAt = execution ? Date.parse(execution.envelope.data.steps[0].startedAt) : NaN;
  return {
    violationToAnalysis: analysisAt - observed,
    symptomToAnalysis: analysisAt - publishedAt(symptom),
    violationToStep: stepAt - observed,
    faultToAnalysis: analysisAt - setAt,
    // Each hop from the stamps the services put on their events (one clock: one machine).
    hops: {
      'violation → symptom': publishedAt(symptom) - observed,
      'symptom → analysis': analysisAt - publishedAt(symptom),
      'analysis → proposed': publishedAt(proposed) - analysisAt,
      'proposed → approved': publishedAt(approved) - publishedAt(proposed),
      'approved → step': stepAt - publishedAt(approved),
    },
    target,
    observedAt: observed,
    stepAt,
    analysisSeenAt: analysis?.at,
    outcomeSeenAt: outcome?.at,
  };
}

/** The hops' medians, and the hops of the slowest faults: where a tail of violation → remedy step comes from. */
function printHops(figures, probeSamples = []) {
  const done = figures.filter((f) => Number.isFinite(f.violationToStep));
  if (done.length === 0) return;
  const names = Object.keys(done[0].hops);
  console.log(
    `  hops p50: ${names
      .map(
        (name) =>
          `${name} ${fmt(
            quantile(
              done.map((f) => f.hops[name]),
              0.5,
            ),
          )}`,
      )
      .join(', ')} ms`,
  );
  // nats-server's slowest answers to the probe sent while the fault went through the loop.
  const probedDuring = (f) => {
    const during = probeSamples.filter((p) => p.at >= f.observedAt && p.at <= f.stepAt);
    if (during.length === 0) return '';
    // Each service's event loop: time runnable but waiting for a CPU, from the last probe before
    // the violation to the first after the step.
    const before = probeSamples.findLast((p) => p.at < f.observedAt) ?? during[0];
    const after = probeSamples.find((p) => p.at > f.stepAt) ?? during.at(-1);
    const waits = Object.keys(after.waitMs ?? {})
      .map((name) => `${name} ${fmt(after.waitMs[name] - before.waitMs[name], 1)}`)
      .join(', ');
    return (
      `; nats probe meanwhile: max PING ${fmt(Math.max(...during.map((p) => p.rtt)), 1)}, max JetStream API ${fmt(Math.max(...during.map((p) => p.js)), 1)} ms` +
      (waits ? `; waiting for a CPU meanwhile: ${waits} ms` : '')
    );
  };
  for (const slow of [...done].sort((a, b) => b.violationToStep - a.violationToStep).slice(0, 3))
    console.log(
      `  slow: ${fmt(slow.violationToStep)} ms = ${names.map((name) => `${name} ${fmt(slow.hops[name])}`).join(', ')}${probedDuring(slow)}`,
    );
  if (probeSamples.length > 0) {
    const of = (key, q) =>
      fmt(
        quantile(
          probeSamples.map((p) => p[key]),
          q,
        ),
        1,
      );
    console.log(
      `  nats probe every 10 ms (${probeSamples.length} samples): PING p50 ${of('rtt', 0.5)}, p99 ${of('rtt', 0.99)}, max ${of('rtt', 1)} ms; ` +
        `JetStream API p50 ${of('js', 0.5)}, p99 ${of('js', 0.99)}, max ${of('js', 1)} ms`,
    );
  }
}

async function consumerInfo(jsm) {
  const info = await jsm.consumers.info('MAPEK_TELEMETRY', 'analyzer-samples');
  return { pending: info.num_pending, ackPending: info.num_ack_pending, acked: info.ack_floor.stream_seq };
}

async function runVariant(variant, fake, targetsFile) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mapek-load-'));
  const database = await benchmarkDatabase('mapek_load');
  const services = servicesWithNodeArgs(variant);
  console.log(`\n== ${variant}: ${nodeArgsNote(services)}; ${targetCount} targets; database ${database.kind}`);
  const starting = Date.now();
  let stack;
  try {
    stack = await startStack({
      dataDir,
      ...(database.url ? { databaseUrl: database.url } : {}),
      services,
      anyFreePort: true,
      security: 'on',
      output: null,
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
      scrapeIntervalMs: 1000,
      readyTimeoutMs: 120_000,
      serviceEnv: withBenchServiceEnv({
        monitor: { MAPEK_MONITOR_TARGETS: `@${targetsFile}` },
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '2000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '500' },
        // The fake targets have no agent: every remedy fails, which must not demote the remedy to manual approval.
        planner: { MAPEK_PLANNER_COOLDOWN_MS: '0', MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: '100000', MAPEK_PLANNER_AUTONOMY_DEMOTE_ON: 'none' },
      }),
    });
  } catch (error) {
    // A service that cannot keep up with the targets may not even answer its readiness probe.
    const reason = `${error.message.split('\n')[0]}`;
    console.log(`  the stack did not come up (${reason}; ${loadNote()})`);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    return { variant, failed: reason, cpu: {}, rssMax: {}, faults: [], startMs: Date.now() - starting };
  }
  console.log(`  stack ready after ${fmt((Date.now() - starting) / 1000, 1)} s`);
  const lowered = [
    ...services.filter((service) => service.bulk).map((service) => service.name),
    ...(stack.processes.pglite ? ['pglite'] : []),
  ];
  console.log(`  ${lowered.join(', ')} at niceness ${bulkNiceness()} (MAPEK_BULK_NICENESS)`);
  const reniced = await benchRenice(stack.processes, { 'fake-targets': fake.pid });
  if (reniced) console.log(`  ${reniced} (BENCH_RENICE)`);
  const forget = onInterrupt(() => stack.stop());
  const client = httpClient({ ca: stack.caFile ? await readFile(stack.caFile, 'utf8') : undefined, token: stack.apiKeys?.adminToken });
  const tap = await tapLoop(stack);
  const result = { variant };
  try {
    await sleep(warmupSeconds * 1000);
    console.log(`  warm-up done (${loadNote()})`);

    // 2. The measured window.
    const cpuBefore = await processCpu(stack, fake.pid);
    const metricsBefore = await metricsOf(stack, client);
    const statsBefore = await fake.stats();
    const consumerBefore = await consumerInfo(tap.jsm);
    const windowStart = Date.now();
    const probe = startNatsProbe(
      stack.natsConnectOptions('cli'),
      10,
      Object.fromEntries(['analyzer', 'planner', 'executor', 'knowledge', 'gateway'].map((name) => [name, stack.processes[name].pid])),
    );
    const rssMax = {};
    const sampleRss = async () => {
      for (const name of LOOP_SERVICES) rssMax[name] = Math.max(rssMax[name] ?? 0, await rssMb(stack.processes[name].pid).catch(() => 0));
    };
    const faults = [];
    let next = 0;
    const rssTimer = setInterval(() => void sampleRss(), 2000);
    const faultTimer = setInterval(() => {
      const target = fake.targets[next++ % fake.targets.length].name;
      const setAt = Date.now();
      faults.push({ target, setAt });
      void fake
        .fault(target, 'memory')
        .then(() => sleep(3000))
        .then(() => fake.fault(target, 'off'));
    }, faultEveryMs);
    await sleep(windowSeconds * 1000);
    clearInterval(faultTimer);
    clearInterval(rssTimer);
    await sampleRss();
    const windowS = (Date.now() - windowStart) / 1000;
    const cpuAfter = await processCpu(stack, fake.pid);
    const metricsAfter = await metricsOf(stack, client);
    const statsAfter = await fake.stats();
    const consumerAfter = await consumerInfo(tap.jsm);
    const load = loadNote();
    await sleep(4000); // the last fault's events
    const probeSamples = await probe.stop();
    const firstRound = statsBefore.rounds.at(-1)?.startedAt ?? 0;
    const rounds = statsAfter.rounds.filter((round) => round.startedAt > firstRound);
    const delta = (service, name, labels) =>
      metricSum(metricsAfter[service], name, labels) - metricSum(metricsBefore[service], name, labels);
    const batches = delta('analyzer', 'mapek_events_consumed_total', ['type="sample.batch"', 'result="ok"']);
    const published = delta('monitor', 'mapek_events_published_total', ['type="sample.batch"']);
    const figures = faults.map((fault) => faultFigures(tap.events, fault.target, fault.setAt));
    Object.assign(result, {
      windowS,
      load,
      cpu: Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, (cpuAfter[name] - cpuBefore[name]) / windowS])),
      rssMax,
      roundSpanP50: quantile(
        rounds.map((r) => r.spanMs),
        0.5,
      ),
      roundSpanP99: quantile(
        rounds.map((r) => r.spanMs),
        0.99,
      ),
      rounds: rounds.length,
      scrapesPerS: delta('monitor', 'mapek_monitor_scrapes_total', ['result="ok"']) / windowS,
      scrapeErrorsPerS: delta('monitor', 'mapek_monitor_scrapes_total', ['result="error"']) / windowS,
      batchesPublishedPerS: published / windowS,
      batchesPerS: batches / windowS,
      samplesPerS: ((delta('analyzer', 'mapek_analyzer_samples_scored_total') / SCORED_PER_SCRAPE) * SAMPLES_PER_SCRAPE) / windowS,
      scoredPerS: delta('analyzer', 'mapek_analyzer_samples_scored_total') / windowS,
      lagBefore: consumerBefore.pending + consumerBefore.ackPending,
      lagAfter: consumerAfter.pending + consumerAfter.ackPending,
      rejected: LOOP_SERVICES.reduce((sum, name) => sum + delta(name, 'mapek_events_rejected_total'), 0),
      faults: figures,
    });
    // CPU per unit of work does not depend on how many cores the machine had free; wall-clock rates do.
    result.monitorCpuMsPerScrape = (result.cpu.monitor * 1000) / result.scrapesPerS;
    result.analyzerCpuMsPerBatch = (result.cpu.analyzer * 1000) / result.batchesPerS;
    result.analyzerSamplesPerCpuSecond = result.samplesPerS / result.cpu.analyzer;
    console.log(`  window ${fmt(windowS, 1)} s (${load}); ${faults.length} faults`);
    console.log(
      `  CPU per unit of work: monitor ${fmt(result.monitorCpuMsPerScrape, 2)} ms per target scraped (→ ${fmt(result.monitorCpuMsPerScrape, 2)} cores for 1,000 targets at 1 s), ` +
        `analyzer ${fmt(result.analyzerCpuMsPerBatch, 2)} ms per batch (→ ${fmt(result.analyzerSamplesPerCpuSecond)} samples/s per core)`,
    );
    console.log(
      `  scrape: ${fmt(result.scrapesPerS)} scrapes/s ok, ${fmt(result.scrapeErrorsPerS, 1)} errors/s; round of ${targetCount} targets spans p50 ${fmt(result.roundSpanP50)} ms, p99 ${fmt(result.roundSpanP99)} ms (${rounds.length} rounds)`,
    );
    console.log(
      `  analyzer: ${fmt(result.batchesPerS)} batches/s of ${fmt(result.batchesPublishedPerS)} published = ${fmt(result.samplesPerS)} samples/s (${fmt(result.scoredPerS)} scored/s); lag ${result.lagBefore} → ${result.lagAfter} batches; rejected events ${result.rejected}`,
    );
    console.log(`  violation → analysis:  ${summary(figures.map((f) => f.violationToAnalysis))}`);
    console.log(`  symptom → analysis:    ${summary(figures.map((f) => f.symptomToAnalysis))}`);
    console.log(`  violation → remedy step: ${summary(figures.map((f) => f.violationToStep))}`);
    printHops(figures, probeSamples);
    console.log(`  fault set → analysis:  ${summary(figures.map((f) => f.faultToAnalysis))}`);
    // Where the memory is at the end of the window (prom-client's process and V8 gauges): the V8
    // heap (committed, in use) and the memory outside it that V8 knows of (Buffers, ArrayBuffers).
    const mb = (service, name) => metricSum(metricsAfter[service], name) / 2 ** 20;
    result.heap = Object.fromEntries(
      LOOP_SERVICES.map((name) => [
        name,
        {
          total: mb(name, 'nodejs_heap_size_total_bytes'),
          used: mb(name, 'nodejs_heap_size_used_bytes'),
          external: mb(name, 'nodejs_external_memory_bytes'),
        },
      ]),
    );
    console.log('  service     CPU (cores)  RSS max     V8 heap total / used, external at the end');
    for (const name of [...LOOP_SERVICES, 'nats-server', 'pglite', 'fake-targets']) {
      if (result.cpu[name] === undefined) continue;
      const heap = result.heap[name];
      console.log(
        `    ${name.padEnd(12)} ${fmt(result.cpu[name], 3).padStart(8)}  ${rssMax[name] ? `${fmt(rssMax[name], 1)} MB` : ''}` +
          (heap ? `    ${fmt(heap.total, 0)} / ${fmt(heap.used, 0)} MB, ${fmt(heap.external, 0)} MB` : ''),
      );
    }

    // 3. A burst of faults at once.
    if (burstSize > 0) {
      const burst = fake.targets.slice(targetCount - burstSize).map((target) => target.name);
      const setAt = Date.now();
      await Promise.all(burst.map((name) => fake.fault(name, 'memory')));
      const deadline = Date.now() + 60_000;
      let figuresBurst = [];
      while (Date.now() < deadline) {
        await sleep(500);
        figuresBurst = burst.map((name) => faultFigures(tap.events, name, setAt));
        if (figuresBurst.every((f) => f.analysisSeenAt !== undefined)) break;
      }
      await Promise.all(burst.map((name) => fake.fault(name, 'off')));
      if (process.env.BENCH_EVENTS_FILE)
        await writeFile(process.env.BENCH_EVENTS_FILE, JSON.stringify(tap.events.filter((event) => burst.includes(event.envelope.target))));
      const analysed = figuresBurst.filter((f) => f.analysisSeenAt !== undefined);
      const outcomes = figuresBurst.filter((f) => f.outcomeSeenAt !== undefined);
      const lastAnalysis = Math.max(...analysed.map((f) => f.analysisSeenAt)) - setAt;
      const lastOutcome = Math.max(...outcomes.map((f) => f.outcomeSeenAt)) - setAt;
      result.burst = {
        size: burstSize,
        analysed: analysed.length,
        outcomes: outcomes.length,
        lastAnalysisMs: lastAnalysis,
        lastOutcomeMs: lastOutcome,
      };
      // The fake targets have no agent to carry a remedy out, so the loop's rate is counted to the analysis.
      result.burst.incidentsPerMinute = (analysed.length / (lastAnalysis / 1000)) * 60;
      console.log(
        `  burst of ${burstSize} faults at once: ${analysed.length} analysed (last after ${fmt(lastAnalysis)} ms), ${outcomes.length} outcomes (last after ${fmt(lastOutcome)} ms) ` +
          `= ${fmt(result.burst.incidentsPerMinute)} incidents/min analysed; violation → analysis ${summary(analysed.map((f) => f.violationToAnalysis))}`,
      );
      await sleep(5000);
    }

    // 4. The analyzer's capacity: drain a backlog.
    if (backlogSeconds > 0) {
      await stack.stopService('analyzer');
      await sleep(backlogSeconds * 1000);
      await stack.stopService('monitor');
      const drain = await measureDrain(tap.jsm, 'MAPEK_TELEMETRY', 'analyzer-samples', () => stack.startService('analyzer'), {
        cpu: () => cpuSeconds(stack.processes.analyzer.pid),
        progress: metricReader(() => `${stack.serviceUrl('analyzer')}/metrics`, 'mapek_analyzer_samples_scored_total'),
      });
      const { drained, seconds: drainS } = drain;
      // A fresh process: everything it scored, it scored while draining.
      const drainMetrics = await client.getText(`${stack.serviceUrl('analyzer')}/metrics`).catch(() => '');
      const scrapesScored = metricSum(drainMetrics, 'mapek_analyzer_samples_scored_total') / SCORED_PER_SCRAPE;
      result.capacity = {
        backlog: drain.backlog,
        drained,
        drainS,
        batchesPerS: drain.perSecond,
        samplesPerS: (scrapesScored * SAMPLES_PER_SCRAPE) / drainS,
        scoredPerS: (scrapesScored * SCORED_PER_SCRAPE) / drainS,
        cpu: drain.cores,
        rejected: metricSum(drainMetrics, 'mapek_events_rejected_total'),
      };
      console.log(
        `  analyzer capacity: ${drained} of ${result.capacity.backlog} backlogged batches drained in ${fmt(drainS, 1)} s = ${fmt(result.capacity.batchesPerS)} batches/s = ` +
          `${fmt(result.capacity.samplesPerS)} samples/s (${fmt(result.capacity.scoredPerS)} scored/s), ${fmt(result.capacity.cpu, 2)} cores; rejected ${result.capacity.rejected} (${loadNote()})`,
      );
      await stack.startService('monitor');
    }
    return result;
  } finally {
    await tap.close().catch(() => undefined);
    client.close();
    await stack.stop();
    forget();
    await database.drop();
    // BENCH_KEEP_DATA=1 keeps the stack's data directory (its services' logs) for a post-mortem.
    if (process.env.BENCH_KEEP_DATA === '1') console.log(`  data and logs kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

const fake = await startFakeTargets({ count: targetCount });
onInterrupt(() => fake.stop());
const targetsDir = await mkdtemp(join(tmpdir(), 'mapek-load-targets-'));
const targetsFile = await writeFakeTargetsFile(targetsDir, fake);
console.log(
  `${targetCount} targets on ports ${fake.targets[0].port}…${fake.targets.at(-1).port} (pid ${fake.pid}); Node ${process.version}; ${loadNote()}`,
);
const results = [];
try {
  for (const variant of variants) results.push(await runVariant(variant, fake, targetsFile));
} finally {
  await fake.stop();
  await rm(targetsDir, { recursive: true, force: true });
}

const widths = [60, 24];
const row = (cells) => `| ${cells.map((cell, index) => String(cell).padEnd(widths[Math.min(index, 1)])).join(' | ')} |`;
console.log(`\ntargets of issue 13, item 6 (${targetCount} targets at a 1 s scrape, security on; one column per V8 flag variant)`);
console.log(row(['measure', ...results.map((r) => r.variant), 'target']));
console.log(row(['stack came up', ...results.map((r) => (r.failed ? 'no (monitor not ready)' : 'yes')), '']));
console.log(row(['monitor CPU (cores)', ...results.map((r) => fmt(r.cpu.monitor, 2)), '≤ 0.5']));
console.log(
  row(['monitor CPU ms per target scrape (= cores at 1,000 targets)', ...results.map((r) => fmt(r.monitorCpuMsPerScrape, 2)), '≤ 0.5']),
);
console.log(row(['analyzer samples/s per core (live)', ...results.map((r) => fmt(r.analyzerSamplesPerCpuSecond)), '≥ 50,000']));
console.log(
  row([
    'scrape round span p50 / p99',
    ...results.map((r) => `${fmt(r.roundSpanP50)} / ${fmt(r.roundSpanP99)} ms`),
    'within the 1 s interval',
  ]),
);
console.log(
  row([
    'analyzer samples/s in the live loop',
    ...results.map((r) => `${fmt(r.samplesPerS)} (lag ${r.lagBefore}→${r.lagAfter})`),
    'keeps up',
  ]),
);
console.log(
  row([
    'analyzer capacity, samples/s',
    ...results.map((r) => (r.capacity ? `${fmt(r.capacity.samplesPerS)} (${fmt(r.capacity.scoredPerS)} scored)` : 'n/a')),
    '≥ 50,000 per replica',
  ]),
);
console.log(
  row([
    'violation → analysis p99',
    ...results.map(
      (r) =>
        `${fmt(
          quantile(
            r.faults.map((f) => f.violationToAnalysis),
            0.99,
          ),
        )} ms`,
    ),
    '< 100 ms',
  ]),
);
console.log(
  row([
    'violation → remedy step p99',
    ...results.map(
      (r) =>
        `${fmt(
          quantile(
            r.faults.map((f) => f.violationToStep),
            0.99,
          ),
        )} ms`,
    ),
    '< 100 ms',
  ]),
);
console.log(row(['incidents per minute (burst)', ...results.map((r) => (r.burst ? fmt(r.burst.incidentsPerMinute) : 'n/a')), 'measure']));
for (const name of LOOP_SERVICES)
  console.log(row([`${name} RSS max`, ...results.map((r) => `${fmt(r.rssMax[name], 1)} MB`), '< 150 MB (JIT on)']));
for (const name of LOOP_SERVICES) console.log(row([`${name} CPU (cores)`, ...results.map((r) => fmt(r.cpu[name], 3)), '']));
console.log(row(['nats-server CPU (cores)', ...results.map((r) => fmt(r.cpu['nats-server'], 3)), '']));
