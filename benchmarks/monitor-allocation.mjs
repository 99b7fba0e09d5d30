#!/usr/bin/env node
// What the monitor allocates per target scraped, outside its HTTP client: the body of a fake target
// (fake-targets.mjs, 39 samples) parsed into samples, the threshold rules applied, the scrapes
// gathered into batches of ~100 targets (as 8 partitions of 4,000 samples make at 1,000 targets)
// and published: the contract's check, the envelope, its JSON, the ML-DSA-65 signature (Node's
// OpenSSL) and the body's bytes, to a JetStream client that only takes them. For each stage, the
// V8 heap allocated per target (no collection runs within a round: a 128 MB young generation) and
// the CPU per target. docs/reports/load.md §11.
//
//   pnpm build && node --expose-gc --max-semi-space-size=128 --min-semi-space-size=128 benchmarks/monitor-allocation.mjs
//
//   BENCH_TARGETS (1000)            targets per round; BENCH_ROUNDS (5) measured rounds per stage, the best kept
//   BENCH_HEAP_PROFILE=<file>       also a sampling heap profile of 10 full rounds (collected objects
//                                   included), for `chrome://inspect` or a script
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { samplesOfText } from '../services/monitor/dist/adapters/http-scraper.js';
import { defaultRules, evaluateRules } from '../services/monitor/dist/domain/threshold-rules.js';
import { JetStreamPublisher, createEnvelopeSigner } from '../libs/messaging/dist/index.js';
import { createNodeCryptoBackend } from '../libs/pqc/dist/index.js';
import { startFakeTargets } from './fake-targets.mjs';

const targetCount = Number(process.env.BENCH_TARGETS ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const heapProfile = process.env.BENCH_HEAP_PROFILE;
const SCRAPES_PER_BATCH = 102;
const STAGES = ['parse', 'rules', 'envelope', 'publish'];

const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
if (typeof globalThis.gc !== 'function' || (newSpace?.space_size ?? 0) < 64 * 1024 * 1024) {
  console.error('run with --expose-gc --max-semi-space-size=128 --min-semi-space-size=128 (see the header)');
  process.exit(2);
}

// One real body per target, as the fake targets serve them.
const fake = await startFakeTargets({ count: Math.min(targetCount, 50) });
const bodies = [];
try {
  for (const { port } of fake.targets) bodies.push(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
} finally {
  await fake.stop();
}

const backend = createNodeCryptoBackend();
const { secretKey } = backend.mlDsa65.generateKeyPair();
const identity = { signingKey: () => ({ kid: 'bench', secretKey }) };
const js = { publish: () => Promise.resolve({ stream: 'MAPEK_TELEMETRY', seq: 1, duplicate: false }) };
const publisher = new JetStreamPublisher({ js, prefix: 'mapek', source: 'monitor', signer: createEnvelopeSigner({ backend, identity }) });
const names = Array.from({ length: targetCount }, (_, index) => `load-${String(index).padStart(4, '0')}`);

/** One scrape round of every target, up to `stage`. */
async function round(stage) {
  let scrapes = [];
  for (let index = 0; index < targetCount; index += 1) {
    const samples = samplesOfText(bodies[index % bodies.length]);
    if (stage === 'parse') continue;
    evaluateRules(defaultRules, samples);
    scrapes.push({ samples, scrapeDurationMs: 1.5, scrapedAt: new Date().toISOString(), target: names[index] });
    if (scrapes.length < SCRAPES_PER_BATCH && index < targetCount - 1) continue;
    const input = { target: 'samples-0', data: { scrapes } };
    if (stage === 'envelope') publisher.envelope('sample.batch', input);
    if (stage === 'publish') await publisher.publish('sample.batch', input);
    scrapes = [];
  }
}

console.log(`${targetCount} targets, ${bodies[0].length} bytes and ${samplesOfText(bodies[0]).length} samples per scrape`);
console.log('stage      heap per target  CPU per target   (each stage includes the ones above it)');
for (const stage of STAGES) {
  for (let warm = 0; warm < 5; warm += 1) await round(stage);
  let heap = Infinity;
  let cpu = Infinity;
  for (let measured = 0; measured < rounds; measured += 1) {
    globalThis.gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    await round(stage);
    const used = process.cpuUsage(cpuBefore);
    heap = Math.min(heap, process.memoryUsage().heapUsed - heapBefore);
    cpu = Math.min(cpu, used.user + used.system);
  }
  console.log(
    `${stage.padEnd(10)} ${`${(heap / targetCount / 1024).toFixed(1)} KB`.padStart(15)}  ${`${(cpu / targetCount).toFixed(1)} µs`.padStart(14)}`,
  );
}

if (heapProfile) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let profiled = 0; profiled < 10; profiled += 1) await round('publish');
  const { profile } = await session.post('HeapProfiler.stopSampling');
  await writeFile(heapProfile, JSON.stringify(profile));
  console.log(`heap profile of 10 rounds: ${heapProfile}`);
}
