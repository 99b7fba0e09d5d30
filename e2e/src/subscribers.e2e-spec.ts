import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { StreamName, newEventId } from '@mapek/contracts';
import { repositoryRoot, type Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { IncidentDetail, LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const run = promisify(execFile);
const ROOT = repositoryRoot();
const SUBSCRIBERS = join(ROOT, 'examples', 'subscribers');
const GO_DIR = join(SUBSCRIBERS, 'go');
const PYTHON_DIR = join(SUBSCRIBERS, 'python');
const CONTRACTS = join(ROOT, 'docs', 'contracts');
const IDENTITY = 'subscriber';
const SIGNATURE_HEADERS = ['Mapek-Sig-Alg', 'Mapek-Sig-Kid', 'Mapek-Sig'] as const;
/** Python writes no bytecode into the clone. */
const CHILD_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
/** Who signs each event of an incident. */
const EMITTER: Readonly<Record<string, string>> = {
  analysis: 'analyzer',
  'plan.proposed': 'planner',
  'plan.approved': 'planner',
  execution: 'executor',
  outcome: 'executor',
};

/** One line a subscriber prints per event. */
interface EventLine {
  readonly subject: string;
  readonly type: string | null;
  readonly id: string | null;
  readonly incidentId: string | null;
  readonly valid: boolean;
  readonly errors?: string[];
  readonly signatureVerified: boolean;
  readonly signer?: string;
  readonly signatureError?: string;
}

/** A subscriber example as a child process: its stdout lines parsed, its stderr (JSON logs) kept. */
class SubscriberProcess {
  readonly events: EventLine[] = [];
  readonly logs: string[] = [];
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          this.events.push(JSON.parse(line) as EventLine);
        } catch {
          this.logs.push(`not JSON on stdout: ${line}`);
        }
      });
    }
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => this.logs.push(line));
  }

  static start(name: string, command: string, args: readonly string[], cwd: string): SubscriberProcess {
    return new SubscriberProcess(name, spawn(command, args, { cwd, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once it logged that its subscriptions are in place (the server acknowledged them). */
  async subscribed(): Promise<Record<string, unknown>> {
    const line = await waitFor(
      () => {
        if (!this.running) throw new Error(`${this.name} exited: ${this.logs.join('\n')}`);
        return this.logs.find((log) => log.includes('"subscribed"'));
      },
      { timeoutMs: 20_000, what: `the ${this.name} subscriber to subscribe` },
    );
    return JSON.parse(line) as Record<string, unknown>;
  }

  line(id: string): EventLine | undefined {
    return this.events.find((event) => event.id === id);
  }

  /** The exit code once it stopped by itself. */
  exitCode(): Promise<number | null> {
    return this.exited;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** `<certs>` with everything a subscriber reads, the trust bundle replaced by one whose CA signature no longer covers it. */
async function certsWithTamperedBundle(certsDir: string, into: string): Promise<string> {
  await mkdir(join(into, IDENTITY), { recursive: true });
  for (const file of ['ca.crt', 'ca.ml-dsa-65.pub.json', join(IDENTITY, 'tls.crt'), join(IDENTITY, 'tls.key')])
    await copyFile(join(certsDir, file), join(into, file));
  const signed = JSON.parse(await readFile(join(certsDir, 'trust-bundle.json'), 'utf8')) as { bundle: { notAfter: string } };
  signed.bundle.notAfter = '2199-01-01T00:00:00.000Z';
  await writeFile(join(into, 'trust-bundle.json'), JSON.stringify(signed));
  return into;
}

/**
 * The subscriber examples (examples/subscribers/{python,go}) against the running stack: each
 * connects as the read-only `subscriber` identity over mutual TLS, validates every event against
 * the generated JSON Schemas and verifies its ML-DSA-65 signature against the CA-signed trust bundle.
 */
describe('the Python and Go subscribers, on the running stack', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let workDir: string;
  let goBinary: string;
  let python: string;
  let subscribers: SubscriberProcess[] = [];
  const connections: NatsConnection[] = [];

  const subscriberArgs = (certsDir: string) => [
    '--nats-url',
    stack.natsUrl,
    '--certs',
    certsDir,
    '--identity',
    IDENTITY,
    '--contracts',
    CONTRACTS,
  ];
  const startGo = (certsDir: string) => SubscriberProcess.start('go', goBinary, subscriberArgs(certsDir), GO_DIR);
  const startPython = (certsDir: string) =>
    SubscriberProcess.start('python', python, ['-m', 'mapek_subscriber', ...subscriberArgs(certsDir)], PYTHON_DIR);
  const connectAs = async (identity: string) => {
    const nc = await connect({ ...stack.natsConnectOptions(identity), reconnect: false, name: `subscribers-e2e-${identity}` });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'mapek-e2e-subscribers-'));
    goBinary = join(workDir, 'subscriber');
    // The stack, the Go build and the Python virtualenv (cached outside the clone, keyed by its
    // requirements) at once; a stack that started is stopped by afterAll even when the rest failed.
    const setUp = await Promise.allSettled([
      startLoopStack('subscribers', {
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
        planner: { MAPEK_ACK_WAIT_MS: '3000', MAPEK_PLANNER_COOLDOWN_MS: '0' },
      }),
      run('go', ['build', '-o', goBinary, '.'], { cwd: GO_DIR }).catch((error: unknown) => {
        throw new Error(`go build in ${GO_DIR} failed (needs Go >= 1.26 on PATH): ${String(error)}`);
      }),
      run('bash', [join(PYTHON_DIR, 'venv.sh')], { timeout: 180_000 }).then(({ stdout }) => {
        python = stdout.trim();
      }),
    ]);
    if (setUp[0].status === 'fulfilled') running = setUp[0].value;
    for (const step of setUp) if (step.status === 'rejected') throw step.reason;
    ({ stack, loop } = running);
    expect(stack.certsDir).toBeDefined();
    subscribers = [startGo(stack.certsDir ?? ''), startPython(stack.certsDir ?? '')];
    await Promise.all(subscribers.map((subscriber) => subscriber.subscribed()));
  });

  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
    await Promise.all(connections.map((nc) => nc.close()));
    await running?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('agree with libs/pqc on canonical JSON, event signatures and the trust bundle (shared vectors)', async () => {
    await run(process.execPath, [join(SUBSCRIBERS, 'testdata', 'vectors.mjs'), '--check']);
    await run('go', ['test', './...'], { cwd: GO_DIR });
    await run(python, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: PYTHON_DIR, env: CHILD_ENV });
  });

  it('subscribe to every event subject of the AsyncAPI document as the subscriber identity, Go over X25519MLKEM768', async () => {
    for (const subscriber of subscribers) {
      const log = await subscriber.subscribed();
      expect([subscriber.name, (log['subjects'] as string[]).sort()]).toEqual([
        subscriber.name,
        [
          'alerts',
          'analyses',
          'commands',
          'decisions',
          'executions',
          'flags',
          'heartbeats',
          'incidents',
          'outcomes',
          'plans.approved',
          'plans.proposed',
          'plans.rejected',
          'samples',
          'symptoms',
        ].map((kind) => `mapek.${kind}.*`),
      ]);
    }
    expect(await subscribers[0]?.subscribed()).toMatchObject({ tlsVersion: 'TLS 1.3', tlsGroup: 'X25519MLKEM768' });
  });

  it('gives the subscriber identity reads only: NATS refuses it publishing an event or listening to actuation requests', async () => {
    const nc = await connectAs(IDENTITY);
    const refusals: string[] = [];
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') refusals.push(status.error.message);
    })();
    nc.publish('mapek.symptoms.demo-app', '{}');
    nc.subscribe('mapek.actuate.>');
    await nc.flush();
    await waitFor(() => refusals.length >= 2, { what: 'two permission violations' });
    expect(refusals.join('\n')).toContain('Permissions Violation for Publish to "mapek.symptoms.demo-app"');
    expect(refusals.join('\n')).toContain('Permissions Violation for Subscription to "mapek.actuate.>"');
  });

  it('see the memory-leak incident from its first symptom to its outcome, every event valid and its signature verified', async () => {
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const healed = await loop.waitForIncident(
      since,
      (incident) => incident.cause === 'memory_leak' && incident.outcome !== null,
      60_000,
      'the memory-leak incident to reach an outcome',
    );
    expect(healed.outcome).toBe('success');
    const detail: IncidentDetail = await loop.incident(healed.id);
    const firstSymptoms = (detail.events.analyses[0]?.data as { symptomIds: string[] }).symptomIds;
    const incidentEvents = [
      ...detail.events.analyses,
      ...detail.events.plans,
      ...detail.events.decisions,
      ...detail.events.executions,
      ...detail.events.outcomes,
    ];
    expect(firstSymptoms.length).toBeGreaterThan(0);
    expect(incidentEvents.map((event) => event.type).sort()).toEqual([
      'analysis',
      'execution',
      'execution',
      'outcome',
      'plan.approved',
      'plan.proposed',
    ]);

    for (const subscriber of subscribers) {
      await waitFor(() => [...firstSymptoms, ...incidentEvents.map((event) => event.id)].every((id) => subscriber.line(id)), {
        timeoutMs: 30_000,
        what: `the ${subscriber.name} subscriber to print every event of the incident`,
      });
      for (const id of firstSymptoms) {
        expect([subscriber.name, subscriber.line(id)]).toEqual([
          subscriber.name,
          expect.objectContaining({ type: 'symptom', valid: true, signatureVerified: true }),
        ]);
      }
      const lines = subscriber.events.filter((event) => event.incidentId === healed.id);
      expect([subscriber.name, new Set(lines.map((event) => event.id))]).toEqual([
        subscriber.name,
        new Set(incidentEvents.map((event) => event.id)),
      ]);
      for (const line of lines) {
        expect([subscriber.name, line]).toEqual([
          subscriber.name,
          expect.objectContaining({ valid: true, signatureVerified: true, signer: EMITTER[line.type ?? ''] }),
        ]);
      }
      // Everything the stack published while they listened (samples, symptoms of both the monitor
      // and the demo app's agent, the loop's events) passed both checks.
      const failed = subscriber.events.filter((event) => !event.valid || !event.signatureVerified);
      expect([subscriber.name, failed]).toEqual([subscriber.name, []]);
      expect([...new Set(subscriber.events.map((event) => event.type))]).toEqual(
        expect.arrayContaining(['sample.batch', 'symptom', 'analysis', 'plan.proposed', 'execution', 'outcome']),
      );
    }
  });

  it('report events published with a signature that does not cover them as valid but not verified', async () => {
    // A genuine symptom as JetStream stored it: its body and its signature headers.
    const jsm = await jetstreamManager(await connectAs('cli'));
    const stored = await jsm.streams.getMessage(StreamName.events, { last_by_subj: 'mapek.symptoms.demo-app' });
    expect(stored).not.toBeNull();
    const genuine = stored?.json<Record<string, unknown>>() ?? {};
    const signature = Object.fromEntries(SIGNATURE_HEADERS.map((name) => [name, stored?.header.get(name) ?? '']));
    expect(signature['Mapek-Sig']).not.toBe('');

    // Published as the monitor, which may publish symptoms: NATS lets them through, the signatures do not.
    const monitor = await connectAs('monitor');
    const publish = (subject: string, envelope: Record<string, unknown>, sig: Record<string, string>) => {
      const headers = natsHeaders();
      headers.set('Nats-Msg-Id', String(envelope['id']));
      for (const [name, value] of Object.entries(sig)) headers.set(name, value);
      monitor.publish(subject, JSON.stringify(envelope), { headers });
    };
    const moved = { ...genuine, id: newEventId(), target: 'subscriber-probe' };
    publish('mapek.symptoms.subscriber-probe', moved, signature);
    const forged = { ...genuine, id: newEventId(), time: new Date().toISOString() };
    publish('mapek.symptoms.demo-app', forged, { ...signature, 'Mapek-Sig': randomBytes(3309).toString('base64url') });
    await monitor.flush();

    for (const subscriber of subscribers) {
      for (const id of [moved.id, forged.id]) {
        const line = await waitFor(() => subscriber.line(id), {
          timeoutMs: 30_000,
          what: `the ${subscriber.name} subscriber to print ${id}`,
        });
        expect([subscriber.name, line]).toEqual([
          subscriber.name,
          expect.objectContaining({
            type: 'symptom',
            valid: true,
            signatureVerified: false,
            signatureError: expect.stringMatching(/^bad_signature: /),
          }),
        ]);
      }
    }
  });

  it('refuse to start on a trust bundle whose CA signature does not verify', async () => {
    const certsDir = await certsWithTamperedBundle(stack.certsDir ?? '', join(workDir, 'tampered-certs'));
    for (const subscriber of [startGo(certsDir), startPython(certsDir)]) {
      expect([subscriber.name, await subscriber.exitCode()]).toEqual([subscriber.name, 1]);
      expect(subscriber.logs.join('\n')).toContain('bundle_bad_signature');
    }
  });
});
