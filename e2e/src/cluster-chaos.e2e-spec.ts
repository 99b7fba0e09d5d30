import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StreamName } from '@mapek/contracts';
import { networkNamespacesUnavailable, waitFor, type NatsClusterNode } from '@mapek/testing';
import { LOOP_SERVICES, secondReplicaOf, startClusterStack, type ClusterStack, type LoopService } from './cluster-stack.js';
import type { LoopClient } from './loop-client.js';
import { LoopEvents, type SeenEvent } from './loop-events.js';

/**
 * Chaos on the production shape: three nats-server members with mutual TLS, every stream and
 * bucket at R3, PostgreSQL of the test's own. At each phase of a memory-leak incident the test
 * waits for the event that marks it, then kills -9 every loop service, or the events stream's
 * leader and PostgreSQL, or partitions that leader from the other members; each case ends with
 * one execution, one `success` outcome and every event stored once. Two replicas of every loop
 * service share the first cases. Partitions need network namespaces (root and iproute2); without
 * them the members run on 127.0.0.1 and the partition cases are skipped.
 * MAPEK_E2E_TIMELINE=1 prints how long each case took to reach its phase, recover and heal.
 */

const noNamespaces = networkNamespacesUnavailable();

const PHASES = ['symptom', 'analysis', 'plan', 'execution', 'verification'] as const;
type Phase = (typeof PHASES)[number];
const ROUNDS = [1, 2] as const;

const TARGET = 'demo-app';
const LEAK = '/demo/memory-leak?size_mb=100&count=5';

/** The event that says an incident reached a phase. */
function marks(phase: Phase): (event: SeenEvent) => boolean {
  const status = (event: SeenEvent): unknown => (event.envelope.data as { status?: unknown }).status;
  const ofTarget = (type: string) => (event: SeenEvent) => event.envelope.type === type && event.envelope.target === TARGET;
  switch (phase) {
    case 'symptom':
      return ofTarget('symptom');
    case 'analysis':
      return ofTarget('analysis');
    case 'plan':
      return ofTarget('plan.proposed');
    case 'execution':
      return (event) => ofTarget('execution')(event) && status(event) === 'in_progress';
    case 'verification':
      return (event) => ofTarget('execution')(event) && status(event) === 'completed';
  }
}

const remediesRun = /^mapek_agent_remedies_total\{[^}]*result="(ok|failed)"/;

/** Only the memory rule: a loaded CI machine can push the demo app's p95 latency over 3 s and open incidents nobody caused. */
const MEMORY_RULE_ONLY = {
  rules: [
    {
      name: 'memory',
      metric: 'process_resident_memory_bytes',
      op: '>',
      threshold: 400 * 1024 * 1024,
      severity: 'critical',
      description: 'resident memory above 400 MB',
    },
  ],
};

describe('the loop on a three-member NATS cluster at R3, under kill -9 and partitions at every phase', () => {
  let running: ClusterStack;
  let loop: LoopClient;
  let events: LoopEvents;
  let rulesDir: string;
  /** Replicas stopped on purpose, which `waitUntilSettled` leaves out. */
  const held: string[] = [];

  beforeAll(async () => {
    rulesDir = await mkdtemp(join(tmpdir(), 'mapek-e2e-rules-'));
    const rulesFile = join(rulesDir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(MEMORY_RULE_ONLY));
    running = await startClusterStack('cluster_chaos', {
      secondReplicas: true,
      namespaces: noNamespaces === undefined,
      serviceEnv: {
        monitor: { MAPEK_SCRAPE_INTERVAL_MS: '500', MAPEK_MONITOR_RULES_FILE: rulesFile },
        // The demo app's agent pushes crossings of the same rules.
        'demo-app': { MAPEK_AGENT_RULES_FILE: rulesFile },
        // Anomalies are left out: this suite is about faults in the loop, not about detection.
        analyzer: { MAPEK_ACK_WAIT_MS: '3000', MAPEK_ANALYZER_ANOMALY_DETECTION: 'false' },
        planner: { MAPEK_ACK_WAIT_MS: '3000', MAPEK_PLANNER_COOLDOWN_MS: '0', MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: '1000' },
        executor: {
          MAPEK_ACK_WAIT_MS: '3000',
          MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '3000',
          MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000',
        },
        knowledge: { MAPEK_ACK_WAIT_MS: '3000' },
        gateway: { MAPEK_GATEWAY_RATE_LIMIT_PER_MINUTE: '100000', MAPEK_GATEWAY_RATE_LIMIT_BURST: '10000' },
      },
    });
    loop = running.loop;
    events = await LoopEvents.open(running.stack.natsConnectOptions('cli'));
  });

  afterAll(async () => {
    await events?.close();
    await running?.stop();
    if (rulesDir) await rm(rulesDir, { recursive: true, force: true });
  });

  /**
   * The wait, with what CI keeps of a run when it fails: the last lines of the planners' and
   * executors' output, and each NATS member's state (running, cut off, its /healthz answer) and
   * the last lines of its log (elections, catch-ups, lost quorums).
   */
  async function withLogsOnFailure<T>(wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (error) {
      const names = (['planner', 'executor'] as const).flatMap((service: LoopService) => [service, secondReplicaOf(service)]);
      const tails = names.map((name) => `--- ${name}\n${(running.stack.processes[name]?.tail(20) ?? []).join('\n')}`);
      const members = await Promise.all(running.cluster.nodes.map(memberState));
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${[...tails, ...members].join('\n')}`, { cause: error });
    }
  }

  async function memberState(node: NatsClusterNode): Promise<string> {
    const health = node.running
      ? await fetch(`http://${node.host}:${node.monitorPort}/healthz`, { signal: AbortSignal.timeout(2000) })
          .then(async (response) => `${response.status} ${(await response.text()).trim()}`)
          .catch((error: unknown) => `no answer (${String(error)})`)
      : 'not running';
    const log = node.tail().trimEnd().split('\n').slice(-25).join('\n');
    return `--- NATS ${node.name}${node.partitioned ? ' (cut off)' : ''}: /healthz ${health}\n${log}`;
  }

  /**
   * Injects the leak, waits for `phase`, runs `chaos`, then waits for the incident's outcome and
   * checks that it happened once: one incident, one plan approved, one execution, one `success`
   * outcome, every stored event distinct, and the agent ran each step of the plan once.
   */
  async function incidentSurvives(phase: Phase, chaos: () => Promise<void>): Promise<void> {
    await withLogsOnFailure(running.waitUntilSettled(60_000, held));
    const remediesBefore = await loop.metric(running.stack.demoUrl, remediesRun);
    const mark = events.mark();
    const since = Date.now();
    await loop.fault(LEAK);
    await withLogsOnFailure(events.next(mark, marks(phase), `the ${phase} of the incident`));
    const reached = Date.now();
    await chaos();
    const recovered = Date.now();

    // Knowledge answers with the outcome once it stored it (it may have been down or behind); the
    // gateway, not this test's own NATS connection, which a partition may cut, is the witness.
    const recorded = await withLogsOnFailure(
      loop.waitForIncident(
        since,
        (incident) => incident.target === TARGET && incident.outcome !== null,
        150_000,
        'the outcome, recorded by knowledge',
      ),
    );
    // Any other outcome shows its counts (the violations before and after the remedy) in the failure.
    const outcomes = recorded.outcome === 'success' ? [] : (await loop.incident(recorded.id)).events.outcomes.map((event) => event.data);
    expect({ outcome: recorded.outcome, outcomes }).toEqual({ outcome: 'success', outcomes: [] });
    const healed = Date.now();
    await withLogsOnFailure(running.waitUntilSettled(60_000, held));
    if (process.env['MAPEK_E2E_TIMELINE']) {
      console.info(
        `${phase}: phase after ${reached - since} ms, chaos ${recovered - reached} ms, outcome recorded after ${healed - recovered} ms, settled after ${Date.now() - healed} ms`,
      );
    }
    const opened = (await loop.incidents()).filter(
      (incident) => incident.target === TARGET && Date.parse(incident.openedAt) >= since - 1000,
    );
    expect(opened.map((incident) => incident.id)).toEqual([recorded.id]);

    const detail = await loop.incident(recorded.id);
    const stored = Object.values(detail.events).flat();
    expect(new Set(stored.map((event) => event.id)).size).toBe(stored.length);
    expect(detail.events.analyses).toHaveLength(1);
    expect(detail.events.plans.filter((event) => event.type === 'plan.proposed')).toHaveLength(1);
    const approved = detail.events.plans.filter((event) => event.type === 'plan.approved');
    expect(approved).toHaveLength(1);
    const executions = detail.events.executions.map(
      (event) => event.data as { executionId: string; status: string; steps: unknown[]; error?: string },
    );
    expect(new Set(executions.map((execution) => execution.executionId)).size).toBe(1);
    // The steps and error say why, should an execution have failed.
    expect(
      executions
        .map(({ status, steps, error }) => ({ status, ...(status === 'completed' ? {} : { steps, error }) }))
        .sort((a, b) => a.status.localeCompare(b.status)),
    ).toEqual([{ status: 'completed' }, expect.objectContaining({ status: 'in_progress' })]);
    expect(detail.events.outcomes).toHaveLength(1);

    // The agent ran every step of the plan, once (a repeated request is answered from its cache, not run).
    const steps = ((approved[0]?.data as { steps?: unknown[] } | undefined)?.steps ?? []).length;
    expect(steps).toBeGreaterThan(0);
    expect((await loop.metric(running.stack.demoUrl, remediesRun)) - remediesBefore).toBe(steps);
  }

  /** kill -9 every loop service at once; the stack's supervisor restarts them. */
  async function crashEveryLoopService(): Promise<void> {
    await Promise.all(LOOP_SERVICES.map((service) => running.stack.crashService(service)));
  }

  /** The member leading the events stream, which the next fault hits hardest. */
  async function eventsLeader(): Promise<NatsClusterNode> {
    return waitFor(() => running.cluster.streamLeader(StreamName.events), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `a leader of ${StreamName.events}`,
    });
  }

  /** A leader of the events stream other than `node`, elected by the members that are left. */
  async function leaderOtherThan(node: NatsClusterNode): Promise<NatsClusterNode> {
    return waitFor(
      async () => {
        const leader = await running.cluster.streamLeader(StreamName.events);
        return leader !== undefined && leader !== node ? leader : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `the other members to elect a new leader of ${StreamName.events}` },
    );
  }

  /**
   * kill -9 the events stream's leader and PostgreSQL together; each comes back once its loss
   * shows: the other members elected a new leader, knowledge reports itself unready.
   */
  async function crashNatsLeaderAndDatabase(): Promise<void> {
    const leader = await eventsLeader();
    await Promise.all([leader.kill(), running.database.kill()]);
    await leaderOtherThan(leader);
    const readiness = `${running.stack.serviceUrl('knowledge')}/health/ready`;
    await waitFor(async () => (await fetch(readiness)).status === 503, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'knowledge to notice the database is gone',
    });
    await Promise.all([leader.restart(), running.database.restart()]);
  }

  /** Cuts the events stream's leader off the other members and the clients until a new leader is elected, then heals. */
  async function partitionNatsLeader(): Promise<void> {
    const leader = await eventsLeader();
    await leader.partition();
    try {
      await leaderOtherThan(leader);
    } finally {
      await leader.heal();
    }
  }

  /** Events each replica of a service handled, by process name (`mapek_events_consumed_total{type,result="ok"}`; type `*`: all). */
  async function handled(service: (typeof LOOP_SERVICES)[number], type: string): Promise<number[]> {
    const typePattern = type === '*' ? '[^"]+' : type.replace('.', '\\.');
    const pattern = new RegExp(`^mapek_events_consumed_total\\{type="${typePattern}",[^}]*result="ok"`);
    return Promise.all([service, secondReplicaOf(service)].map((name) => loop.metric(running.stack.serviceUrl(name), pattern)));
  }

  describe('with two replicas of every loop service', () => {
    it('shares the work of an incident and does nothing twice', async () => {
      const counted = [
        ['analyzer', 'symptom'],
        ['analyzer', 'outcome'],
        ['planner', 'analysis'],
        ['executor', 'plan.approved'],
        ['knowledge', '*'],
      ] as const;
      const before = await Promise.all(counted.map(([service, type]) => handled(service, type)));
      await incidentSurvives('verification', () => Promise.resolve());
      const after = await Promise.all(counted.map(([service, type]) => handled(service, type)));
      const delta = (index: number): number[] => (after[index] ?? []).map((value, replica) => value - (before[index]?.[replica] ?? 0));
      // One analysis planned once, one plan run once, one outcome closing the incident once, by either replica.
      expect(delta(1).reduce((sum, value) => sum + value, 0)).toBe(1);
      expect(delta(2).reduce((sum, value) => sum + value, 0)).toBe(1);
      expect(delta(3).reduce((sum, value) => sum + value, 0)).toBe(1);
      // The incident's events were shared: each replica of knowledge (one event in flight, so its
      // pull requests take two at a time, in turn with the other replica's) stored some of them.
      // The analyzer's sample batches are not a measure of sharing when idle: its replica asks for
      // 32 at a time and tops its request up as it goes, so one replica may take them all until
      // load makes it fall behind (seen here: 60 s of batches to one replica). They are not counted.
      expect(delta(4).every((value) => value > 0)).toBe(true);
    });

    it.each(ROUNDS)(
      'goes on with the other replicas after kill -9 of one replica of every loop service at the execution (round %i)',
      async () => {
        await incidentSurvives('execution', async () => {
          await Promise.all(LOOP_SERVICES.map((service) => running.stack.crashService(service)));
        });
      },
    );

    afterAll(async () => {
      // The chaos below takes whole services down: one replica each.
      for (const service of LOOP_SERVICES) {
        await running?.stack.stopService(secondReplicaOf(service), 'SIGTERM');
        held.push(secondReplicaOf(service));
      }
    });
  });

  describe.each(PHASES.flatMap((phase) => ROUNDS.map((round) => ({ phase, round }))))('at the $phase (round $round)', ({ phase }) => {
    it('heals once after kill -9 of monitor, analyzer, planner, executor and knowledge', async () => {
      await incidentSurvives(phase, crashEveryLoopService);
    });

    it('heals once after kill -9 of the events stream leader and of PostgreSQL', async () => {
      await incidentSurvives(phase, crashNatsLeaderAndDatabase);
    });
  });

  (noNamespaces === undefined ? describe.each(ROUNDS) : describe.skip.each(ROUNDS))('across a partition (round %i)', () => {
    it.each(['plan', 'execution'] as const)('heals once when the events stream leader is cut off at the %s', async (phase) => {
      await incidentSurvives(phase, partitionNatsLeader);
    });
  });
});
