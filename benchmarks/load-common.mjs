// What the load benchmarks (load-scale.mjs, gateway-load.mjs, soak.mjs) share: the V8 flag
// variants they compare, process CPU and memory from /proc, Prometheus text sums, an HTTPS client
// that trusts the stack's CA and sends its API key, the database a run uses, and a tap on the loop's
// events. The figures themselves are in stats.mjs.
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request as httpsRequest } from 'node:https';
import { DEFAULT_SERVICES, lowerPriority } from '../tools/stack/dist/index.js';
import { createTestDatabase } from '../libs/testing/dist/index.js';

// nats.js as libs/messaging depends on it (the repository root has no dependency of its own on it).
const fromMessaging = createRequire(new URL('../libs/messaging/package.json', import.meta.url));
export const nats = await import(fromMessaging.resolve('@nats-io/transport-node'));
export const natsJetStream = await import(fromMessaging.resolve('@nats-io/jetstream'));

export const LOOP_SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway'];

/**
 * The V8 flags compared: `interpreter` is what the services ran with before ADR 0013 (Ignition
 * only, 1 MB semi-space), `jit` the launcher's own flags per service (every compiler on; ADR 0013,
 * and ADR 0016 for the monitor and the analyzer), `jit-uniform` ADR 0013's 1 MB semi-space for
 * every service (what `jit` was before ADR 0016), `node-default` Node's own defaults (every
 * compiler, 16 MB semi-spaces on 64-bit). The launcher's allocator settings (LOOP_ALLOCATOR_ENV)
 * apply to every variant.
 */
export const NODE_ARGS_VARIANTS = {
  interpreter: ['--max-semi-space-size=1', '--no-opt', '--no-maglev', '--no-sparkplug'],
  jit: null,
  'jit-uniform': ['--max-semi-space-size=1'],
  'node-default': [],
};

/**
 * DEFAULT_SERVICES with the loop services' V8 flags replaced (the demo app keeps its own), and
 * one service's flags replaced by BENCH_NODE_ARGS_<SERVICE> when set (space separated), e.g.
 * BENCH_NODE_ARGS_MONITOR='--max-semi-space-size=8 --heap-growing-percent=100'.
 */
/**
 * A benchmark's service environment with BENCH_SERVICE_ENV (`{"<service>": {"VAR": "value"}}`, for
 * ablations) on top, variable by variable.
 */
export function withBenchServiceEnv(base) {
  const merged = { ...base };
  for (const [service, env] of Object.entries(JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}')))
    merged[service] = { ...merged[service], ...env };
  return merged;
}

/**
 * BENCH_RENICE (JSON, e.g. `{"knowledge":10,"fake-targets":10}`): the niceness of processes of the
 * run, set on every thread (Linux keeps a niceness per thread) and on the process's autogroup (see
 * lowerPriority in tools/stack) once they are up: the stack's `processes` (each service,
 * `nats-server`, `pglite`) and `others` (name → pid, e.g. `fake-targets`). Returns a note for the
 * report, empty when nothing was asked.
 */
export async function benchRenice(processes, others = {}) {
  const pids = { ...Object.fromEntries(Object.entries(processes).map(([name, proc]) => [name, proc.pid])), ...others };
  const asked = Object.entries(JSON.parse(process.env.BENCH_RENICE ?? '{}'));
  for (const [name, niceness] of asked) {
    const pid = pids[name];
    if (pid === undefined) throw new Error(`BENCH_RENICE names ${name}, which is not one of ${Object.keys(pids).join(', ')}`);
    if (niceness === 'idle') {
      // SCHED_IDLE (sched(7)) for every thread: the process runs only when no other wants the CPU.
      execFileSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(pid)]);
      continue;
    }
    for (const task of await readdir(`/proc/${pid}/task`)) setPriority(Number(task), niceness);
    const refused = await lowerPriority(pid, niceness);
    if (refused) throw new Error(`BENCH_RENICE: ${name}: ${refused}`);
  }
  return asked.map(([name, niceness]) => (niceness === 'idle' ? `${name} at SCHED_IDLE` : `${name} at niceness ${niceness}`)).join(', ');
}

export function servicesWithNodeArgs(variant, { withDemo = false } = {}) {
  const nodeArgs = NODE_ARGS_VARIANTS[variant];
  if (nodeArgs === undefined) throw new Error(`unknown V8 flag variant ${variant}: one of ${Object.keys(NODE_ARGS_VARIANTS).join(', ')}`);
  return DEFAULT_SERVICES.filter((service) => withDemo || service.role !== 'demo').map((service) => {
    if (service.role === 'demo') return service;
    const own = process.env[`BENCH_NODE_ARGS_${service.name.toUpperCase()}`];
    if (own !== undefined) return { ...service, nodeArgs: own.split(' ').filter(Boolean) };
    return nodeArgs === null ? service : { ...service, nodeArgs };
  });
}

/** The flags of each loop service, for a report line: `monitor=[…] analyzer=[…] others=[…]`. */
export function nodeArgsNote(services) {
  const flags = (service) => service.nodeArgs?.join(' ') || 'no flags';
  const byFlags = new Map();
  for (const service of services.filter((s) => s.role !== 'demo'))
    byFlags.set(flags(service), [...(byFlags.get(flags(service)) ?? []), service.name]);
  return [...byFlags].map(([args, names]) => `${names.join(', ')}: ${args}`).join('; ');
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds a process used so far. */
export async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * Resident MB of a process by kind of mapping (`/proc/<pid>/smaps`): a file by its base name,
 * `[heap]` (glibc's main heap), `[stack]`, and anonymous maps as `anon < 1 MB` (V8's heap pages
 * among them) or `anon ≥ 1 MB`.
 */
export async function residentMbByMapping(pid = process.pid) {
  const kinds = new Map();
  let kind = '';
  for (const line of (await readFile(`/proc/${pid}/smaps`, 'utf8')).split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const sizeMb = (parseInt(header[2], 16) - parseInt(header[1], 16)) / 2 ** 20;
      const path = header[3] ?? '';
      kind = path.startsWith('/') ? path.split('/').at(-1) : path || (sizeMb < 1 ? 'anon < 1 MB' : 'anon ≥ 1 MB');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds.set(kind, (kinds.get(kind) ?? 0) + Number(rss[1]) / 1024);
  }
  return kinds;
}

/** The machine's load while a figure was taken: the 1-minute load average on `cores` cores. */
export function loadNote() {
  const [one, five] = loadavg();
  return `load average ${one.toFixed(1)} (1 min), ${five.toFixed(1)} (5 min)`;
}

/** Sum of every sample line of a metric whose labels contain all of `labels` (`key="value"`). */
export function metricSum(text, name, labels = []) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `))) continue;
    if (!labels.every((label) => line.includes(label))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * The database of one run: DATABASE_URL if set, else a fresh database named `name` on the machine's
 * PostgreSQL (TEST_DATABASE_ADMIN_URL), else none, and the stack starts the embedded PGlite.
 * `kind` says which, for the report; `drop()` removes a fresh database and leaves the others.
 */
export async function benchmarkDatabase(name) {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, kind: 'DATABASE_URL', drop: async () => undefined };
  try {
    const database = await createTestDatabase(name);
    return { url: database.url, kind: 'PostgreSQL', drop: () => database.drop().catch(() => undefined) };
  } catch {
    return { url: undefined, kind: 'PGlite', drop: async () => undefined };
  }
}

/** GET over HTTP, or HTTPS trusting `ca` and sending `token` as a bearer key. */
export function httpClient({ ca, token } = {}) {
  const agent = new Agent({ keepAlive: true, ca, maxSockets: 64 });
  async function getText(url) {
    if (!url.startsWith('https:')) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return response.text();
    }
    return new Promise((resolve, reject) => {
      const request = httpsRequest(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end();
    });
  }
  return { getText, getJson: async (url) => JSON.parse(await getText(url)), close: () => agent.destroy() };
}

/**
 * Every loop event (symptoms, analyses, plans, executions, outcomes) as it is published, seen by a
 * core subscription of the `cli` identity, with the time it arrived.
 */
export async function tapLoop(stack, prefix = 'mapek') {
  const nc = await nats.connect({ ...stack.natsConnectOptions('cli'), name: 'load benchmark tap' });
  const events = [];
  const decoder = new TextDecoder();
  for (const kind of ['symptoms', 'analyses', 'plans', 'executions', 'outcomes']) {
    nc.subscribe(`${prefix}.${kind}.>`, {
      callback: (error, msg) => {
        if (error) return;
        try {
          events.push({ subject: msg.subject, kind, at: Date.now(), envelope: JSON.parse(decoder.decode(msg.data)) });
        } catch {
          // not an envelope
        }
      },
    });
  }
  await nc.flush();
  const jsm = await natsJetStream.jetstreamManager(nc);
  return { nc, jsm, events, close: () => nc.close() };
}

/**
 * A probe of nats-server's responsiveness, in a worker thread of its own (so that the benchmark's
 * own work does not delay it): every `everyMs` a PING round trip (`rtt`, the server's read loop for
 * this client) and a JetStream API request (`js`, `$JS.API.INFO`, the server's JetStream API).
 * `stop()` resolves with every sample: `{ at }` (epoch ms when sent), `rtt` and `js` in ms, and
 * `waitMs`: for each process of `pids` (name → pid), the time its main thread (a service's event
 * loop) has spent runnable but waiting for a CPU, cumulated (`/proc/<pid>/schedstat`).
 */
export function startNatsProbe(connectOptions, everyMs = 10, pids = {}) {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const waited = () => {
      const out = {};
      for (const [name, pid] of Object.entries(workerData.pids)) {
        try {
          out[name] = Number(readFileSync('/proc/' + pid + '/schedstat', 'utf8').split(' ')[1]) / 1e6;
        } catch {
          out[name] = NaN;
        }
      }
      return out;
    };
    (async () => {
      const nats = await import(workerData.natsModule);
      const nc = await nats.connect({ ...workerData.options, name: 'load benchmark probe' });
      const samples = [];
      let running = true;
      parentPort.on('message', () => (running = false));
      while (running) {
        const at = Date.now();
        const t0 = performance.now();
        await nc.rtt();
        const t1 = performance.now();
        await nc.request('$JS.API.INFO', '', { timeout: 5000 }).catch(() => undefined);
        samples.push({ at, rtt: t1 - t0, js: performance.now() - t1, waitMs: waited() });
        await new Promise((resolve) => setTimeout(resolve, ${Number(everyMs)}));
      }
      await nc.close();
      parentPort.postMessage(samples);
    })();
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: { options: connectOptions, pids, natsModule: pathToFileURL(fromMessaging.resolve('@nats-io/transport-node')).href },
  });
  const done = once(worker, 'message').then(([samples]) => samples);
  return {
    async stop() {
      worker.postMessage('stop');
      const samples = await done;
      await worker.terminate();
      return samples;
    },
  };
}

/** Reads the sum of a metric from a service's /metrics, its URL taken at each call (a restarted service may move). */
export function metricReader(url, name) {
  return async () => metricSum(await (await fetch(url(), { signal: AbortSignal.timeout(1000) })).text(), name);
}

/**
 * Runs `start` (which starts a consumer's service) while polling the durable every 100 ms, and
 * measures the drain from the moment the service began its work to nothing outstanding: a service
 * starts consuming before it reports ready, so timing from its readiness would miss the start.
 * The start is the last poll before the server first delivered a message of the backlog, or before
 * `progress` (a count of the service's own work, e.g. samples scored from its metrics; default the
 * durable's ack floor) first rose, whichever came first: the ack floor alone starts late when the
 * first message's acknowledgement waits for much more work (a batch of many targets on a cold
 * start), and a count read from the service's metrics starts late when the service answers them
 * only once it is ready, by which time most of a backlog may be drained. The end is nothing outstanding, or with `progress` the poll where it reached
 * its final value. `cpu` reads the consuming process's CPU seconds (its start-up is then left out
 * of the figure).
 */
export async function measureDrain(jsm, stream, durable, start, { timeoutMs = 180_000, cpu = async () => NaN, progress } = {}) {
  const read = async () => {
    const info = await jsm.consumers.info(stream, durable);
    const acked = info.ack_floor.stream_seq;
    return {
      t: performance.now(),
      acked,
      delivered: info.delivered.stream_seq,
      done: progress === undefined ? acked : await progress().catch(() => 0),
      outstanding: info.num_pending + info.num_ack_pending,
      cpu: await cpu().catch(() => NaN),
    };
  };
  const initial = await read();
  const points = [initial];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      points.push(await read());
      if (points.at(-1).outstanding === 0 || performance.now() - initial.t > timeoutMs) polling = false;
    }
  })();
  await start();
  await poller;
  const firstIndex = (found) => (found < 0 ? Infinity : found);
  const earliest = Math.min(
    firstIndex(points.findIndex((p) => p.delivered > initial.delivered)),
    firstIndex(points.findIndex((p) => p.done > initial.done)),
  );
  const began = Number.isFinite(earliest) ? earliest : -1;
  const first = points[Math.max(0, began - 1)];
  const last = points.at(-1);
  // With `progress` (the consumer's own count of work done), the drain ends when that count
  // reached its final value: the acknowledgements of the last messages may come later (the
  // analyzer acknowledges a batch once its detector checkpoint is stored, at most every 2 s).
  // When the count was first seen at its final value (the service answered only once it was done),
  // that poll is the end: the work ended at or before it. When nothing was seen to begin, the end
  // is nothing outstanding, as without `progress`.
  const final = Math.max(...points.map((p) => p.done));
  const endIndex = progress === undefined ? points.length - 1 : points.findIndex((p) => p.done === final);
  const end = endIndex > began ? points[endIndex] : last;
  const seconds = (end.t - first.t) / 1000;
  // CPU (cores) of the consuming process, when `cpu` reads its CPU seconds: from its last reading
  // before the work began (the process may not have existed at `first`), else its first reading.
  const base =
    points.slice(0, Math.max(1, began)).findLast((p) => Number.isFinite(p.cpu)) ?? points.slice(began).find((p) => Number.isFinite(p.cpu));
  const cores = base === undefined ? NaN : (end.cpu - base.cpu) / ((end.t - base.t) / 1000);
  return {
    backlog: initial.outstanding,
    drained: last.acked - initial.acked,
    seconds,
    perSecond: (last.acked - initial.acked) / seconds,
    // How long after the work the last acknowledgement came.
    acknowledgedAfterS: (last.t - end.t) / 1000,
    cores,
    finished: last.outstanding === 0,
  };
}

const cleanups = new Set();
let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
}

/**
 * Stops what a benchmark started when it is interrupted (Ctrl-C, kill): a stack left running
 * keeps its services and nats-server busy beside the next run. Returns the unregistration.
 */
export function onInterrupt(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Writes the monitor's targets file for the fake targets (their metrics and health URLs) into `dir`, and returns its path. */
export async function writeFakeTargetsFile(dir, fake) {
  const file = join(dir, 'targets.json');
  await writeFile(
    file,
    JSON.stringify(
      fake.targets.map((target) => ({
        name: target.name,
        metricsUrl: `http://127.0.0.1:${target.port}/metrics`,
        healthUrl: `http://127.0.0.1:${target.port}/health`,
      })),
    ),
  );
  return file;
}
