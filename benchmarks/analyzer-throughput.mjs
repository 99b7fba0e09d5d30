#!/usr/bin/env node
// The analyzer's sample throughput in the live loop (issue 13, item 6: ≥ 50,000 samples/s per
// replica): real signed sample batches from the real monitor scraping BENCH_TARGETS fake targets
// (default 1,000; 39 samples per batch, 5 of them watched series the detector scores), security on.
//
//   pnpm build && node benchmarks/analyzer-throughput.mjs
//
// Per round and analyzer build: every analyzer stopped, the monitor publishes for
// BENCH_BACKLOG_SECONDS (default 10), the monitor is stopped, one analyzer started; from its
// first acknowledgement until nothing is pending on `analyzer-samples`, the batches it acknowledged
// per second, and its CPU (start-up included). BENCH_ANALYZERS compares builds in the same run, `name:entry` comma separated
// (default `current:services/analyzer/dist/main.js`), e.g. the tree before a change built into
// services/analyzer/.before/dist. BENCH_ROUNDS (default 2) rounds, builds alternating.
// BENCH_NODE_ARGS picks the V8 flags (a variant of load-common.mjs, default jit).
// BENCH_MONITOR_ENV adds monitor settings (JSON), e.g. the size of its sample batches.
// Only NATS, the monitor and the analyzers run (no database).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceReplica, startStack } from '../tools/stack/dist/index.js';
import { startFakeTargets } from './fake-targets.mjs';
import {
  onInterrupt,
  cpuSeconds,
  loadNote,
  measureDrain,
  metricReader,
  metricSum,
  natsJetStream,
  nats,
  nodeArgsNote,
  rssMb,
  servicesWithNodeArgs,
  withBenchServiceEnv,
} from './load-common.mjs';
import { fmt } from './stats.mjs';

const targetCount = Number(process.env.BENCH_TARGETS ?? 1000);
const backlogSeconds = Number(process.env.BENCH_BACKLOG_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const variant = process.env.BENCH_NODE_ARGS ?? 'jit';
const builds = (process.env.BENCH_ANALYZERS ?? 'current:services/analyzer/dist/main.js').split(',').map((pair) => {
  const [name, entry] = pair.split(':');
  return { name, entry };
});
// A target's scrape: 39 samples, 5 of them the watched series the detector scores. A batch carries
// the scrapes of one target (sample.batch v1) or of many (v2): samples are counted from the series
// the analyzer scored (5 per target scrape), which reads the same for both.
const SAMPLES_PER_SCRAPE = 39;
const SCORED_PER_SCRAPE = 5;

const fake = await startFakeTargets({ count: targetCount, prefix: 'tput' });
onInterrupt(() => fake.stop());
const dataDir = await mkdtemp(join(tmpdir(), 'mapek-analyzer-tput-'));
const targetsFile = join(dataDir, 'targets.json');
await writeFile(targetsFile, JSON.stringify(fake.targets.map((t) => ({ name: t.name, metricsUrl: `http://127.0.0.1:${t.port}/metrics` }))));
const all = servicesWithNodeArgs(variant);
const monitor = all.find((s) => s.name === 'monitor');
const analyzer = all.find((s) => s.name === 'analyzer');
const analyzers = builds.map((build) => ({ ...serviceReplica(analyzer, `analyzer-${build.name}`), entry: build.entry }));
console.log(
  `${targetCount} targets, V8 ${variant} (${nodeArgsNote([monitor, analyzer])}), builds ${builds.map((b) => `${b.name}=${b.entry}`).join(', ')}; Node ${process.version}; ${loadNote()}`,
);
const stack = await startStack({
  dataDir,
  services: [monitor, ...analyzers],
  withoutDatabase: true,
  anyFreePort: true,
  security: 'on',
  output: null,
  logLevel: 'warn',
  readyTimeoutMs: 180_000,
  // BENCH_MONITOR_ENV: more of the monitor's settings as JSON, e.g. '{"MAPEK_MONITOR_BATCH_MAX_SAMPLES":"1000"}';
  // BENCH_SERVICE_ENV any service's (the analyzers are named `analyzer-<build>`).
  serviceEnv: withBenchServiceEnv({
    monitor: { MAPEK_MONITOR_TARGETS: `@${targetsFile}`, ...JSON.parse(process.env.BENCH_MONITOR_ENV ?? '{}') },
  }),
});
onInterrupt(() => stack.stop());
const nc = await nats.connect(stack.natsConnectOptions('cli'));
const jsm = await natsJetStream.jetstreamManager(nc);
const results = [];
try {
  // What a stopped replica leaves behind: batches delivered to it and not acknowledged (those it
  // gave back included, until they are delivered again). One it neither acknowledged nor gave back
  // reaches the next replica only after the 30 s ack wait, which a round's drain then shows.
  const leftBehind = async (when) => {
    const info = await jsm.consumers.info('MAPEK_TELEMETRY', 'analyzer-samples');
    console.log(`  ${when}: ${info.num_ack_pending} batches delivered and not acknowledged, ${info.num_pending} not yet delivered`);
  };
  for (const a of analyzers) await stack.stopService(a.name);
  await leftBehind('after the first stop');
  for (let round = 1; round <= rounds; round++) {
    for (const a of analyzers) {
      await sleep(backlogSeconds * 1000);
      await stack.stopService('monitor');
      const drain = await measureDrain(jsm, 'MAPEK_TELEMETRY', 'analyzer-samples', () => stack.startService(a.name), {
        cpu: () => cpuSeconds(stack.processes[a.name].pid),
        progress: metricReader(() => `${stack.serviceUrl(a.name)}/metrics`, 'mapek_analyzer_samples_scored_total'),
      });
      const cpu = drain.cores;
      const rss = await rssMb(stack.processes[a.name].pid);
      const { backlog, drained, seconds } = drain;
      const metrics = await (await fetch(`${stack.serviceUrl(a.name)}/metrics`)).text();
      // A fresh process: everything it scored, it scored while draining.
      const scrapesScored = metricSum(metrics, 'mapek_analyzer_samples_scored_total') / SCORED_PER_SCRAPE;
      const result = {
        build: a.name.replace('analyzer-', ''),
        round,
        backlog,
        drained,
        seconds,
        batchesPerS: drain.perSecond,
        scrapesPerBatch: scrapesScored / drained,
        samplesPerS: (scrapesScored * SAMPLES_PER_SCRAPE) / seconds,
        scoredPerS: (scrapesScored * SCORED_PER_SCRAPE) / seconds,
        samplesPerCpuSecond: (scrapesScored * SAMPLES_PER_SCRAPE) / (cpu * seconds),
        cpu,
        rss,
        checkpoints: metricSum(metrics, 'mapek_analyzer_checkpoints_written_total'),
        acknowledgedAfterS: drain.acknowledgedAfterS,
        rejected: metricSum(metrics, 'mapek_events_rejected_total'),
        load: loadNote(),
      };
      results.push(result);
      console.log(
        `  round ${round}, ${result.build}: ${drained} of ${backlog} batches (${fmt(result.scrapesPerBatch, 1)} target scrapes each) in ${fmt(seconds, 1)} s = ${fmt(result.batchesPerS)} batches/s = ${fmt(result.samplesPerS)} samples/s ` +
          `(${fmt(result.scoredPerS)} scored/s); ${fmt(cpu, 2)} cores = ${fmt(result.samplesPerCpuSecond)} samples per CPU-second, RSS at the end ${fmt(rss, 1)} MB; checkpoints written ${result.checkpoints || 'n/a'}, the last acknowledgement ${fmt(result.acknowledgedAfterS, 1)} s after the last batch scored; rejected ${result.rejected} (${result.load})`,
      );
      await stack.stopService(a.name);
      await leftBehind(`after round ${round}'s stop`);
      await stack.startService('monitor');
    }
  }
} finally {
  await nc.close();
  await stack.stop();
  await fake.stop();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(`\nanalyzer throughput, one replica draining a backlog (${targetCount} targets, security on, target ≥ 50,000 samples/s)`);
console.log('| build | round | batches/s | scrapes per batch | samples/s | scored/s | cores | samples per CPU-second | met? |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results)
  console.log(
    `| ${r.build} | ${r.round} | ${fmt(r.batchesPerS)} | ${fmt(r.scrapesPerBatch, 1)} | ${fmt(r.samplesPerS)} | ${fmt(r.scoredPerS)} | ${fmt(r.cpu, 2)} | ${fmt(r.samplesPerCpuSecond)} | ${r.samplesPerS >= 50_000 ? 'yes' : 'no'} |`,
  );
