// The peer mapek's loop latency is compared with: Prometheus scraping a demo app every second
// and evaluating an alert rule every second (`for: 0s`), and Alertmanager (group_wait 0) calling
// a webhook. Debian's packages, installed with apt-get when missing (as root), run as child
// processes on free loopback ports with their own configuration and data in a temporary
// directory, and are stopped (and the directory removed) by stop().
//
// The peer watches its own copy of the demo app (startPeerTarget: the same build, metrics only, no
// NATS), so mapek healing its demo app within milliseconds cannot hide a fault from the peer's
// next scrape: each fault the peer gets stays until its webhook arrived.
//
//   const app = await startPeerTarget();
//   const peer = await startPeer({ scrapeTarget: app.hostPort, thresholdBytes: 400 * 1024 * 1024 });
//   const at = await peer.nextWebhook(after, 30_000);   // epoch ms the webhook arrived
//   await peer.stop(); await app.stop();
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function which(names) {
  for (const name of names) {
    try {
      const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
      if (stdout.trim()) return stdout.trim();
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

/** The binary of one of `names`, installing Debian's `pkg` with apt-get when none is on PATH. */
async function ensureBinary(names, pkg, log) {
  const found = await which(names);
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error(`${names[0]} is not installed and this is not root: run apt-get install -y ${pkg}`);
  log(`peer: installing ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env, maxBuffer: 64 * 1024 * 1024 });
  }
  const installed = await which(names);
  if (!installed) throw new Error(`apt-get installed ${pkg} but none of ${names.join(', ')} is on PATH`);
  return installed;
}

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitHttpOk(url, timeoutMs, what, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${child.output.slice(-2000)}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms: ${child.output.slice(-2000)}`);
}

function startChild(binary, args, options = {}) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.output = '';
  const keep = (chunk) => {
    child.output = (child.output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return child;
}

async function stopChild(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * A copy of the demo app for the peer: metrics only (no NATS_URL, so no agent push or actuation).
 * Nothing heals it, so `restart()` undoes a fault: a new process on the same port, memory back to
 * its baseline at once (a reset alone frees the leaked buffers only at the next full GC).
 */
export async function startPeerTarget({ rootDir }) {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', MAPEK_TARGET: 'peer-demo-app', MAPEK_AGENT_PUSH: 'false' };
  delete env.NATS_URL;
  delete env.MAPEK_IDENTITY_DIR;
  const url = `http://127.0.0.1:${port}`;
  let child;
  const start = async () => {
    child = startChild(process.execPath, ['--expose-gc', join(rootDir, 'examples/demo-app/dist/main.js')], { env });
    try {
      await waitHttpOk(`${url}/health`, 30_000, 'the peer demo app', child);
    } catch (error) {
      await stopChild(child);
      throw error;
    }
  };
  await start();
  return {
    url,
    hostPort: `127.0.0.1:${port}`,
    restart: async () => {
      await stopChild(child);
      await start();
    },
    stop: () => stopChild(child),
  };
}

/**
 * Starts the peer against `scrapeTarget` (host:port of the demo app's /metrics). The alert fires
 * on the same rule as mapek's monitor: process_resident_memory_bytes > thresholdBytes.
 */
export async function startPeer({ scrapeTarget, thresholdBytes, log = (line) => console.log(line) }) {
  const prometheus = await ensureBinary(['prometheus'], 'prometheus', log);
  const alertmanager = await ensureBinary(['prometheus-alertmanager', 'alertmanager'], 'prometheus-alertmanager', log);
  const versions = await Promise.all(
    [prometheus, alertmanager].map(
      async (binary) =>
        (await run(binary, ['--version'])).stdout.split('\n')[0] || (await run(binary, ['--version'])).stderr.split('\n')[0],
    ),
  );
  const dir = await mkdtemp(join(tmpdir(), 'mapek-peer-'));

  // The webhook the alerts arrive at: every firing notification is kept with its arrival time.
  const webhooks = [];
  const waiters = new Set();
  const server = createServer((request, response) => {
    const at = Date.now();
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.end('ok');
      try {
        const payload = JSON.parse(body);
        if (payload.status === 'firing') {
          webhooks.push({ at, payload });
          for (const waiter of waiters) waiter();
        }
      } catch {
        // not an Alertmanager payload
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhookPort = server.address().port;

  const [promPort, amPort] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: bench',
      "  group_by: ['alertname']",
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: bench',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${webhookPort}/alert`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'rules.yml'),
    [
      'groups:',
      '  - name: mapek-peer',
      '    interval: 1s',
      '    rules:',
      '      - alert: MemoryHigh',
      `        expr: process_resident_memory_bytes > ${thresholdBytes}`,
      '        for: 0s',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files: [rules.yml]',
      'alerting:',
      '  alertmanagers:',
      `    - static_configs: [{ targets: ['127.0.0.1:${amPort}'] }]`,
      'scrape_configs:',
      '  - job_name: demo-app',
      `    static_configs: [{ targets: ['${scrapeTarget}'] }]`,
      '',
    ].join('\n'),
  );
  const am = startChild(alertmanager, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'am')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const prom = startChild(prometheus, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  const stop = async () => {
    await Promise.all([stopChild(prom), stopChild(am)]);
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitHttpOk(`http://127.0.0.1:${amPort}/-/ready`, 30_000, 'alertmanager', am);
    await waitHttpOk(`http://127.0.0.1:${promPort}/-/ready`, 30_000, 'prometheus', prom);
  } catch (error) {
    await stop();
    throw error;
  }
  const promUrl = `http://127.0.0.1:${promPort}`;
  const amUrl = `http://127.0.0.1:${amPort}`;

  return {
    versions,
    /** Arrival time (epoch ms) of the first firing webhook that arrived at or after `after`. */
    async nextWebhook(after, timeoutMs) {
      const find = () => webhooks.find((hook) => hook.at >= after)?.at;
      const deadline = Date.now() + timeoutMs;
      while (find() === undefined && Date.now() < deadline) {
        await new Promise((resolve) => {
          const done = () => {
            waiters.delete(done);
            resolve();
          };
          waiters.add(done);
          setTimeout(done, 200);
        });
      }
      return find();
    },
    /**
     * The time of the first scraped sample above the threshold in [from, to] (epoch ms), as
     * Prometheus stamped it (the scrape's start), or undefined.
     */
    async firstViolatingSample(from, to) {
      const seconds = Math.max(1, Math.ceil((to - from) / 1000) + 1);
      const url = `${promUrl}/api/v1/query?query=${encodeURIComponent(`process_resident_memory_bytes[${seconds}s]`)}&time=${to / 1000}`;
      const body = await (await fetch(url)).json();
      const values = body.data?.result?.[0]?.values ?? [];
      const first = values.find(([at, value]) => at * 1000 >= from && Number(value) > thresholdBytes);
      return first ? Math.round(first[0] * 1000) : undefined;
    },
    /** Resolves once neither Prometheus nor Alertmanager holds a firing alert (and Alertmanager flushed the group). */
    async settled(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        try {
          const rules = await (await fetch(`${promUrl}/api/v1/alerts`)).json();
          const alerts = await (await fetch(`${amUrl}/api/v2/alerts?active=true&silenced=false&inhibited=false`)).json();
          const firing = (rules.data?.alerts ?? []).some((alert) => alert.state !== 'inactive');
          const active = alerts.some((alert) => alert.status?.state === 'active');
          if (!firing && !active) {
            await sleep(1500); // one group_interval: the group notices everything resolved and is removed
            return true;
          }
        } catch {
          // a moment of unavailability; try again
        }
        await sleep(200);
      }
      return false;
    },
    stop,
  };
}
