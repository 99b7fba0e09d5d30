#!/usr/bin/env node
// Many scrape targets in one process, for the load benchmarks: each target is its own HTTP server
// on its own loopback port (so the monitor keeps one connection per target, as with real hosts),
// serving `/metrics` (Prometheus text: the agent gauges the monitor's rules and the analyzer's
// detector watch, process metrics and a request histogram, 43 samples) and `/health`.
//
//   node benchmarks/fake-targets.mjs 1000      (prints {"control": <port>, "targets": [{name, port}]} once listening)
//
// A control server on its own port:
//   POST /fault?target=<name>&kind=memory|off   the target's resident memory reads 500 MB (the
//                                               memory rule fires above 400 MB) until turned off
//   GET  /stats                                 scrape rounds: for each round (all targets scraped
//                                               once), its span from the first request to the last;
//                                               requests and errors served; this process's CPU
// Used as a module: startFakeTargets({ count }) forks it and resolves with its ports and a client.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';

const MB = 1024 * 1024;
const ROUND_GAP_MS = 250;

/**
 * The process under load: a child of the benchmark, so its CPU is not the benchmark's, in a session
 * of its own like each of the stack's services, so that the kernel weighs it apart from the
 * benchmark (autogroups: see lowerPriority in tools/stack).
 */
export async function startFakeTargets({ count, prefix = 'load' }) {
  const child = fork(new URL(import.meta.url).pathname, [String(count), prefix], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [ready] = await once(child, 'message');
  const control = `http://127.0.0.1:${ready.control}`;
  return {
    pid: child.pid,
    targets: ready.targets,
    control,
    async fault(name, kind) {
      const response = await fetch(`${control}/fault?target=${encodeURIComponent(name)}&kind=${kind}`, { method: 'POST' });
      if (!response.ok) throw new Error(`fault ${name}: ${response.status}`);
    },
    async stats() {
      return (await fetch(`${control}/stats`)).json();
    },
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

function serve(count, prefix) {
  const faults = new Map();
  const started = Date.now();
  // Scrape rounds: the monitor scrapes every target once per interval, all at once.
  const rounds = [];
  let round;
  let requests = 0;
  let errors = 0;

  function metricsText(index, name) {
    const now = Date.now();
    const noise = (scale) => scale * (0.9 + 0.2 * Math.random());
    const memory = faults.get(name) === 'memory' ? 500 * MB : noise(120 * MB);
    const lines = [
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${Math.round(memory)}`,
      '# TYPE process_cpu_user_seconds_total counter',
      `process_cpu_user_seconds_total ${((now - started) / 1000) * 0.05}`,
      '# TYPE process_cpu_system_seconds_total counter',
      `process_cpu_system_seconds_total ${((now - started) / 1000) * 0.01}`,
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${Math.floor(started / 1000)}`,
      '# TYPE process_open_fds gauge',
      `process_open_fds ${40 + (index % 7)}`,
      '# TYPE nodejs_heap_size_used_bytes gauge',
      `nodejs_heap_size_used_bytes ${Math.round(noise(40 * MB))}`,
      '# TYPE nodejs_heap_size_total_bytes gauge',
      `nodejs_heap_size_total_bytes ${64 * MB}`,
      '# TYPE nodejs_eventloop_lag_seconds gauge',
      `nodejs_eventloop_lag_seconds ${noise(0.002).toFixed(6)}`,
      '# TYPE mapek_agent_cpu_percent gauge',
      `mapek_agent_cpu_percent ${noise(20).toFixed(2)}`,
      '# TYPE mapek_agent_connections_active gauge',
      `mapek_agent_connections_active ${Math.round(noise(10))}`,
      '# TYPE mapek_agent_error_ratio gauge',
      `mapek_agent_error_ratio ${noise(0.005).toFixed(5)}`,
      '# TYPE mapek_agent_request_latency_p95_seconds gauge',
      `mapek_agent_request_latency_p95_seconds ${noise(0.05).toFixed(4)}`,
      '# TYPE http_requests_total counter',
    ];
    for (const route of ['/', '/api/orders', '/api/users']) {
      for (const status of ['200', '500'])
        lines.push(`http_requests_total{route="${route}",status="${status}"} ${status === '200' ? now % 100000 : 3}`);
    }
    lines.push('# TYPE http_request_duration_seconds histogram');
    const buckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
    buckets.forEach((le, b) => lines.push(`http_request_duration_seconds_bucket{route="/api/orders",le="${le}"} ${100 * (b + 1)}`));
    lines.push(
      'http_request_duration_seconds_sum{route="/api/orders"} 55.5',
      'http_request_duration_seconds_count{route="/api/orders"} 1100',
    );
    for (let extra = 0; extra < 8; extra++) lines.push(`app_queue_depth{queue="q${extra}"} ${index % 13}`);
    return `${lines.join('\n')}\n`;
  }

  // A round ends at a pause of ROUND_GAP_MS without a scrape (the monitor scrapes every target at
  // once each interval), or when it would span more than an interval.
  function onScrape(now) {
    if (!round || now - round.last > ROUND_GAP_MS || now - round.first > 1000) {
      if (round) rounds.push({ startedAt: round.first, spanMs: round.last - round.first, scrapes: round.seen });
      if (rounds.length > 600) rounds.shift();
      round = { first: now, last: now, seen: 0 };
    }
    round.seen += 1;
    round.last = now;
  }

  const servers = [];
  const targets = [];
  return (async () => {
    for (let index = 0; index < count; index++) {
      const name = `${prefix}-${String(index).padStart(4, '0')}`;
      const server = createServer((req, res) => {
        requests += 1;
        if (req.url === '/metrics') {
          onScrape(performance.now());
          const body = metricsText(index, name);
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } else if (req.url === '/health') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"ok"}');
        } else {
          errors += 1;
          res.writeHead(404);
          res.end();
        }
      });
      server.keepAliveTimeout = 65_000;
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push(server);
      targets.push({ name, port: server.address().port });
    }
    const control = createServer((req, res) => {
      const url = new URL(req.url, 'http://control');
      if (req.method === 'POST' && url.pathname === '/fault') {
        const name = url.searchParams.get('target');
        const kind = url.searchParams.get('kind');
        if (kind === 'off') faults.delete(name);
        else faults.set(name, kind);
        res.writeHead(204);
        res.end();
        return;
      }
      if (url.pathname === '/stats') {
        const cpu = process.cpuUsage();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ rounds, requests, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6, faults: [...faults.keys()] }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
    control.listen(0, '127.0.0.1');
    await once(control, 'listening');
    return { control: control.address().port, targets };
  })();
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const count = Number(process.argv[2] ?? 1000);
  const prefix = process.argv[3] ?? 'load';
  const ready = await serve(count, prefix);
  if (process.send) process.send(ready);
  else console.log(JSON.stringify(ready));
  // A benchmark that dies without stopping its targets must not leave them serving.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
