#!/usr/bin/env node
// The gateway at a fixed request rate (issue 13, item 6: p95 < 10 ms at 2,000 requests/s), with
// HTTPS and API-key authentication as they run for real, once per V8 flag variant in the same run.
//
//   pnpm build && node benchmarks/gateway-load.mjs
//
// An open-loop generator (not wrk's closed loop, which slows down with the server and hides the
// queueing): BENCH_RATE requests/s (default 2,000) for BENCH_SECONDS (default 20) per endpoint,
// over BENCH_CONNECTIONS keep-alive TLS connections (default 32); each latency counts from the
// moment its request was due, so a stalled server is charged for the requests waiting behind it.
// Endpoints (BENCH_PATHS, comma separated):
//   /api/v1/session           authentication (SHA-256 of the key against the keys file), the
//                             shared rate limit (a KV read and compare-and-set per request), no backend
//   /api/v1/incidents?limit=20 the same, then a NATS request to knowledge and a PostgreSQL query
// The admin key's allowance is raised (MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE) so the limit is
// counted for every request but refuses none. Variants: BENCH_VARIANTS (default interpreter,jit,
// node-default; load-common.mjs). The stack runs without the demo app; the generator runs in
// this process, on the same cores. BENCH_CPU_PROF_DIR=<dir>: the gateway and knowledge write V8
// CPU profiles (--cpu-prof) under <dir>/<service> when the stack stops. BENCH_GATEWAY_REPLICAS=2
// runs a second gateway process (the same identity, API keys and shared rate limit, as a replica
// behind a load balancer) and sends the requests to the two in turn, each over half the connections.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { certsDirOf, startStack } from '../tools/stack/dist/index.js';
import { benchmarkDatabase, onInterrupt, cpuSeconds, loadNote, nodeArgsNote, rssMb, servicesWithNodeArgs } from './load-common.mjs';
import { fmt, quantile } from './stats.mjs';

const rate = Number(process.env.BENCH_RATE ?? 2000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const gatewayReplicas = Number(process.env.BENCH_GATEWAY_REPLICAS ?? 1);
if (gatewayReplicas !== 1 && gatewayReplicas !== 2)
  throw new Error(`BENCH_GATEWAY_REPLICAS must be 1 or 2, got ${process.env.BENCH_GATEWAY_REPLICAS}`);
/** The gateway processes: `gateway`, and `gateway-2` with BENCH_GATEWAY_REPLICAS=2. */
const gatewayNames = gatewayReplicas === 2 ? ['gateway', 'gateway-2'] : ['gateway'];
const paths = (process.env.BENCH_PATHS ?? '/api/v1/session,/api/v1/incidents?limit=20').split(',');
const variants = (process.env.BENCH_VARIANTS ?? 'interpreter,jit,node-default')
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);

/** Sends `rate` requests/s for `seconds` to `urls` in turn, each latency from when it was due. */
async function openLoop({ urls, ca, token, rate: perSecond, seconds: duration }) {
  const agent = new Agent({ keepAlive: true, maxSockets: Math.ceil(connections / urls.length), ca });
  const total = Math.round(perSecond * duration);
  const latencies = [];
  const statuses = new Map();
  let errors = 0;
  let done = 0;
  let resolveAll;
  const all = new Promise((resolve) => (resolveAll = resolve));
  const finish = () => {
    done += 1;
    if (done === total) resolveAll();
  };
  const send = (dueAt, url) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - dueAt);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        finish();
      });
    });
    req.on('error', () => {
      errors += 1;
      finish();
    });
    req.end();
  };
  const started = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * perSecond));
      while (sent < due) {
        send(started + (sent * 1000) / perSecond, urls[sent % urls.length]);
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.race([all, sleep(30_000)]);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const ok = statuses.get(200) ?? 0;
  return {
    total,
    completed: latencies.length,
    achieved: latencies.length / elapsed,
    ok,
    statuses: Object.fromEntries(statuses),
    errors: errors + (total - done),
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: Math.max(...latencies),
  };
}

async function runVariant(variant) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mapek-gateway-load-'));
  const database = await benchmarkDatabase('mapek_gateway_load');
  // BENCH_CPU_PROF_DIR: the gateway and knowledge write V8 CPU profiles there when they stop.
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profiled = servicesWithNodeArgs(variant).map((service) =>
    profileDir && ['gateway', 'knowledge'].includes(service.name)
      ? { ...service, nodeArgs: [...service.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}/${service.name}`] }
      : service,
  );
  // A replica is the gateway's own definition on a port of its own (its identity set below).
  const gateway = profiled.find((service) => service.name === 'gateway');
  const services = gatewayReplicas === 2 ? [...profiled, { ...gateway, name: 'gateway-2', port: 0 }] : profiled;
  const limits = { MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE: String(rate * 60 * 100), MAPEK_GATEWAY_RATE_LIMIT_BURST: String(rate * 10) };
  const stack = await startStack({
    dataDir,
    ...(database.url ? { databaseUrl: database.url } : {}),
    services,
    anyFreePort: true,
    security: 'on',
    output: null,
    logLevel: 'warn',
    serviceEnv: {
      gateway: limits,
      'gateway-2': { ...limits, MAPEK_IDENTITY: 'gateway', MAPEK_GATEWAY_API_KEYS_FILE: join(certsDirOf(dataDir), 'api-keys.json') },
    },
  });
  const forget = onInterrupt(() => stack.stop());
  const ca = await readFile(stack.caFile, 'utf8');
  const token = stack.apiKeys.adminToken;
  const gatewayCpu = async () =>
    (await Promise.all(gatewayNames.map((name) => cpuSeconds(stack.processes[name].pid)))).reduce((a, b) => a + b, 0);
  const results = [];
  try {
    console.log(`\n== ${variant}: ${nodeArgsNote(services)}; database ${database.kind}; gateway processes: ${gatewayNames.join(', ')}`);
    for (const path of paths) {
      const urls = gatewayNames.map((name) => `${stack.serviceUrl(name)}${path}`);
      await openLoop({ urls, ca, token, rate: Math.min(rate, 200), seconds: 3 }); // warm-up: connections, JIT
      const cpu0 = {
        gateway: await gatewayCpu(),
        knowledge: await cpuSeconds(stack.processes.knowledge.pid),
        nats: await cpuSeconds(stack.processes['nats-server'].pid),
      };
      const result = await openLoop({ urls, ca, token, rate, seconds });
      // CPU seconds per request: a figure that does not depend on how much of the machine the
      // gateway got (the run lasts longer than `seconds` when it falls behind).
      const cpuMsPerRequest = (((await gatewayCpu()) - cpu0.gateway) * 1000) / Math.max(1, result.completed);
      const cpu = {
        gateway: ((await gatewayCpu()) - cpu0.gateway) / seconds,
        knowledge: ((await cpuSeconds(stack.processes.knowledge.pid)) - cpu0.knowledge) / seconds,
        nats: ((await cpuSeconds(stack.processes['nats-server'].pid)) - cpu0.nats) / seconds,
      };
      const rss = Math.max(...(await Promise.all(gatewayNames.map((name) => rssMb(stack.processes[name].pid)))));
      const row = { variant, path, ...result, cpu, cpuMsPerRequest, rss, load: loadNote() };
      results.push(row);
      console.log(
        `  GET ${path} at ${rate}/s for ${seconds} s: achieved ${fmt(result.achieved)}/s, p50 ${fmt(result.p50, 1)} ms, p95 ${fmt(result.p95, 1)} ms, p99 ${fmt(result.p99, 1)} ms, max ${fmt(result.max)} ms; ` +
          `statuses ${JSON.stringify(result.statuses)}, errors ${result.errors}; gateway CPU ${fmt(cpuMsPerRequest, 3)} ms per request (${fmt((cpuMsPerRequest * rate) / 1000, 2)} cores at ${rate}/s); knowledge ${fmt(cpu.knowledge, 2)}, nats ${fmt(cpu.nats, 2)} cores over ${seconds} s; gateway RSS ${fmt(rss, 1)} MB${gatewayNames.length > 1 ? ' (the larger replica)' : ''} (${row.load})`,
      );
      await sleep(3000);
    }
    return results;
  } finally {
    await stack.stop();
    forget();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `gateway load: ${rate} requests/s, ${seconds} s per endpoint, ${connections} connections, ${gatewayNames.length} gateway process(es), HTTPS + API key; Node ${process.version}; ${loadNote()}`,
);
const all = [];
for (const variant of variants) all.push(...(await runVariant(variant)));
console.log(
  `\ntarget of issue 13, item 6: gateway p95 < 10 ms at ${rate} requests/s (${gatewayNames.length} gateway process(es); CPU per request: all of them)`,
);
console.log('| variant | endpoint | achieved/s | p50 ms | p95 ms | p99 ms | non-200 + errors | gateway CPU ms/request | met? |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of all) {
  const bad = r.total - r.ok;
  console.log(
    `| ${r.variant} | ${r.path} | ${fmt(r.achieved)} | ${fmt(r.p50, 1)} | ${fmt(r.p95, 1)} | ${fmt(r.p99, 1)} | ${bad} | ${fmt(r.cpuMsPerRequest, 3)} | ${r.p95 < 10 && bad === 0 ? 'yes' : 'no'} |`,
  );
}
