#!/usr/bin/env node
// What sharing per-target state through KV costs the analyzer: one replica against two.
//
//   pnpm build && node benchmarks/analyzer-replicas.mjs
//
// Each run starts a three-member nats-server cluster (streams and buckets at R3, as in
// production) and only the analyzer (one or two replicas, security off so that a tap may watch
// the KV traffic), then publishes threshold symptoms as a monitor would: BENCH_TARGETS targets
// (default 1 and 10), BENCH_RATE symptoms per second in all (default 40) for BENCH_SECONDS
// (default 15). Printed per run:
//   - KV operations per symptom on the analyzer's bucket, seen by a core subscription on the
//     request subjects: reads (direct gets), write attempts (create/update/put on $KV.…), writes
//     stored (the bucket stream's sequence), and lost compare-and-sets (attempts − stored), by key;
//   - handling time per symptom (mapek_event_handle_duration_seconds of both replicas);
//   - first symptom of a target → its analysis (p50, p99), and the time to drain every symptom.
// The incident state of a target is read and written with compare-and-set by whichever replica
// holds its symptom: with two replicas, symptoms of one target are handled at once and one of two
// writers loses and retries.
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVICES, serviceReplica, startStack } from '../tools/stack/dist/index.js';
import { startNatsCluster, waitFor } from '../libs/testing/dist/index.js';
import { JetStreamPublisher } from '../libs/messaging/dist/index.js';
import { histogramSum, quantile } from './stats.mjs';

// nats.js as libs/messaging depends on it (the repository root has no dependency of its own on it).
const fromMessaging = createRequire(new URL('../libs/messaging/package.json', import.meta.url));
const { connect } = await import(fromMessaging.resolve('@nats-io/transport-node'));
const { jetstream, jetstreamManager } = await import(fromMessaging.resolve('@nats-io/jetstream'));

const rate = Number(process.env.BENCH_RATE ?? 40);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const targetCounts = (process.env.BENCH_TARGETS ?? '1,10').split(',').map(Number);
const BUCKET = 'mapek_analyzer';

/** The key family of a KV subject: incident, index, graph, detectors, learner. */
function family(key) {
  return key.split('.')[0];
}

async function scrapedHistogram(url, name, labels) {
  return histogramSum(await (await fetch(`${url}/metrics`)).text(), name, labels);
}

async function run(replicas, targets) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mapek-bench-analyzer-'));
  const cluster = await startNatsCluster();
  let stack;
  const taps = [];
  try {
    const analyzer = DEFAULT_SERVICES.find((service) => service.name === 'analyzer');
    const services = replicas === 2 ? [analyzer, serviceReplica(analyzer, 'analyzer-2')] : [analyzer];
    const env = { MAPEK_ANALYZER_ANOMALY_DETECTION: 'false', MAPEK_ACK_WAIT_MS: '10000' };
    stack = await startStack({
      dataDir,
      natsUrl: cluster.url,
      security: 'off',
      streamReplicas: 3,
      withoutDatabase: true,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      services,
      serviceEnv: Object.fromEntries(services.map((service) => [service.name, env])),
    });
    const nc = await connect({ servers: cluster.url.split(',') });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);

    // The tap: every request the analyzers send to their bucket is also delivered here.
    const reads = new Map();
    const writes = new Map();
    const count = (map, key) => map.set(family(key), (map.get(family(key)) ?? 0) + 1);
    taps.push(nc.subscribe(`$KV.${BUCKET}.>`, { callback: (_error, msg) => count(writes, msg.subject.slice(`$KV.${BUCKET}.`.length)) }));
    taps.push(
      nc.subscribe(`$JS.API.DIRECT.GET.KV_${BUCKET}.>`, {
        callback: (_error, msg) => count(reads, msg.subject.slice(`$JS.API.DIRECT.GET.KV_${BUCKET}.$KV.${BUCKET}.`.length)),
      }),
    );
    taps.push(
      nc.subscribe(`$JS.API.STREAM.MSG.GET.KV_${BUCKET}`, {
        callback: (_error, msg) =>
          count(reads, JSON.parse(new TextDecoder().decode(msg.data)).last_by_subj?.slice(`$KV.${BUCKET}.`.length) ?? 'by-seq'),
      }),
    );
    const firstSymptom = new Map();
    const analysisLatency = [];
    taps.push(
      nc.subscribe('mapek.analyses.>', {
        callback: (_error, msg) => {
          const envelope = JSON.parse(new TextDecoder().decode(msg.data));
          const sent = firstSymptom.get(envelope.target);
          if (sent !== undefined) analysisLatency.push(performance.now() - sent);
        },
      }),
    );
    await nc.flush();
    const seqBefore = (await jsm.streams.info(`KV_${BUCKET}`)).state.last_seq;
    const handledBefore = await Promise.all(
      services.map((service) =>
        scrapedHistogram(stack.serviceUrl(service.name), 'mapek_event_handle_duration_seconds', ['type="symptom"']),
      ),
    );

    const publisher = new JetStreamPublisher({ js, prefix: 'mapek', source: 'monitor' });
    const total = rate * seconds;
    const started = performance.now();
    for (let index = 0; index < total; index++) {
      const target = `bench-${index % targets}`;
      const due = started + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (!firstSymptom.has(target)) firstSymptom.set(target, performance.now());
      await publisher.publish('symptom', {
        target,
        data: {
          source: 'threshold',
          rule: 'memory',
          severity: 'critical',
          metric: 'process_resident_memory_bytes',
          value: 500 * 1024 * 1024,
          threshold: 400 * 1024 * 1024,
          labels: {},
          description: 'resident memory above 400 MB',
          observedAt: new Date().toISOString(),
        },
      });
    }
    // Drained: the analyzers acknowledged every symptom.
    await waitFor(
      async () => {
        const info = await jsm.consumers.info('MAPEK_EVENTS', 'analyzer');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 300_000, intervalMs: 50, what: 'the analyzers to acknowledge every symptom' },
    );
    const drainedS = (performance.now() - started) / 1000;
    await nc.flush();
    const stored = (await jsm.streams.info(`KV_${BUCKET}`)).state.last_seq - seqBefore;
    const handledAfter = await Promise.all(
      services.map((service) =>
        scrapedHistogram(stack.serviceUrl(service.name), 'mapek_event_handle_duration_seconds', ['type="symptom"']),
      ),
    );
    const handled = handledAfter.reduce(
      (acc, after, index) => ({
        sum: acc.sum + after.sum - handledBefore[index].sum,
        count: acc.count + after.count - handledBefore[index].count,
      }),
      { sum: 0, count: 0 },
    );
    const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
    await nc.close();
    return {
      replicas,
      targets,
      symptoms: total,
      reads: sum(reads) / total,
      readsByKey: Object.fromEntries([...reads].map(([key, value]) => [key, +(value / total).toFixed(2)])),
      writes: sum(writes) / total,
      writesByKey: Object.fromEntries([...writes].map(([key, value]) => [key, +(value / total).toFixed(2)])),
      stored: stored / total,
      lost: (sum(writes) - stored) / total,
      handleMs: (handled.sum / Math.max(1, handled.count)) * 1000,
      handledCount: handled.count,
      analysisP50: quantile(analysisLatency, 0.5),
      analysisP99: quantile(analysisLatency, 0.99),
      drainedS,
    };
  } finally {
    for (const tap of taps) tap.unsubscribe();
    await stack?.stop();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (const targets of targetCounts) {
  for (const replicas of [1, 2]) {
    process.stderr.write(`analyzer × ${replicas}, ${targets} target(s), ${rate} symptoms/s for ${seconds} s …\n`);
    results.push(await run(replicas, targets));
  }
}

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
console.log(`\nanalyzer KV cost per symptom (R3 cluster of 3, ${rate} symptoms/s for ${seconds} s)\n`);
console.log('replicas targets | reads  writes stored lost-CAS | handle ms | first symptom→analysis p50/p99 ms | drained s');
for (const r of results) {
  console.log(
    `${String(r.replicas).padStart(8)} ${String(r.targets).padStart(7)} | ${fixed(r.reads).padStart(5)} ${fixed(r.writes).padStart(6)} ${fixed(r.stored).padStart(6)} ${fixed(r.lost).padStart(8)} | ${fixed(r.handleMs).padStart(9)} | ${`${fixed(r.analysisP50, 0)} / ${fixed(r.analysisP99, 0)}`.padStart(33)} | ${fixed(r.drainedS, 1).padStart(9)}`,
  );
}
console.log('\nby key (per symptom):');
for (const r of results)
  console.log(`  ×${r.replicas}, ${r.targets} target(s): reads ${JSON.stringify(r.readsByKey)} writes ${JSON.stringify(r.writesByKey)}`);
for (const targets of targetCounts) {
  const one = results.find((r) => r.targets === targets && r.replicas === 1);
  const two = results.find((r) => r.targets === targets && r.replicas === 2);
  if (!one || !two) continue;
  console.log(
    `\n${targets} target(s): a second replica adds ${fixed(two.reads + two.writes - one.reads - one.writes)} KV ops per symptom ` +
      `(${fixed(two.lost)} lost compare-and-sets) and ${fixed(two.handleMs - one.handleMs)} ms of handling per symptom; ` +
      `first symptom → analysis p50 ${fixed(one.analysisP50, 0)} → ${fixed(two.analysisP50, 0)} ms`,
  );
}
