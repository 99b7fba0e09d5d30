#!/usr/bin/env node
// What the monitor's HTTP client keeps resident for its targets (issue 13, item 6: memory at
// 1,000 targets), without the rest of the monitor: the monitor's own `httpGet` (scrape, body read)
// and `probeHttp` (health, body dropped) against fake-targets.mjs, for BENCH_ROUNDS rounds (default
// 5) of every target, in each schedule of BENCH_SCHEDULES (comma separated, default all four):
//
//   at-once-pair    every target at once, its scrape and probe side by side (the monitor with the
//                   scrapes all at once: two keep-alive connections per target)
//   at-once-serial  every target at once, the probe after the scrape (one connection per target)
//   spread-pair     targets a few at a time over a 1 s round, scrape and probe side by side (the
//                   monitor's default since load report §17)
//   spread-serial   the same, the probe after the scrape
//
// Each schedule runs in a fresh child process with the monitor's V8 flags and malloc settings, and
// prints after a full collection: RSS, V8 heap committed / in use, glibc's main heap (`[heap]` in
// smaps) and the open connections.
//
//   pnpm build && node benchmarks/scrape-client-memory.mjs       # BENCH_TARGETS (default 1000)
import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BUSY_LOOP_NODE_ARGS, LOOP_ALLOCATOR_ENV } from '../tools/stack/dist/index.js';
import { startFakeTargets } from './fake-targets.mjs';
import { residentMbByMapping } from './load-common.mjs';

const SCHEDULES = ['at-once-pair', 'at-once-serial', 'spread-pair', 'spread-serial'];
const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') await child(process.argv[3], JSON.parse(process.argv[4]), Number(process.argv[5]));
else await main();

async function main() {
  const count = Number(process.env.BENCH_TARGETS ?? 1000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const schedules = (process.env.BENCH_SCHEDULES ?? SCHEDULES.join(',')).split(',');
  for (const schedule of schedules)
    if (!SCHEDULES.includes(schedule)) throw new Error(`BENCH_SCHEDULES: ${schedule} is not one of ${SCHEDULES.join(', ')}`);
  const fake = await startFakeTargets({ count, prefix: 'mem' });
  try {
    console.log(
      `${count} fake targets, ${rounds} rounds per schedule; monitor flags ${BUSY_LOOP_NODE_ARGS.join(' ')}; Node ${process.version}`,
    );
    console.log('| schedule | RSS | V8 heap committed / in use | glibc [heap] | connections open |');
    console.log('|---|---:|---:|---:|---:|');
    for (const schedule of schedules) {
      const ports = fake.targets.map((target) => target.port);
      const proc = fork(here, ['--child', schedule, JSON.stringify(ports), String(rounds)], {
        execArgv: ['--expose-gc', ...BUSY_LOOP_NODE_ARGS],
        env: { ...LOOP_ALLOCATOR_ENV, ...process.env },
      });
      const result = await new Promise((resolve, reject) => {
        proc.once('message', resolve);
        proc.once('exit', (code) => reject(new Error(`the ${schedule} child exited with ${code} before it reported`)));
      });
      console.log(
        `| ${schedule} | ${result.rssMb.toFixed(1)} MB | ${result.heapTotalMb.toFixed(1)} / ${result.heapUsedMb.toFixed(1)} MB | ${result.glibcHeapMb.toFixed(1)} MB | ${result.connections} |`,
      );
    }
  } finally {
    await fake.stop();
  }
}

async function child(schedule, ports, rounds) {
  const { httpGet, probeHttp } = await import('../services/monitor/dist/adapters/http-scraper.js');
  const observe = async (port) => {
    const scrape = () => httpGet(`http://127.0.0.1:${port}/metrics`, { timeoutMs: 2000, readBody: true });
    const probe = () => probeHttp(`http://127.0.0.1:${port}/health`, 2000);
    if (schedule.endsWith('-pair')) await Promise.all([scrape(), probe()]);
    else {
      await scrape();
      await probe();
    }
  };
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    if (schedule.startsWith('at-once')) await Promise.all(ports.map(observe));
    else {
      // A few targets every 20 ms, so that the round takes about a second, as the monitor's spread does.
      const slices = 50;
      const perSlice = Math.ceil(ports.length / slices);
      const pending = [];
      for (let slice = 0; slice < slices; slice++) {
        pending.push(...ports.slice(slice * perSlice, (slice + 1) * perSlice).map(observe));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.all(pending);
    }
    const left = 1000 - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
  globalThis.gc();
  const memory = process.memoryUsage();
  const sent = {
    rssMb: memory.rss / 2 ** 20,
    heapTotalMb: memory.heapTotal / 2 ** 20,
    heapUsedMb: memory.heapUsed / 2 ** 20,
    glibcHeapMb: (await residentMbByMapping()).get('[heap]') ?? 0,
    connections: openConnections(),
  };
  process.send(sent, () => process.exit(0));
}

/** TCP connections this process has open (its socket descriptors that `ss` lists as established). */
function openConnections() {
  const out = execFileSync('ss', ['-tnp', 'state', 'established'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(`pid=${process.pid},`)).length;
}
